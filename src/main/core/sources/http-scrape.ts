// One HTTP scrape of an exporter endpoint, with every way it can fail turned into a state, a
// message naming the cause and a remedy. Network safety (DESIGN.md §7): one deadline covers
// connect, headers and the whole body, so a slow drip cannot hold a slot; the body is capped
// before and after gzip decompression; TLS verification stays on unless a target opts out.
import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { Agent, buildConnector, request } from 'undici';
import { PROMETHEUS_TEXT_ACCEPT } from '../exposition/media-type';

// The Accept header Prometheus 3 sends for the text formats; re-exported for callers here.
export { PROMETHEUS_TEXT_ACCEPT };

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export type ScrapeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

export interface ScrapeTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
}

export interface ScrapeRequest {
  url: string;
  timeoutMs: number;
  /** Default 64 MiB; applies to the decompressed size too. */
  maxBytes?: number;
  auth?: ScrapeAuth;
  tls?: ScrapeTls;
  headers?: Record<string, string>;
  accept?: string;
}

export type ScrapeFailureState = 'down' | 'unauthorized' | 'tls-error' | 'too-large' | 'timeout';

export type ScrapeResult =
  | {
      ok: true;
      status: number;
      /** Decompressed. */
      body: Buffer;
      contentType: string | null;
      durationMs: number;
      /** Bytes of the decompressed body. */
      bytes: number;
    }
  | {
      ok: false;
      state: ScrapeFailureState;
      message: string;
      remedy: string;
      durationMs: number;
      status?: number;
    };

export interface Scraper {
  scrape(req: ScrapeRequest): Promise<ScrapeResult>;
  close(): Promise<void>;
}

type Failure = Extract<ScrapeResult, { ok: false }>;

/** Thrown inside a scrape to end it with a specific failure; never escapes `scrape()`. */
class ScrapeFailure extends Error {
  constructor(
    readonly state: ScrapeFailureState,
    message: string,
    readonly remedy: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function createScraper(opts: { connectionsPerOrigin?: number } = {}): Scraper {
  const connectionsPerOrigin = opts.connectionsPerOrigin ?? 2;
  // One Agent per distinct TLS configuration, so keep-alive sockets are reused across scrapes
  // and a target's client certificate never leaks onto another target's connection.
  const agents = new Map<string, Promise<Agent>>();
  let closed = false;

  function agentFor(tls: ScrapeTls | undefined): Promise<Agent> {
    const key = JSON.stringify([
      tls?.caFile ?? null,
      tls?.certFile ?? null,
      tls?.keyFile ?? null,
      tls?.insecureSkipVerify === true,
    ]);
    let agent = agents.get(key);
    if (!agent) {
      agent = createAgent(tls, connectionsPerOrigin);
      agents.set(key, agent);
      // A missing CA file today may exist tomorrow: do not cache the failure.
      agent.catch(() => agents.delete(key));
    }
    return agent;
  }

  async function scrape(req: ScrapeRequest): Promise<ScrapeResult> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    if (closed) {
      return fail(new ScrapeFailure('down', 'scraper is closed', 'restart the service'), elapsed());
    }
    const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    const progress: Progress = { phase: 'connect', received: 0 };
    try {
      const url = parseUrl(req.url);
      const dispatcher = await agentFor(url.protocol === 'https:' ? req.tls : undefined);
      const response = await request(url, {
        method: 'GET',
        dispatcher,
        signal: deadline.signal,
        headers: buildHeaders(req),
        // Our deadline covers the whole exchange; these only stop undici's own defaults
        // (300 s) from being the effective limit if the signal were ever lost. They sit a
        // second past it: undici ticks timers above 1 s every 499 ms and backdates a new one to
        // the previous tick, so one equal to our deadline could fire up to 499 ms before it,
        // naming the wrong cause (a "Headers Timeout Error" instead of our deadline).
        headersTimeout: req.timeoutMs + UNDICI_TIMEOUT_MARGIN_MS,
        bodyTimeout: req.timeoutMs + UNDICI_TIMEOUT_MARGIN_MS,
      });
      progress.phase = 'body';
      const status = response.statusCode;
      if (status < 200 || status > 299) {
        // Drain nothing: reading a large or slow error page would cost the slot.
        discard(response.body);
        throw statusFailure(status, req.url, response.headers);
      }
      const declared = Number(header(response.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(response.body);
        throw tooLarge(`Content-Length ${declared} bytes exceeds the ${formatBytes(maxBytes)} cap`, maxBytes);
      }
      const encoding = (header(response.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
      const body = await readBody(response.body, encoding, maxBytes, progress);
      return {
        ok: true,
        status,
        body,
        contentType: header(response.headers, 'content-type'),
        durationMs: elapsed(),
        bytes: body.length,
      };
    } catch (error) {
      if (deadline.signal.aborted) {
        return fail(timeoutFailure(req, progress), elapsed());
      }
      return fail(classifyError(error, req), elapsed());
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    closed = true;
    const pending = [...agents.values()];
    agents.clear();
    await Promise.all(
      pending.map(async (agentPromise) => {
        const agent = await agentPromise.catch(() => null);
        // destroy, not close: close waits for in-flight requests, which may be a slow drip.
        await agent?.destroy();
      }),
    );
  }

  return { scrape, close };
}

interface Progress {
  phase: 'connect' | 'body';
  /** Bytes received off the wire so far (compressed when the body is compressed). */
  received: number;
}

async function createAgent(tls: ScrapeTls | undefined, connections: number): Promise<Agent> {
  const [ca, cert, key] = await Promise.all([
    readTlsFile(tls?.caFile, 'CA file'),
    readTlsFile(tls?.certFile, 'client certificate file'),
    readTlsFile(tls?.keyFile, 'client key file'),
  ]);
  const connect = buildConnector({ ca, cert, key, rejectUnauthorized: tls?.insecureSkipVerify !== true });
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    connect: (options, callback) =>
      connect(options, (error, socket) => {
        if (socket) rememberTlsAlerts(socket);
        callback(error as Error, socket as never);
      }),
  });
}

// With TLS 1.3 a server that wants a client certificate completes the handshake and then
// sends an alert; undici sees the socket end and reports only "other side closed". The alert
// arrives as an error on the socket, so remember it by local address for the classifier.
const tlsAlerts = new Map<string, Error>();
const TLS_ALERT_MEMORY_MS = 5_000;

function rememberTlsAlerts(socket: Socket): void {
  const key = `${socket.localAddress}:${socket.localPort}`;
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code?.startsWith('ERR_SSL')) tlsAlerts.set(key, error);
  });
  socket.once('close', () => {
    if (tlsAlerts.has(key)) setTimeout(() => tlsAlerts.delete(key), TLS_ALERT_MEMORY_MS).unref();
  });
}

function socketBytesRead(error: unknown): number | undefined {
  return (error as { socket?: { bytesRead?: number } }).socket?.bytesRead;
}

/** The TLS alert the socket behind an undici SocketError received, if any. */
function tlsAlertFor(error: unknown): Error | undefined {
  const info = (error as { socket?: { localAddress?: string; localPort?: number } }).socket;
  if (!info?.localPort) return undefined;
  return tlsAlerts.get(`${info.localAddress}:${info.localPort}`);
}

async function readTlsFile(path: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!path) return undefined;
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ScrapeFailure(
      'tls-error',
      `cannot read the ${what} ${path} (${code})`,
      `check that ${path} exists and is readable by GPU Pulse`,
    );
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ScrapeFailure('down', `invalid URL ${JSON.stringify(raw)}`, 'enter a URL such as http://node01:9400/metrics');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ScrapeFailure('down', `unsupported URL scheme ${url.protocol} in ${raw}`, 'use an http:// or https:// URL');
  }
  return url;
}

function buildHeaders(req: ScrapeRequest): Record<string, string> {
  const headers: Record<string, string> = {
    ...req.headers,
    accept: req.accept ?? PROMETHEUS_TEXT_ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': 'gpu-pulse',
  };
  const auth = req.auth;
  if (auth?.kind === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  } else if (auth?.kind === 'bearer') {
    headers.authorization = `Bearer ${auth.token}`;
  }
  return headers;
}

type DiscardableBody = AsyncIterable<Buffer> & {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** Closes a body we will not read; its abort error is expected, so it is swallowed here. */
function discard(body: DiscardableBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Reads the body while counting both wire bytes and decompressed bytes against the cap, so
 * neither an endless body nor a gzip bomb can grow memory past `maxBytes`.
 */
async function readBody(
  body: DiscardableBody,
  encoding: string,
  maxBytes: number,
  progress: Progress,
): Promise<Buffer> {
  let inflater: Gunzip | Inflate | null;
  try {
    inflater = createInflater(encoding);
  } catch (error) {
    discard(body);
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      throw tooLarge(
        inflater
          ? `decompressed body exceeded the ${formatBytes(maxBytes)} cap (gzip bomb guard)`
          : `body exceeded the ${formatBytes(maxBytes)} cap`,
        maxBytes,
      );
    }
    chunks.push(chunk);
  };
  try {
    if (!inflater) {
      for await (const chunk of body) {
        progress.received += chunk.length;
        collect(chunk);
      }
    } else {
      await inflateInto(body, inflater, maxBytes, progress, collect);
    }
  } catch (error) {
    discard(body);
    inflater?.destroy();
    throw error;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

// Larger output chunks than zlib's 16 KiB default: fewer events per megabyte inflated.
const INFLATE_CHUNK_BYTES = 64 * 1024;

function createInflater(encoding: string): Gunzip | Inflate | null {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    case 'deflate':
      return createInflate({ chunkSize: INFLATE_CHUNK_BYTES });
    default:
      throw new ScrapeFailure(
        'down',
        `unsupported Content-Encoding "${encoding}"`,
        'configure the exporter (or the proxy in front of it) to send gzip or no compression',
      );
  }
}

/** Feeds compressed chunks through the inflater, taking its output as it is produced. */
async function inflateInto(
  body: AsyncIterable<Buffer>,
  inflater: Gunzip | Inflate,
  maxCompressedBytes: number,
  progress: Progress,
  collect: (chunk: Buffer) => void,
): Promise<void> {
  // Set when the output passes the cap; the inflater is destroyed at once so a bomb stops
  // inflating instead of filling memory.
  let failure: unknown = null;
  inflater.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      collect(chunk);
    } catch (error) {
      failure = error;
      inflater.destroy();
    }
  });
  const settled = new Promise<void>((resolve, reject) => {
    inflater.once('end', resolve);
    inflater.once('close', resolve);
    inflater.once('error', reject);
  });
  // Attach a handler now so an early error is not reported as unhandled.
  settled.catch(() => undefined);
  const check = () => {
    if (failure) throw failure;
  };
  try {
    for await (const chunk of body) {
      progress.received += chunk.length;
      if (progress.received > maxCompressedBytes) {
        throw tooLarge(`body exceeded the ${formatBytes(maxCompressedBytes)} cap`, maxCompressedBytes);
      }
      if (!inflater.write(chunk)) await drainOrClose(inflater);
      check();
    }
    inflater.end();
    await settled;
    check();
  } catch (error) {
    check();
    if (error instanceof ScrapeFailure) throw error;
    if (error instanceof Error && 'errno' in error) {
      throw new ScrapeFailure(
        'down',
        `corrupt compressed body (${error.message})`,
        'check the exporter or proxy; the gzip stream it sent is invalid',
      );
    }
    throw error;
  }
}

function drainOrClose(stream: Gunzip | Inflate): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', fail);
      resolve();
    };
    const fail = (error: Error) => {
      stream.off('drain', done);
      stream.off('close', done);
      reject(error);
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', fail);
  });
}

function statusFailure(status: number, url: string, headers: Headers): ScrapeFailure {
  const reason = STATUS_CODES[status];
  const text = `HTTP ${status}${reason ? ` ${reason}` : ''} from ${url}`;
  if (status === 401) {
    const challenge = header(headers, 'www-authenticate');
    const scheme = challenge?.split(/\s+/)[0];
    return new ScrapeFailure(
      'unauthorized',
      `${text}${scheme ? ` (server asks for ${scheme} authentication)` : ''}`,
      'set the credentials for this target (basic auth or bearer token)',
      status,
    );
  }
  if (status === 403) {
    return new ScrapeFailure(
      'unauthorized',
      text,
      'the credentials were refused: check the user name, password or token and its permissions',
      status,
    );
  }
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    return new ScrapeFailure(
      'down',
      `${text}${location ? ` redirecting to ${location}` : ''}`,
      'set the target URL to the final address; redirects are not followed',
      status,
    );
  }
  if (status === 404) {
    return new ScrapeFailure('down', text, 'check the metrics path (dcgm-exporter serves /metrics)', status);
  }
  return new ScrapeFailure(
    'down',
    text,
    status >= 500
      ? 'the exporter failed to gather metrics; check its logs (dcgm-exporter answers 500 when DCGM is unavailable)'
      : 'check the target URL',
    status,
  );
}

function tooLarge(message: string, maxBytes: number): ScrapeFailure {
  return new ScrapeFailure(
    'too-large',
    message,
    `raise this target's size limit above ${formatBytes(maxBytes)} if the exporter really serves that much, or reduce its metrics`,
  );
}

function timeoutFailure(req: ScrapeRequest, progress: Progress): ScrapeFailure {
  const limit = formatSeconds(req.timeoutMs);
  if (progress.phase === 'body') {
    return new ScrapeFailure(
      'timeout',
      `deadline of ${limit} exceeded while reading the body (got ${progress.received} bytes) from ${req.url}`,
      'the exporter sends its body too slowly: check its load and network, or raise the timeout',
    );
  }
  return new ScrapeFailure(
    'timeout',
    `deadline of ${limit} exceeded waiting for a response from ${req.url}`,
    'check that the host is reachable and the exporter is not overloaded, or raise the timeout',
  );
}

// Node TLS verification error codes (from OpenSSL X509_V_ERR_* names).
const CERT_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** How far past our deadline undici's own timeouts sit (see scrape). */
const UNDICI_TIMEOUT_MARGIN_MS = 1000;

function classifyError(error: unknown, req: ScrapeRequest): ScrapeFailure {
  const url = req.url;
  if (error instanceof ScrapeFailure) return error;
  const cause = rootCause(tlsAlertFor(error) ?? error);
  const code = cause.code ?? '';
  const where = cause.address ? `${cause.address}${cause.port ? `:${cause.port}` : ''}` : hostOf(url);
  if (CERT_VERIFY_CODES.has(code)) {
    return new ScrapeFailure(
      'tls-error',
      `TLS certificate verification failed: ${cause.message} (${code}) at ${hostOf(url)} — set a CA file or, if you accept the risk, skip verification`,
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? "use the host name the certificate was issued for, or fix the certificate's subject alternative names"
        : "set this target's CA file to the certificate authority that signed the exporter's certificate, or (unsafe) skip verification",
    );
  }
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code);
  if (alert) {
    const alertName = alert[1].toLowerCase().replace(/_/g, ' ');
    return req.tls?.certFile
      ? new ScrapeFailure(
          'tls-error',
          `the server rejected the client certificate (TLS alert: ${alertName}) at ${hostOf(url)}`,
          'check that the client certificate is signed by a CA the exporter trusts (its web-config client_ca_file) and has not expired',
        )
      : new ScrapeFailure(
          'tls-error',
          `the server requires a client certificate (TLS alert: ${alertName}) at ${hostOf(url)}`,
          'set the client certificate and key files for this target',
        );
  }
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS')) {
    // OpenSSL messages read "...:SSL routines:<function>:<reason>:<source file>...".
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(cause.message)?.[1] ?? cause.message;
    return new ScrapeFailure(
      'tls-error',
      `TLS error: ${reason}${code ? ` (${code})` : ''} at ${hostOf(url)}`,
      /wrong version number/.test(reason)
        ? 'the exporter does not speak TLS on this port: use an http:// URL (the URL scheme must match the exporter)'
        : 'check that the URL scheme (http/https) matches the exporter and that its TLS settings are compatible',
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new ScrapeFailure(
        'down',
        `connection refused (ECONNREFUSED) at ${where}`,
        'check that dcgm-exporter is running and listening on this port (default 9400)',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ScrapeFailure(
        'down',
        `host name not found (${code}) for ${hostOf(url)}`,
        'check the host name spelling and DNS',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ScrapeFailure('down', `host unreachable (${code}) at ${where}`, 'check the network route and firewall');
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE': {
      // Some TLS servers drop a connection whose client certificate they reject without
      // sending an alert; all we see is a close before any response.
      const silentAfterHandshake = url.startsWith('https:') && req.tls?.certFile && socketBytesRead(error) === 0;
      return new ScrapeFailure(
        'down',
        `connection closed by the server (${code}) at ${hostOf(url)}: ${cause.message}` +
          (silentAfterHandshake ? ' before any response; it may have rejected the client certificate' : ''),
        silentAfterHandshake
          ? 'check that the client certificate is signed by a CA the exporter trusts and has not expired'
          : 'check the exporter logs; if it serves TLS, use an https:// URL',
      );
    }
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      // Should not happen (our deadline comes first), but a timeout is a timeout.
      return new ScrapeFailure(
        'timeout',
        `${cause.message} (${code}) from ${hostOf(url)}`,
        'raise the timeout if the exporter is slow, or check why it does not answer',
      );
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
      return new ScrapeFailure(
        'down',
        `not an HTTP response (${code}) from ${hostOf(url)}`,
        'check the port: another service answers there',
      );
    default:
      return new ScrapeFailure(
        'down',
        `request to ${url} failed: ${cause.message}${code ? ` (${code})` : ''}`,
        'check the target URL and that the exporter is reachable',
      );
  }
}

interface ErrorCause {
  code?: string;
  message: string;
  address?: string;
  port?: number;
}

/** undici wraps socket and TLS errors; the useful code sits on the innermost cause. */
function rootCause(error: unknown): ErrorCause {
  let current = error as (Error & ErrorCause & { cause?: unknown }) | undefined;
  for (let depth = 0; depth < 5 && current?.cause && typeof current.cause === 'object'; depth++) {
    current = current.cause as Error & ErrorCause & { cause?: unknown };
  }
  if (!current || typeof current !== 'object') return { message: String(error) };
  // AggregateError (happy eyeballs tried several addresses): report the first.
  const inner = (current as unknown as { errors?: unknown[] }).errors?.[0];
  if (!current.code && inner && typeof inner === 'object') return inner as ErrorCause;
  return current;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function fail(failure: ScrapeFailure, durationMs: number): Failure {
  const result: Failure = {
    ok: false,
    state: failure.state,
    message: failure.message,
    remedy: failure.remedy,
    durationMs,
  };
  if (failure.status !== undefined) result.status = failure.status;
  return result;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
