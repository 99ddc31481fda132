// HTTP adapter for serve mode: the built renderer at `/`, the PulseApi under `/api/`
// (JSON requests, Server-Sent Events for ticks) and self-metrics at `/metrics`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HTTP_INSPECT_UPLOAD_PATH, HTTP_RECORDINGS_PATH, HTTP_REPORT_PATH, HTTP_WATCH_PATH, type InspectionInfo, type PulseBackend, type Tick } from '../../shared/api';
import { createTickEncoder } from '../../shared/tick-delta';
import { createReadStream } from 'node:fs';
import { InvalidRequestError, validateWatchArgs } from '../../shared/api-schemas';
import { dispatchRequest } from '../core/dispatch';
import { reportRequestFromQuery } from '../core/accounting/report-query';
import { openTickStream, type TickStream } from '../core/tick-stream';
import { serveStatic } from './static-files';
import { createRequestGuard } from './request-guard';
import { FileAccessError } from '../core/file-access';

/**
 * What serve mode needs of the service beyond the PulseApi contract, declared here by its one
 * user: the bytes of a file dropped in the browser, and finished recordings to download.
 */
export interface ServeBackend extends PulseBackend {
  inspectUpload(name: string, body: AsyncIterable<Uint8Array>, sizeBytes: number | null): Promise<InspectionInfo>;
  recordingPath(fileName: string): Promise<string>;
}

export interface HttpAdapterOptions {
  service: ServeBackend;
  host: string;
  port: number;
  /** Folder with the built renderer (out/renderer). */
  rendererDir: string;
  /** Required as `Authorization: Bearer` or `?token=` on /api and /metrics when set. */
  token?: string;
  /** Host names besides this machine's own that clients may use (--allow-host). */
  allowHosts?: string[];
  /** Checks a request's method and validated arguments before the call (serve: paths outside --allow-dir). */
  beforeCall?: (method: string, args: unknown[]) => Promise<void>;
  /** `/metrics`: computed GPU metrics and self-metrics, negotiated on Accept and Accept-Encoding. */
  metrics?: (accept: string | undefined, acceptEncoding: string | undefined) => Promise<{ status: number; headers: Record<string, string>; body: Buffer | string }>;
}

const MAX_BODY_BYTES = 1 << 20;

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface RunningHttpAdapter {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startHttpAdapter(opts: HttpAdapterOptions): Promise<RunningHttpAdapter> {
  /** Open event streams by the id their `hello` event told the page. */
  const sseClients = new Map<string, { res: ServerResponse; stream: TickStream }>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });

  const guard = createRequestGuard({ boundHost: opts.host, allowHosts: opts.allowHosts, token: opts.token });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/api/') || path === '/metrics') {
      const verdict = guard.check(req, url, path === HTTP_INSPECT_UPLOAD_PATH ? 'upload' : 'json');
      if (!verdict.ok) return sendJson(res, verdict.status, { error: verdict.error });
    }
    if (req.method === 'GET' && path === '/api/targets') return sendJson(res, 200, await opts.service.getTargets());
    if (req.method === 'GET' && path === '/api/gpus') return sendJson(res, 200, await opts.service.getGpus());
    if (req.method === 'GET' && path === '/api/sources') return sendJson(res, 200, await opts.service.getSources());
    if (req.method === 'GET' && path === '/api/events') return openEventStream(req, res, url.searchParams.get('delta') === '1');
    if (req.method === 'GET' && path === HTTP_REPORT_PATH) return report(url, res);
    if (path === HTTP_WATCH_PATH) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST {"stream": <id from the hello event>, "keys": [...]}' });
      return watchGpus(req, res);
    }
    if (req.method === 'GET' && path.startsWith(HTTP_RECORDINGS_PATH)) {
      let file: string;
      try {
        file = await opts.service.recordingPath(decodeURIComponent(path.slice(HTTP_RECORDINGS_PATH.length)));
      } catch (err) {
        return sendJson(res, 404, { error: (err as Error).message });
      }
      const name = file.split(/[\\/]/).pop()!;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` });
      createReadStream(file).pipe(res);
      return;
    }
    if (path === HTTP_INSPECT_UPLOAD_PATH) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST the file bytes with ?name=<file name>' });
      const name = (url.searchParams.get('name') ?? 'upload.prom').slice(0, 255);
      const length = Number(req.headers['content-length']);
      const info = await opts.service.inspectUpload(name, req, Number.isFinite(length) ? length : null);
      return sendJson(res, 200, { result: info });
    }
    if (path.startsWith('/api/call/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST with a JSON array of arguments' });
      return callMethod(decodeURIComponent(path.slice('/api/call/'.length)), req, res);
    }
    if (path.startsWith('/api/')) return sendJson(res, 404, { error: `no such endpoint ${path}` });
    if (req.method === 'GET' && path === '/metrics' && opts.metrics) {
      const answer = await opts.metrics(req.headers.accept, req.headers['accept-encoding']);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      if (await serveStatic(opts.rendererDir, path, res)) return;
      // Client-side routes fall back to the app shell.
      if (!extensionOf(path) && (await serveStatic(opts.rendererDir, '/index.html', res))) return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  async function callMethod(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, res, []);
    if (!body) return;
    try {
      const result = await dispatchRequest(opts.service, method, body.value, opts.beforeCall);
      sendJson(res, 200, { result: result ?? null });
    } catch (err) {
      const status = err instanceof InvalidRequestError ? 400 : err instanceof FileAccessError ? 403 : 422;
      sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The waste report as JSON: query parameters as the CLI's flags, checked like every call. */
  async function report(url: URL, res: ServerResponse): Promise<void> {
    let request;
    try {
      request = reportRequestFromQuery(url.searchParams);
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
    try {
      sendJson(res, 200, await dispatchRequest(opts.service, 'getWasteReport', [request]));
    } catch (err) {
      sendJson(res, err instanceof InvalidRequestError ? 400 : 422, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  async function watchGpus(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = await readJsonBody(req, res, {});
    if (!json) return;
    const body: { stream?: unknown; keys?: unknown } = typeof json.value === 'object' && json.value !== null ? json.value : {};
    const client = typeof body.stream === 'string' ? sseClients.get(body.stream) : undefined;
    if (!client) return sendJson(res, 404, { error: 'no open event stream with that id: open /api/events and use the id of its hello event' });
    let keys: string[];
    try {
      keys = validateWatchArgs([body.keys]);
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
    await client.stream.watch(keys);
    sendJson(res, 200, { result: null });
  }

  /** `delta`: rows the stream sent before go as their changes (tick-delta; the app's own bridge asks for it). */
  function openEventStream(req: IncomingMessage, res: ServerResponse, delta: boolean): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const id = randomUUID();
    // The id lets this page choose which GPUs it receives in full (POST /api/watch).
    res.write(`event: hello\ndata: ${JSON.stringify({ stream: id })}\n\n`);
    const encode = delta ? createTickEncoder() : (tick: Tick) => tick;
    const stream = openTickStream(opts.service, (tick) => res.write(`event: tick\ndata: ${JSON.stringify(encode(tick))}\n\n`));
    sseClients.set(id, { res, stream });
    req.on('close', () => {
      stream.close();
      sseClients.delete(id);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${hostForUrl}:${address.port}`,
    async close() {
      for (const { res, stream } of sseClients.values()) {
        stream.close();
        res.end();
      }
      sseClients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's JSON body (`empty` when it has none), or undefined once a 413/400 naming the reason is sent. */
async function readJsonBody(req: IncomingMessage, res: ServerResponse, empty: unknown): Promise<{ value: unknown } | undefined> {
  let text: string;
  try {
    text = await readBody(req);
  } catch (err) {
    sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { error: (err as Error).message });
    return undefined;
  }
  if (text.length === 0) return { value: empty };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    sendJson(res, 400, { error: `request body is not JSON: ${(err as Error).message}` });
    return undefined;
  }
}

function extensionOf(path: string): string {
  const last = path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(dot) : '';
}
