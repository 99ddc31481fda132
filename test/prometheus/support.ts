// Real peers for the Prometheus-source tests: the Debian `prometheus` server on loopback with a
// generated config and a temporary TSDB, and a "tap" that sits between Prometheus and a demo
// exporter, scrapes the exporter directly with the product's scraper and records every body it
// passed on (so a test knows exactly what Prometheus ingested, and when).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { DcgmPipeline } from '../../src/main/core/dcgm';
import { createScraper } from '../../src/main/core/sources/http-scrape/scraper';
import type { TargetBatch } from '../../src/main/core/sources/prometheus/source';
import type { GpuSnapshot } from '../../src/shared/gpu';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export function requirePrometheus(): string {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(
      `${PROMETHEUS_BIN} is missing: these tests run the real Prometheus server. Install it with ` +
        '`apt-get install prometheus` (the CI script does).',
    );
  }
  return PROMETHEUS_BIN;
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrometheusHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  dir: string;
  configPath: string;
  /** Rewrites the config and makes the server reload it (SIGHUP). */
  reload(config: object): Promise<void>;
  log(): string;
  close(): Promise<void>;
}

export interface StartPrometheusOptions {
  config: object;
  /** Extra command-line flags, e.g. `--query.max-samples=4`. */
  args?: string[];
  /** Files written next to the config before start (name -> content), e.g. a web config. */
  files?: Record<string, string>;
  /** Authorization header for the readiness probe when the server requires auth. */
  authorization?: string;
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusHandle> {
  const bin = requirePrometheus();
  const dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-prom-'));
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, stringify(opts.config));
  for (const [name, content] of Object.entries(opts.files ?? {})) await writeFile(join(dir, name), content);
  const server = await startLoopbackServer({
    name: 'prometheus',
    bin,
    dir,
    args: (port) => [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(opts.args ?? []).map((a) => a.replace('$DIR', dir)),
    ],
    readyPath: '/-/ready',
    headers: opts.authorization ? { authorization: opts.authorization } : {},
  });
  return {
    ...server,
    pid: server.child.pid!,
    dir,
    configPath,
    reload: async (config) => {
      await writeFile(configPath, stringify(config));
      server.child.kill('SIGHUP');
    },
  };
}

interface LoopbackServer {
  url: string;
  child: ChildProcess;
  log(): string;
  close(): Promise<void>;
}

/**
 * A peer binary on a free loopback port, its output kept for error messages, ready when
 * `readyPath` answers 2xx. The port is free when picked but could be taken before the server
 * binds it: up to three tries. `dir` (a temporary folder) is removed on close or failure.
 */
async function startLoopbackServer(opts: { name: string; bin: string; dir: string; args(port: number, attempt: number): string[]; readyPath: string; headers?: Record<string, string> }): Promise<LoopbackServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(opts.bin, opts.args(port, attempt), { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const append = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(opts.name, child, `${url}${opts.readyPath}`, opts.headers ?? {}, () => log);
    } catch (error) {
      lastError = error;
      await stop(child);
      continue;
    }
    return {
      url,
      child,
      log: () => log,
      close: async () => {
        await stop(child);
        await rm(opts.dir, { recursive: true, force: true });
      },
    };
  }
  await rm(opts.dir, { recursive: true, force: true });
  throw lastError;
}

async function waitReady(name: string, child: ChildProcess, readyUrl: string, headers: Record<string, string>, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited during start-up:\n${log()}`);
    try {
      const res = await fetch(readyUrl, { headers });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become ready within 30 s:\n${log()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface TapRecord {
  /** Date.now() when the request from Prometheus arrived. */
  receivedAt: number;
  /** The exporter's body as scraped directly, after `rewrite`. */
  body: string;
}

export interface TapHandle {
  /** host:port for a Prometheus static config. */
  hostPort: string;
  records: TapRecord[];
  close(): Promise<void>;
}

/**
 * A pass-through in front of `upstream` (an exporter's /metrics URL). Each request is answered
 * with a fresh direct scrape of the exporter; `rewrite` can add labels to the text first (as a
 * dcgm-exporter in Kubernetes mode would).
 */
/**
 * The demo fleet labels its GPUs with pods (`container`, `namespace`, `pod`) as dcgm-exporter's
 * Kubernetes mode does. Behind a Prometheus with static targets those plain labels read as the
 * target's own (see dcgm/labels.ts), so tests that compare a direct scrape with the same data
 * through Prometheus, or lay out their own pods, take them off first.
 */
export function withoutDemoPods(body: string): string {
  return body.replace(/,container="[^"]*",namespace="[^"]*",pod="[^"]*"/g, '');
}

export async function startTap(upstream: string, rewrite?: (body: string) => string): Promise<TapHandle> {
  const scraper = createScraper();
  const records: TapRecord[] = [];
  const server: Server = createServer((_req, res) => {
    const receivedAt = Date.now();
    void scraper.scrape({ url: upstream, timeoutMs: 5_000 }).then((result) => {
      if (!result.ok) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(result.message);
        return;
      }
      const body = rewrite ? rewrite(result.body.toString('utf8')) : result.body.toString('utf8');
      records.push({ receivedAt, body });
      if (records.length > 600) records.shift();
      res.writeHead(200, { 'content-type': result.contentType ?? 'text/plain; charset=utf-8' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    records,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await scraper.close();
    },
  };
}

/** The record of the scrape Prometheus stamped with `timestampMs` (it stamps just before sending). */
export function recordAt(tap: TapHandle, timestampMs: number): TapRecord | undefined {
  let best: TapRecord | undefined;
  for (const r of tap.records) {
    if (!best || Math.abs(r.receivedAt - timestampMs) < Math.abs(best.receivedAt - timestampMs)) best = r;
  }
  // Scrapes are a second apart: anything further than a fraction of that is another scrape.
  return best && Math.abs(best.receivedAt - timestampMs) < 300 ? best : undefined;
}

/** What the service does with a poll or a backfill frame: one ingest per target batch. */
export function ingestBatches(
  pipeline: DcgmPipeline,
  batches: readonly TargetBatch[],
  sourceId = 'prometheus',
): GpuSnapshot[] {
  return batches.flatMap((b) => pipeline.ingest(b.families, { sourceId, fallbackNode: b.fallbackNode, observedAt: b.observedAt }).gpus);
}

export const VICTORIA_METRICS_BIN = '/usr/bin/victoria-metrics';

export interface VictoriaMetricsHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  log(): string;
  close(): Promise<void>;
}

/**
 * Debian's single-node VictoriaMetrics on loopback with a temporary data folder, scraping what
 * `scrapeConfig` (Prometheus scrape_configs YAML) names, with every other flag at its default
 * (in particular -search.latencyOffset=30s).
 */
export async function startVictoriaMetrics(scrapeConfig: object): Promise<VictoriaMetricsHandle> {
  if (!existsSync(VICTORIA_METRICS_BIN)) {
    throw new Error(`${VICTORIA_METRICS_BIN} is missing: install it with \`apt-get install victoria-metrics\` (the CI script does).`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-vm-'));
  const configPath = join(dir, 'scrape.yml');
  await writeFile(configPath, stringify(scrapeConfig));
  const { url, log, close } = await startLoopbackServer({
    name: 'victoria-metrics',
    bin: VICTORIA_METRICS_BIN,
    dir,
    args: (port, attempt) => [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, `data-${attempt}`)}`, `-promscrape.config=${configPath}`],
    readyPath: '/health',
  });
  return { url, log, close };
}
