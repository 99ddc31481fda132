// Fleet benchmark (DESIGN.md §6): GPU Pulse scraping N simulated dcgm-exporters (8 GPUs each)
// at a 5 s interval, with the work the service does per scrape (HTTP, parse, DCGM pipeline,
// history), against Debian's Prometheus scraping the same exporters for the same time.
//
//   npm run bench:fleet                                  # 100, 500, 1000 targets, 60 s each
//   npm run bench:fleet -- --sizes 100 --duration 15     # a quick check
//
// The demo exporters run in a child process so their CPU is not counted; GPU Pulse runs in
// this process and its CPU is read with process.cpuUsage(); Prometheus' from /proc/PID/stat.
// Figures are measured over a window that starts after a warm-up of one interval plus 2 s, so
// every target has been scraped (and the JIT has settled) before counting.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { HISTORY_FIELDS } from '../src/shared/api';
import { createDcgmPipeline, type DcgmPipeline } from '../src/main/core/dcgm';
import { formatFromContentType, parseExposition } from '../src/main/core/exposition';
import { HistoryStore } from '../src/main/core/fleet/history';
import { DEFAULT_COALESCE_MS, ScrapeScheduler } from '../src/main/core/fleet/scheduler';
import { createTargetRunner, type IngestOutcome, type ScrapeSuccess } from '../src/main/core/fleet/scrape-target';
import { createServeSecretStore } from '../src/main/core/fleet/secrets';
import { TargetStateTracker } from '../src/main/core/fleet/target-state';
import { TargetConfigSchema, type TargetConfig } from '../src/main/core/fleet/target-config';
import { createScraper } from '../src/main/core/sources/http-scrape/scraper';
import { startDemoFleet } from '../src/main/core/sources/demo';

const PROMETHEUS = '/usr/bin/prometheus';
const GPUS_PER_TARGET = 8;
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

interface Options {
  sizes: number[];
  durationS: number;
  intervalS: number;
  concurrency: number;
  coalesceMs: number;
  prometheus: boolean;
}

interface SideFigures {
  scrapes: number;
  failures: number;
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  wallSeconds: number;
  rssMaxBytes: number;
}

interface PulseFigures extends SideFigures {
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  gpusPerScrape: number;
  historyBytes: number;
  historyConfiguredBytes: number;
  firstFailure: string | null;
  /** Time inside each synchronous step, per successful scrape (wall time of CPU-bound code). */
  parseMs: number;
  pipelineMs: number;
  historyMs: number;
}

// ---- the demo fleet, in a child process ----

/** Child mode: serve the demo fleet, print one line per exporter, exit when stdin closes. */
async function runDemoChild(instances: number): Promise<void> {
  const fleet = await startDemoFleet({ instances, basePort: 0, gpus: GPUS_PER_TARGET });
  process.stdout.write(fleet.exporters.map((e) => `listening on ${e.url}\n`).join(''));
  process.stdin.resume();
  process.stdin.on('end', () => {
    void fleet.close().then(() => process.exit(0));
  });
}

async function startDemoChild(instances: number): Promise<{ urls: string[]; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--demo-child', String(instances)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const urls: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo fleet exited early (code ${code})`)));
    lines.on('line', (line) => {
      const match = /^listening on (\S+)$/.exec(line);
      if (match) urls.push(match[1]);
      if (urls.length === instances) resolve();
    });
  });
  return { urls, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin?.end();
    setTimeout(() => child.kill('SIGTERM'), 5000).unref();
  });
}

// ---- GPU Pulse ----

async function benchPulse(urls: string[], opts: Options): Promise<PulseFigures> {
  const intervalMs = opts.intervalS * 1000;
  const targets: TargetConfig[] = urls.map((url, i) =>
    TargetConfigSchema.parse({ id: `t${i}`, url, intervalMs, timeoutMs: Math.min(10_000, intervalMs) }),
  );
  const history = new HistoryStore({ fields: [...HISTORY_FIELDS], rawStepMs: intervalMs, maxEntities: urls.length * GPUS_PER_TARGET });
  const pipelines = new Map<string, DcgmPipeline>();
  let gpusSeen = 0;
  let ingested = 0;
  const phaseMs = { parse: 0, pipeline: 0, history: 0 };

  // What the service does with a body (src/main/core/service.ts ingest), minus publishing.
  const ingest = (target: TargetConfig, result: ScrapeSuccess): IngestOutcome => {
    if (result.bytes === 0) return { ok: false, message: 'empty body', remedy: '-', transient: true };
    const t0 = performance.now();
    const parsed = parseExposition(result.body, { format: formatFromContentType(result.contentType), mode: 'lenient' });
    const t1 = performance.now();
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error) return { ok: false, message: `line ${error.line}: ${error.message}`, remedy: '-' };
    let pipeline = pipelines.get(target.id);
    if (!pipeline) pipelines.set(target.id, (pipeline = createDcgmPipeline()));
    const observedAt = Date.now();
    const out = pipeline.ingest(parsed.families, { sourceId: target.id, fallbackNode: new URL(target.url).host, observedAt });
    const t2 = performance.now();
    for (const gpu of out.gpus) {
      const values: Record<string, number | null> = {};
      for (const field of HISTORY_FIELDS) values[field] = field === 'realUtil' ? gpu.realUtil : (gpu.readings[field] ?? null);
      history.push(gpu.key, observedAt, values);
    }
    const t3 = performance.now();
    phaseMs.parse += t1 - t0;
    phaseMs.pipeline += t2 - t1;
    phaseMs.history += t3 - t2;
    gpusSeen += out.gpus.length;
    ingested += 1;
    return { ok: true };
  };

  const scraper = createScraper();
  const tracker = new TargetStateTracker();
  let firstFailure: string | null = null;
  let scrapes = 0;
  let failures = 0;
  let measuring = false;
  const lags: number[] = [];
  const runTarget = createTargetRunner({
    scraper,
    secrets: createServeSecretStore(),
    tracker,
    ingest,
    onScrapeDone: (target, _durationMs, failure) => {
      if (failure) {
        firstFailure ??= `${target.url}: ${tracker.get(target.id)?.lastError}`;
        if (measuring) failures += 1;
      }
      if (measuring) scrapes += 1;
    },
  });
  const scheduler = new ScrapeScheduler<TargetConfig>({
    concurrency: opts.concurrency,
    jitterRatio: 0.1,
    coalesceMs: opts.coalesceMs,
    run: (target, info) => {
      if (measuring) lags.push(info.lagMs);
      return runTarget(target);
    },
  });
  for (const target of targets) {
    tracker.upsert(target.id, target.intervalMs);
    scheduler.upsert(target);
  }
  scheduler.start();
  await sleep(intervalMs + 2000);

  const window = startWindow('self');
  const cpuBefore = process.cpuUsage();
  gpusSeen = 0;
  ingested = 0;
  Object.assign(phaseMs, { parse: 0, pipeline: 0, history: 0 });
  measuring = true;
  await sleep(opts.durationS * 1000);
  measuring = false;
  const cpu = process.cpuUsage(cpuBefore);
  const { wallSeconds, rssMaxBytes } = window.end();

  await scheduler.stop();
  await scraper.close();
  lags.sort((a, b) => a - b);
  const quantile = (q: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)] : 0);
  return {
    scrapes,
    failures,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    userSeconds: cpu.user / 1e6,
    systemSeconds: cpu.system / 1e6,
    wallSeconds,
    rssMaxBytes,
    parseMs: phaseMs.parse / Math.max(1, ingested),
    pipelineMs: phaseMs.pipeline / Math.max(1, ingested),
    historyMs: phaseMs.history / Math.max(1, ingested),
    lagP50Ms: quantile(0.5),
    lagP99Ms: quantile(0.99),
    lagMaxMs: lags.length ? lags[lags.length - 1] : 0,
    gpusPerScrape: ingested ? gpusSeen / ingested : 0,
    historyBytes: history.bytes(),
    historyConfiguredBytes: history.configuredMaxBytes(),
    firstFailure,
  };
}

// ---- Prometheus ----

async function benchPrometheus(urls: string[], opts: Options): Promise<SideFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-prom-'));
  const port = await freePort();
  const hostPorts = urls.map((url) => new URL(url).host);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${opts.intervalS}s`,
      `  scrape_timeout: ${Math.min(10, opts.intervalS)}s`,
      'scrape_configs:',
      '  - job_name: dcgm',
      '    static_configs:',
      `      - targets: [${hostPorts.map((h) => JSON.stringify(h)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/-/ready`).catch(() => null))?.ok === true, 30_000);
    await sleep(opts.intervalS * 1000 + 2000);

    const pid = prometheus.pid!;
    const before = cpuTicks(pid);
    const window = startWindow(pid);
    await sleep(opts.durationS * 1000);
    const after = cpuTicks(pid);
    const endSeconds = Date.now() / 1000;
    const { wallSeconds, rssMaxBytes } = window.end();
    // Every scrape, failed or not, writes one `up` sample: count them over the window.
    const scrapes = await promQuery(base, `sum(count_over_time(up[${opts.durationS}s]))`, endSeconds);
    const failures = await promQuery(base, `sum(count_over_time(up[${opts.durationS}s]) - sum_over_time(up[${opts.durationS}s]))`, endSeconds);
    return {
      scrapes,
      failures,
      cpuSeconds: (after.user + after.system - before.user - before.system) / CLOCK_TICKS_PER_SECOND,
      userSeconds: (after.user - before.user) / CLOCK_TICKS_PER_SECOND,
      systemSeconds: (after.system - before.system) / CLOCK_TICKS_PER_SECOND,
      wallSeconds,
      rssMaxBytes,
    };
  } finally {
    await new Promise<void>((resolve) => {
      if (prometheus.exitCode !== null) return resolve();
      prometheus.once('exit', () => resolve());
      prometheus.kill('SIGTERM');
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** utime and stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** Peak RSS since the last resetPeakRss (VmHWM), without sampling: a sampler timer in this process would be charged to GPU Pulse. */
function peakRssOf(pid: number | 'self'): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+). */
function resetPeakRss(pid: number | 'self'): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** A scalar PromQL result at `timeSeconds` (0 when the result is empty). */
async function promQuery(base: string, query: string, timeSeconds: number): Promise<number> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${timeSeconds}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

// ---- helpers ----

function startWindow(pid: number | 'self') {
  const startedAt = performance.now();
  resetPeakRss(pid);
  return {
    end() {
      return { wallSeconds: (performance.now() - startedAt) / 1000, rssMaxBytes: peakRssOf(pid) };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for Prometheus to be ready');
    await sleep(200);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const ms = (seconds: number) => (seconds * 1000).toFixed(2);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function parseOptions(): Options & { demoChild: number | null } {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,500,1000' },
      duration: { type: 'string', default: '60' },
      interval: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '64' },
      // The scheduler's timer grid; 0 starts each scrape at its own due time.
      coalesce: { type: 'string', default: String(DEFAULT_COALESCE_MS) },
      'no-prometheus': { type: 'boolean', default: false },
      'demo-child': { type: 'string' },
    },
  });
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return n;
  };
  return {
    sizes: values.sizes.split(',').map((s) => Math.floor(positive('sizes', s))),
    durationS: positive('duration', values.duration),
    intervalS: positive('interval', values.interval),
    concurrency: Math.floor(positive('concurrency', values.concurrency)),
    coalesceMs: values.coalesce === '0' ? 0 : positive('coalesce', values.coalesce),
    prometheus: !values['no-prometheus'],
    demoChild: values['demo-child'] ? Math.floor(positive('demo-child', values['demo-child'])) : null,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (opts.demoChild !== null) return runDemoChild(opts.demoChild);
  const withPrometheus = opts.prometheus && existsSync(PROMETHEUS);
  if (opts.prometheus && !withPrometheus) console.log(`(${PROMETHEUS} not found: GPU Pulse figures only)`);
  console.log(
    `fleet bench: ${opts.sizes.join(', ')} targets × ${GPUS_PER_TARGET} GPUs, ${opts.intervalS} s interval, ` +
      `${opts.durationS} s measured each, concurrency ${opts.concurrency}, timer grid ${opts.coalesceMs} ms`,
  );
  const results = [];
  for (const size of opts.sizes) {
    const demo = await startDemoChild(size);
    try {
      const pulse = await benchPulse(demo.urls, opts);
      const pulseCpuPerScrape = pulse.cpuSeconds / Math.max(1, pulse.scrapes);
      console.log(
        `\n${size} targets — GPU Pulse: ${pulse.scrapes} scrapes (${pulse.failures} failed), ` +
          `${ms(pulseCpuPerScrape)} ms CPU/scrape (user ${ms(pulse.userSeconds / Math.max(1, pulse.scrapes))}, ` +
          `system ${ms(pulse.systemSeconds / Math.max(1, pulse.scrapes))}; in parse ${pulse.parseMs.toFixed(2)}, ` +
          `DCGM pipeline ${pulse.pipelineMs.toFixed(2)}, history ${pulse.historyMs.toFixed(2)}), ` +
          `${(pulse.cpuSeconds / pulse.wallSeconds).toFixed(2)} cores, ` +
          `start lag p50 ${pulse.lagP50Ms.toFixed(1)} ms p99 ${pulse.lagP99Ms.toFixed(1)} ms max ${pulse.lagMaxMs.toFixed(1)} ms, ` +
          `RSS max ${mib(pulse.rssMaxBytes)} MiB, ${pulse.gpusPerScrape.toFixed(1)} GPUs/scrape, ` +
          `history ${mib(pulse.historyBytes)} MiB allocated (bounded at ${mib(pulse.historyConfiguredBytes)} MiB)`,
      );
      if (pulse.firstFailure) console.log(`  first failure: ${pulse.firstFailure}`);
      const row: Record<string, unknown> = { targets: size, pulse, pulseCpuMsPerScrape: pulseCpuPerScrape * 1000 };
      if (withPrometheus) {
        const prom = await benchPrometheus(demo.urls, opts);
        const promCpuPerScrape = prom.cpuSeconds / Math.max(1, prom.scrapes);
        console.log(
          `${size} targets — Prometheus: ${prom.scrapes} scrapes (${prom.failures} failed), ` +
            `${ms(promCpuPerScrape)} ms CPU/scrape (user ${ms(prom.userSeconds / Math.max(1, prom.scrapes))}, ` +
            `system ${ms(prom.systemSeconds / Math.max(1, prom.scrapes))}), ` +
            `${(prom.cpuSeconds / prom.wallSeconds).toFixed(2)} cores, RSS max ${mib(prom.rssMaxBytes)} MiB`,
        );
        console.log(`${size} targets — CPU per scrape, GPU Pulse / Prometheus: ${(pulseCpuPerScrape / promCpuPerScrape).toFixed(2)}`);
        Object.assign(row, { prometheus: prom, prometheusCpuMsPerScrape: promCpuPerScrape * 1000, ratio: pulseCpuPerScrape / promCpuPerScrape });
      }
      results.push(row);
    } finally {
      await stopChild(demo.child);
    }
  }
  console.log(`\n${JSON.stringify(results)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
