// Fleet benchmark (DESIGN.md §6, issue "Fleet engine at the cost floor"): the process users run,
// `gpu-pulse serve --targets-file FILE` built and spawned as a separate process, scraping N
// simulated dcgm-exporters (8 GPUs each) at its default 15 s interval, against Debian's
// Prometheus scraping the same exporters at the same interval, one after the other.
//
//   npm run bench:fleet                                      # 200 and 1,250 targets; exporters refreshing every 30 s, then every 1 s
//   npm run bench:fleet -- --sizes 200 --refresh 30000 --duration 30   # a quick check
//
// Both sides are measured the same way, from outside: CPU (utime + stime) from /proc/PID/stat over
// a fixed window that starts after a warm-up, so every target has been scraped and the JIT has
// settled; RSS from /proc/PID/status at the end of the window. Scrapes are counted by each side's
// own metrics: GPU Pulse's gpu_pulse_scrape_duration_seconds_count, Prometheus' `up` samples. The
// demo exporters run in a third process, whose CPU is counted for neither.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'gpu-pulse.js');
const PROMETHEUS = '/usr/bin/prometheus';
const GPUS_PER_TARGET = 8;
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

interface Options {
  sizes: number[];
  refreshMs: number[];
  intervalS: number;
  warmupS: number;
  durationS: number;
  prometheus: boolean;
}

interface Window {
  scrapes: number;
  failures: number;
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  wallSeconds: number;
  rssBytes: number;
}

interface PulseWindow extends Window {
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  up: number;
  targets: number;
  gpus: number;
  historyBytes: number;
  historyFullBytes: number;
  identicalBodies: number;
}

// ---- processes ----

/** Starts a child and resolves with every `listening on URL` line once `count` have been printed. */
function startListening(command: string, args: string[], count: number, label: string): Promise<{ urls: string[]; child: ChildProcess }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const urls: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${label} exited early (code ${code}): ${stderr}`)));
    lines.on('line', (line) => {
      const match = /listening on (\S+)/.exec(line);
      if (match) urls.push(match[1]);
      if (urls.length === count) resolve({ urls, child });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** utime and stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat). */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLOCK_TICKS_PER_SECOND, system: Number(fields[12]) / CLOCK_TICKS_PER_SECOND };
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Measures `pid` over the window: CPU, wall time, RSS at its end, plus what `count` reads at both ends. */
async function measureWindow<T>(pid: number, durationS: number, count: () => Promise<T>): Promise<{ before: T; after: T; cpu: { user: number; system: number }; wallSeconds: number; rssBytes: number }> {
  const before = await count();
  const cpuBefore = cpuSeconds(pid);
  const startedAt = performance.now();
  await sleep(durationS * 1000);
  const cpuAfter = cpuSeconds(pid);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const rss = rssBytes(pid);
  const after = await count();
  return { before, after, cpu: { user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system }, wallSeconds, rssBytes: rss };
}

// ---- GPU Pulse serve ----

interface PulseCounters {
  scrapes: number;
  failures: number;
  identicalBodies: number;
  lagBuckets: Map<number, number>;
  historyBytes: number;
  historyFullBytes: number;
}

/** The figures the bench needs from serve's own /metrics (text 0.0.4, read with a regex: one line each). */
async function readPulseCounters(base: string): Promise<PulseCounters> {
  const text = await (await fetch(`${base}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })).text();
  const sum = (pattern: RegExp) => {
    let total = 0;
    for (const match of text.matchAll(pattern)) total += Number(match[1]);
    return total;
  };
  const lagBuckets = new Map<number, number>();
  for (const match of text.matchAll(/^gpu_pulse_scrape_start_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
    lagBuckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return {
    scrapes: sum(/^gpu_pulse_scrape_duration_seconds_count\{[^}]*\} (\S+)$/gm),
    failures: sum(/^gpu_pulse_scrape_errors_total\{[^}]*\} (\S+)$/gm),
    identicalBodies: sum(/^gpu_pulse_scrape_identical_bodies_total (\S+)$/gm),
    lagBuckets,
    historyBytes: sum(/^gpu_pulse_history_bytes (\S+)$/gm),
    historyFullBytes: sum(/^gpu_pulse_history_full_bytes (\S+)$/gm),
  };
}

/** histogram_quantile over the window's bucket increments (linear within a bucket, as Prometheus does). */
function bucketQuantile(q: number, before: Map<number, number>, after: Map<number, number>): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  if (bounds.length === 0) return null;
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1];
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i] >= rank) {
      if (bounds[i] === Infinity) return bounds[i - 1] ?? null;
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : counts[i - 1];
      return lower + ((bounds[i] - lower) * (rank - below)) / Math.max(1e-9, counts[i] - below);
    }
  }
  return null;
}

async function benchPulse(urls: string[], opts: Options): Promise<PulseWindow> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-serve-'));
  const targetsFile = join(dir, 'targets.txt');
  writeFileSync(targetsFile, urls.join('\n') + '\n');
  const args = [CLI, 'serve', '--port', '0', '--targets-file', targetsFile, '--config-dir', join(dir, 'config')];
  if (opts.intervalS !== 15) args.push('--interval', String(opts.intervalS));
  const { urls: [base], child } = await startListening(process.execPath, args, 1, 'gpu-pulse serve');
  try {
    await sleep(opts.warmupS * 1000);
    const m = await measureWindow(child.pid!, opts.durationS, () => readPulseCounters(base));
    const targets = (await (await fetch(`${base}/api/targets`)).json()) as Array<{ state: string; gpuCount?: number }>;
    return {
      scrapes: m.after.scrapes - m.before.scrapes,
      failures: m.after.failures - m.before.failures,
      identicalBodies: m.after.identicalBodies - m.before.identicalBodies,
      cpuSeconds: m.cpu.user + m.cpu.system,
      userSeconds: m.cpu.user,
      systemSeconds: m.cpu.system,
      wallSeconds: m.wallSeconds,
      rssBytes: m.rssBytes,
      lagP50Ms: scaleMs(bucketQuantile(0.5, m.before.lagBuckets, m.after.lagBuckets)),
      lagP99Ms: scaleMs(bucketQuantile(0.99, m.before.lagBuckets, m.after.lagBuckets)),
      up: targets.filter((t) => t.state === 'up').length,
      targets: targets.length,
      gpus: targets.reduce((n, t) => n + (t.gpuCount ?? 0), 0),
      historyBytes: m.after.historyBytes,
      historyFullBytes: m.after.historyFullBytes,
    };
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Prometheus ----

async function benchPrometheus(urls: string[], opts: Options): Promise<Window> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${opts.intervalS}s`,
      `  scrape_timeout: ${Math.min(10, opts.intervalS)}s`,
      'scrape_configs:',
      '  - job_name: dcgm',
      '    static_configs:',
      `      - targets: [${urls.map((url) => JSON.stringify(new URL(url).host)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const prometheus = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/-/ready`).catch(() => null))?.ok === true, 30_000);
    await sleep(opts.warmupS * 1000);
    const m = await measureWindow(prometheus.pid!, opts.durationS, async () => Date.now() / 1000);
    // Every scrape, failed or not, writes one `up` sample: count them over the window.
    const range = `${Math.round(m.after - m.before)}s`;
    const scrapes = await promQuery(base, `sum(count_over_time(up[${range}]))`, m.after);
    const failures = await promQuery(base, `sum(count_over_time(up[${range}]) - sum_over_time(up[${range}]))`, m.after);
    return {
      scrapes,
      failures,
      cpuSeconds: m.cpu.user + m.cpu.system,
      userSeconds: m.cpu.user,
      systemSeconds: m.cpu.system,
      wallSeconds: m.wallSeconds,
      rssBytes: m.rssBytes,
    };
  } finally {
    await stop(prometheus);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A scalar PromQL result at `timeSeconds` (0 when the result is empty). */
async function promQuery(base: string, query: string, timeSeconds: number): Promise<number> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${timeSeconds}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

// ---- helpers ----

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

const scaleMs = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
const msText = (seconds: number) => (seconds * 1000).toFixed(2);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const lagText = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(0)} ms`);

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '200,1250' },
      // How often the exporters' values change: 30 s is dcgm-exporter's default, 1 s the worst case.
      refresh: { type: 'string', default: '30000,1000' },
      interval: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '20' },
      duration: { type: 'string', default: '60' },
      'no-prometheus': { type: 'boolean', default: false },
    },
  });
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return n;
  };
  const list = (name: string, raw: string) => raw.split(',').map((s) => Math.floor(positive(name, s)));
  return {
    sizes: list('sizes', values.sizes),
    refreshMs: list('refresh', values.refresh),
    intervalS: positive('interval', values.interval),
    warmupS: positive('warmup', values.warmup),
    durationS: positive('duration', values.duration),
    prometheus: !values['no-prometheus'],
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) throw new Error('build first: npm run build');
  const withPrometheus = opts.prometheus && existsSync(PROMETHEUS);
  if (opts.prometheus && !withPrometheus) console.log(`(${PROMETHEUS} not found: GPU Pulse figures only)`);
  console.log(
    `fleet bench: gpu-pulse serve vs Prometheus, ${opts.sizes.join(', ')} targets × ${GPUS_PER_TARGET} GPUs, ` +
      `${opts.intervalS} s interval, exporters refreshing every ${opts.refreshMs.map((r) => `${r / 1000} s`).join(' / ')}, ` +
      `CPU over ${opts.durationS} s after ${opts.warmupS} s warm-up`,
  );
  const results: Array<Record<string, unknown>> = [];
  for (const refreshMs of opts.refreshMs) {
    for (const size of opts.sizes) {
      const demo = await startListening(process.execPath, [CLI, 'demo-exporter', '--instances', String(size), '--collect-interval', String(refreshMs)], size, 'demo exporters');
      try {
        const pulse = await benchPulse(demo.urls, opts);
        const pulsePerScrape = pulse.cpuSeconds / Math.max(1, pulse.scrapes);
        const label = `${size} targets, refresh ${refreshMs / 1000} s`;
        console.log(
          `\n${label} — serve: ${pulse.scrapes} scrapes (${pulse.failures} failed, ${pulse.identicalBodies} identical bodies), ` +
            `${pulse.cpuSeconds.toFixed(2)} CPU-s = ${msText(pulsePerScrape)} ms/scrape (user ${msText(pulse.userSeconds / Math.max(1, pulse.scrapes))}, ` +
            `system ${msText(pulse.systemSeconds / Math.max(1, pulse.scrapes))}), ${(pulse.cpuSeconds / pulse.wallSeconds).toFixed(2)} cores, ` +
            `start lag p50 ${lagText(pulse.lagP50Ms)} p99 ${lagText(pulse.lagP99Ms)}, ${pulse.up}/${pulse.targets} up, ${pulse.gpus} GPUs, ` +
            `RSS ${mib(pulse.rssBytes)} MiB after ${opts.warmupS + opts.durationS} s`,
        );
        // RSS now, with the history it holds now swapped for what it will hold once every window is full.
        const projectedRss = pulse.rssBytes - pulse.historyBytes + pulse.historyFullBytes;
        console.log(
          `${label} — history: ${mib(pulse.historyBytes)} MiB now, ${mib(pulse.historyFullBytes)} MiB with full windows ` +
            `(${(pulse.gpus > 0 ? pulse.historyFullBytes / pulse.gpus / 1024 : 0).toFixed(0)} KiB/GPU); ` +
            `projected RSS with full windows at ${pulse.gpus} GPUs: ${mib(projectedRss)} MiB`,
        );
        const row: Record<string, unknown> = { targets: size, refreshMs, pulse, pulseCpuMsPerScrape: pulsePerScrape * 1000 };
        if (withPrometheus) {
          const prom = await benchPrometheus(demo.urls, opts);
          const promPerScrape = prom.cpuSeconds / Math.max(1, prom.scrapes);
          console.log(
            `${label} — Prometheus: ${prom.scrapes} scrapes (${prom.failures} failed), ${prom.cpuSeconds.toFixed(2)} CPU-s = ${msText(promPerScrape)} ms/scrape ` +
              `(user ${msText(prom.userSeconds / Math.max(1, prom.scrapes))}, system ${msText(prom.systemSeconds / Math.max(1, prom.scrapes))}), ` +
              `${(prom.cpuSeconds / prom.wallSeconds).toFixed(2)} cores, RSS ${mib(prom.rssBytes)} MiB`,
          );
          console.log(`${label} — CPU per scrape, serve / Prometheus: ${(pulsePerScrape / promPerScrape).toFixed(2)}`);
          Object.assign(row, { prometheus: prom, prometheusCpuMsPerScrape: promPerScrape * 1000, ratio: pulsePerScrape / promPerScrape });
        }
        results.push(row);
      } finally {
        await stop(demo.child);
      }
    }
  }
  console.log(`\n${JSON.stringify(results)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
