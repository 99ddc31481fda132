// The HTTP(S) server of `gpu-pulse exporter`: `/metrics` with content negotiation, `/health`,
// a landing page, and the web-config file's TLS and basic auth in front of all of them, as
// exporter-toolkit puts them in front of every Prometheus exporter.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { PulseMetrics } from './metrics-registry';
import { clientCertProblem, createBasicAuthChecker, httpsOptions, type WebConfig } from './web-config';

export interface ExporterServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  metrics: PulseMetrics;
  webConfig?: WebConfig | null;
  /** One line for the landing page, e.g. how many targets are up. */
  status?: () => Promise<string> | string;
  log?: (line: string) => void;
}

export interface RunningExporterServer {
  /** Base URL, e.g. http://127.0.0.1:9401 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `host:port` as Prometheus exporters take it (`[::1]:9401`, `:9401` for every interface). */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value.trim());
  if (!m) throw new Error(`--listen must be HOST:PORT (e.g. 127.0.0.1:9401 or [::1]:9401), got "${value}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--listen port must be 0-65535, got ${port}`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function landingPage(status: string): string {
  const escaped = status.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>GPU Pulse exporter</title></head>',
    '<body>',
    '<h1>GPU Pulse exporter</h1>',
    '<p>Real utilization, workload class and health of NVIDIA GPUs, computed from dcgm-exporter metrics.</p>',
    '<ul><li><a href="./metrics">Metrics</a></li><li><a href="./health">Health</a></li></ul>',
    escaped ? `<p>${escaped}</p>` : '',
    '</body></html>',
    '',
  ].join('\n');
}

export async function startExporterServer(opts: ExporterServerOptions): Promise<RunningExporterServer> {
  const webConfig = opts.webConfig ?? null;
  const checkAuth = createBasicAuthChecker(webConfig?.basicAuthUsers ?? {});
  const extraHeaders = webConfig?.headers ?? {};

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
    if (!(await checkAuth(req.headers.authorization))) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Unauthorized\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed\n');
      return;
    }
    if (path === '/metrics') {
      const answer = await opts.metrics.metricsResponse(req.headers.accept, req.headers['accept-encoding']);
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    } else if (path === '/health') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('OK\n');
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(landingPage(opts.status ? await opts.status() : ''));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.(`error serving ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error\n');
    });
  };

  let server: Server;
  if (webConfig?.tls) {
    const tls = webConfig.tls;
    server = createHttpsServer(httpsOptions(tls), listener);
    // Policies Node's handshake cannot express (any certificate, or verify only if given) are
    // decided as soon as the handshake ends: a refused client gets its connection closed, as
    // with a failed handshake in exporter-toolkit.
    server.on('secureConnection', (socket: TLSSocket) => {
      const problem = clientCertProblem(tls, socket);
      if (problem) {
        opts.log?.(`refused TLS client ${socket.remoteAddress}: ${problem}`);
        socket.destroy();
      }
    });
  } else {
    server = createHttpServer(listener);
  }
  server.keepAliveTimeout = 65_000; // longer than Prometheus' idle timeout, so scrapes reuse connections
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const hostForUrl = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${webConfig?.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
