// npm run bench:history-memory — bytes per GPU of history with both windows full (the raw hour
// at scrape resolution and the 24 h tier), this tree's layout against an older commit's, from
// the same run, and the projection to 10,000 GPUs.
//
//   npm run bench:history-memory                                  # 200 GPUs, 15 s and 5 s intervals, against main
//   npm run bench:history-memory -- --gpus 500 --against 3d30762  # any commit, tag or branch
//
// Each layout runs in a child process of its own (node --expose-gc), loaded from its own tree
// (the older one checked out in a temporary `git worktree`, removed afterwards). The child builds
// the two stores the service builds per GPU (the chart history and the waste ledger's rings,
// with the options that tree's service gives them), pushes 25 h of readings at the interval for
// every GPU, so both windows are full, and reports:
// - the stores' own count of typed-array bytes (bytes()), and each tier for this tree's layout;
// - what the process really grew by: array buffers plus JS heap after a full GC, less the same
//   before the stores existed (so object headers, maps and ring bookkeeping count too).
// Per GPU is that divided by the GPUs; the projection multiplies by 10,000. It also prints the
// CPU the fill loop took per GPU reading (both stores), to see that the layout did not make
// ingest dearer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO = resolve(__dirname, '..');
const HOUR = 3_600_000;
const FILL_MS = 25 * HOUR;
const START_MS = 1_700_000_000_000;
const PROJECTED_GPUS = 10_000;
const LEDGER_FIELDS = ['realUtil', 'missing', 'energyJoules', 'powerWatts'];

interface StoreLike {
  push(key: string, t: number, values: Record<string, number | null>): boolean;
  bytes(): number;
  tierBytes?(stepMs?: number): { raw: number; downsampled: number };
}
type StoreClass = new (opts: Record<string, unknown>) => StoreLike;

interface ChildFigures {
  gpus: number;
  intervalMs: number;
  chartBytes: number;
  ledgerBytes: number;
  tiers: { chart: { raw: number; downsampled: number }; ledger: { raw: number; downsampled: number } } | null;
  processBytes: number;
  /** CPU per push of one GPU's readings into both stores, µs (the fill loop's process.cpuUsage). */
  pushMicros: number;
}

function options() {
  const { values } = parseArgs({
    options: {
      gpus: { type: 'string', default: '200' },
      intervals: { type: 'string', default: '15,5' },
      against: { type: 'string', default: 'main' },
      impl: { type: 'string' },
      root: { type: 'string', default: REPO },
      interval: { type: 'string', default: '15' },
    },
  });
  return {
    gpus: Number(values.gpus),
    intervals: values.intervals!.split(',').map(Number),
    against: values.against!,
    impl: values.impl,
    root: values.root!,
    intervalMs: Number(values.interval) * 1000,
  };
}

/**
 * The two stores as the service in `root` builds them (its own option helpers where it has
 * them), as a factory: the modules are loaded first, so their code is not counted as history.
 */
async function loadStores(root: string): Promise<() => { chart: StoreLike; ledger: StoreLike }> {
  const { HistoryStore } = (await import(join(root, 'src/main/core/fleet/history.ts'))) as { HistoryStore: StoreClass };
  const { HISTORY_FIELDS } = (await import(join(root, 'src/shared/api.ts'))) as { HISTORY_FIELDS: readonly string[] };
  if (existsSync(join(root, 'src/main/core/fleet/chart-history.ts'))) {
    const { chartHistoryOptions } = (await import(join(root, 'src/main/core/fleet/chart-history.ts'))) as { chartHistoryOptions(): Record<string, unknown> };
    const { ledgerHistoryOptions } = (await import(join(root, 'src/main/core/accounting/live-ledger.ts'))) as { ledgerHistoryOptions(): Record<string, unknown> };
    return () => ({ chart: new HistoryStore(chartHistoryOptions()), ledger: new HistoryStore(ledgerHistoryOptions()) });
  }
  // Before chart-history.ts, FleetIngest and WasteLedger both built { rawWindowMs: 1 h, rawStepMs: 5 s } stores.
  const shape = { rawWindowMs: HOUR, rawStepMs: 5_000 };
  return () => ({ chart: new HistoryStore({ ...shape, fields: [...HISTORY_FIELDS] }), ledger: new HistoryStore({ ...shape, fields: LEDGER_FIELDS }) });
}

async function processBytes(): Promise<number> {
  // Twice, a turn apart: array buffers dropped by the first collection are freed after it.
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Readings in the ranges real GPUs give, different per GPU and step. */
function readings(gpu: number, step: number): { chart: Record<string, number | null>; ledger: Record<string, number | null> } {
  const phase = Math.sin((gpu * 7 + step) / 13);
  const util = 50 + 45 * phase;
  const chart = {
    realUtil: util,
    smActive: util / 100,
    tensorActive: util / 200,
    dramActive: 0.3 + 0.2 * phase,
    grEngineActive: util / 100,
    fp64Active: step % 50 === 0 ? null : 0.01,
    pcieTxBytesPerSec: 2e9 + 1e9 * phase,
    pcieRxBytesPerSec: 3e9 + 1e9 * phase,
    nvlinkTotalBytesPerSec: 5e10 + 2e10 * phase,
    powerWatts: 400 + 250 * phase,
    gpuTempC: 60 + 15 * phase,
    fbUsedBytes: 6e10 + 1e10 * phase,
  };
  const ledger = { realUtil: util, missing: 0, energyJoules: step * 15 * 500, powerWatts: chart.powerWatts };
  return { chart, ledger };
}

async function child(root: string, gpus: number, intervalMs: number): Promise<ChildFigures> {
  const build = await loadStores(root);
  const steps = Math.ceil(FILL_MS / intervalMs);
  const keys = Array.from({ length: gpus }, (_, g) => `node-${Math.floor(g / 8)}/GPU-${g}`);
  // Warm the push path on a throwaway pair, so its compiled code is not counted either.
  const warm = build();
  for (let step = 0; step < 100; step++) warm.chart.push('warm', START_MS + step * intervalMs, readings(0, step).chart);
  const before = await processBytes();
  const { chart, ledger } = build();
  const cpuBefore = process.cpuUsage();
  for (let step = 0; step <= steps; step++) {
    const t = START_MS + step * intervalMs;
    for (let g = 0; g < gpus; g++) {
      const values = readings(g, step);
      chart.push(keys[g], t, values.chart);
      ledger.push(keys[g], t, values.ledger);
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const pushMicros = (cpu.user + cpu.system) / ((steps + 1) * gpus);
  const grown = (await processBytes()) - before;
  const tiers = chart.tierBytes && ledger.tierBytes ? { chart: chart.tierBytes(intervalMs), ledger: ledger.tierBytes(intervalMs) } : null;
  return { gpus, intervalMs, chartBytes: chart.bytes(), ledgerBytes: ledger.bytes(), tiers, processBytes: grown, pushMicros };
}

function runChild(root: string, gpus: number, intervalS: number): ChildFigures {
  const args = ['--expose-gc', '--import', 'tsx', __filename, '--impl', 'child', '--root', root, '--gpus', String(gpus), '--interval', String(intervalS)];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO });
  if (out.status !== 0) throw new Error(`child for ${root} failed (${out.status})`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as ChildFigures;
}

function checkoutOlder(rev: string): { root: string; commit: string; remove(): void } {
  const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
  const root = join(mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-')), 'tree');
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', '--quiet', root, commit], { stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    commit,
    remove() {
      execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', root], { stdio: 'ignore' });
      rmSync(resolve(root, '..'), { recursive: true, force: true });
    },
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function row(label: string, f: ChildFigures): string {
  const stores = (f.chartBytes + f.ledgerBytes) / f.gpus;
  const measured = f.processBytes / f.gpus;
  return [
    label.padEnd(26),
    kib(f.chartBytes / f.gpus).padStart(11),
    kib(f.ledgerBytes / f.gpus).padStart(11),
    kib(stores).padStart(11),
    kib(measured).padStart(11),
    gib(measured * PROJECTED_GPUS).padStart(10),
    `${f.pushMicros.toFixed(2)} µs`.padStart(9),
  ].join(' ');
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.impl === 'child') {
    process.stdout.write(`${JSON.stringify(await child(opts.root, opts.gpus, opts.intervalMs))}\n`);
    return;
  }
  const older = checkoutOlder(opts.against);
  try {
    console.log(`History with both windows full (25 h of pushes), ${opts.gpus} GPUs, this tree vs ${opts.against} (${older.commit}); per GPU, and the process's growth projected to ${PROJECTED_GPUS.toLocaleString('en-US')} GPUs`);
    console.log(`${'layout @ interval'.padEnd(26)} ${'charts'.padStart(11)} ${'ledger'.padStart(11)} ${'both'.padStart(11)} ${'process'.padStart(11)} ${'@10k GPUs'.padStart(10)} ${'push'.padStart(9)}`);
    const tierLines: string[] = [];
    for (const intervalS of opts.intervals) {
      const old = runChild(older.root, opts.gpus, intervalS);
      const neu = runChild(REPO, opts.gpus, intervalS);
      console.log(row(`${older.commit} @ ${intervalS} s`, old));
      console.log(row(`this tree @ ${intervalS} s`, neu));
      if (neu.tiers) {
        const { chart, ledger } = neu.tiers;
        tierLines.push(
          `  @ ${intervalS} s: charts raw ${kib(chart.raw)} + 24 h tier ${kib(chart.downsampled)}; ledger raw ${kib(ledger.raw)} + 24 h tier ${kib(ledger.downsampled)}`,
        );
      }
    }
    if (tierLines.length) console.log(`This tree's tiers per GPU (typed-array bytes):\n${tierLines.join('\n')}`);
    console.log('charts/ledger/both: the stores\' typed-array bytes; process: heap + array buffers grown, after a full GC; push: CPU per GPU reading into both stores (readings built in the loop included).');
  } finally {
    older.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
