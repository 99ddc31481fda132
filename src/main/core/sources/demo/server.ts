// The demo exporter as a real HTTP server, behaving like dcgm-exporter's Go server: `/metrics`
// (chunked, `text/plain; charset=utf-8` as Go's content sniffing would label it), `/health`
// answering "OK", a tiny landing page on `/`, and Go's 404 text elsewhere.
//
// Bodies are rendered lazily and cached per collect tick, so N scrapes within one tick cost one
// render and an idle exporter costs nothing (no timers) — which is what lets one process host
// a thousand of them.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { renderDemoMetrics } from './render';
import { createDemoSimulation, DEFAULT_DEMO_HOSTNAME, type DemoSimulation } from './simulation';

export interface DemoExporterOptions {
  /** 0 = any free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  gpus?: number;
  hostname?: string;
  seed?: number;
  model?: string;
  collectIntervalMs?: number;
}

export interface DemoExporterHandle {
  /** http://HOST:PORT/metrics */
  url: string;
  port: number;
  hostname: string;
  close(): Promise<void>;
}

export interface DemoFleetOptions {
  instances: number;
  /** Instance i listens on basePort + i; 0 (default) = each takes a free port. */
  basePort?: number;
  gpus?: number;
  /** Hostnames are `${prefix}1` .. `${prefix}N`. Default 'demo-node-'. */
  hostnamePrefix?: string;
  seed?: number;
  model?: string;
  host?: string;
  collectIntervalMs?: number;
}

export interface DemoFleetHandle {
  exporters: Array<{ url: string; port: number; hostname: string }>;
  close(): Promise<void>;
}

const LANDING =
  '<html>\n<head><title>GPU Exporter</title></head>\n<body>\n<h1>GPU Exporter</h1>\n' +
  '<p><a href="./metrics">Metrics</a></p>\n</body>\n</html>\n';

function handler(sim: DemoSimulation) {
  let cachedTick = Number.NaN;
  let cachedBody: Buffer = Buffer.alloc(0);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/metrics') {
      const now = Date.now();
      const tick = sim.tickAt(now);
      if (tick !== cachedTick) {
        cachedBody = Buffer.from(renderDemoMetrics(sim, now), 'utf8');
        cachedTick = tick;
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      // write() then end() makes Node send a chunked body, as Go does for a streamed response.
      if (req.method !== 'HEAD') res.write(cachedBody);
      res.end();
      return;
    }
    if (path === '/health') {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('OK');
      return;
    }
    if (path === '/') {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(LANDING);
      return;
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end('404 page not found\n');
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Scrapers keep connections alive; drop them so close() does not wait for their timeout.
    server.closeAllConnections();
  });
}

function urlFor(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/metrics`;
}

export async function startDemoExporter(opts: DemoExporterOptions = {}): Promise<DemoExporterHandle> {
  const host = opts.host ?? '127.0.0.1';
  const sim = createDemoSimulation({
    gpus: opts.gpus,
    hostname: opts.hostname ?? DEFAULT_DEMO_HOSTNAME,
    seed: opts.seed,
    model: opts.model,
    collectIntervalMs: opts.collectIntervalMs,
  });
  const server = createServer(handler(sim));
  // Go's exporter keeps idle connections open; Node's 5 s default would make every scraper
  // polling at 5 s or slower reconnect on each scrape.
  server.keepAliveTimeout = 120_000;
  const port = await listen(server, opts.port ?? 0, host);
  return { url: urlFor(host, port), port, hostname: sim.hostname, close: () => closeServer(server) };
}

export async function startDemoFleet(opts: DemoFleetOptions): Promise<DemoFleetHandle> {
  const { instances } = opts;
  if (!Number.isInteger(instances) || instances < 1) {
    throw new RangeError(`instances must be a positive integer, got ${instances}`);
  }
  const basePort = opts.basePort ?? 0;
  const prefix = opts.hostnamePrefix ?? 'demo-node-';
  const settled = await Promise.allSettled(
    Array.from({ length: instances }, (_, i) =>
      startDemoExporter({
        port: basePort === 0 ? 0 : basePort + i,
        host: opts.host,
        gpus: opts.gpus,
        hostname: `${prefix}${i + 1}`,
        seed: opts.seed,
        model: opts.model,
        collectIntervalMs: opts.collectIntervalMs,
      }),
    ),
  );
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // All or nothing: a half-started fleet would leak listeners the caller cannot close.
    await Promise.all(started.map((e) => e.close()));
    throw failed.reason;
  }
  return {
    exporters: started.map(({ url, port, hostname }) => ({ url, port, hostname })),
    close: async () => {
      await Promise.all(started.map((e) => e.close()));
    },
  };
}
