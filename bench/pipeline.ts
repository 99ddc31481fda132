// DCGM pipeline bench: CPU time and heap allocation of one `ingest` of an 8-GPU demo scrape,
// for the pipeline in this working tree against the one of an older commit, printed side by
// side from the same run.
//
//   npx tsx bench/pipeline.ts                                  # against HEAD: 200 nodes, 10 warm-up + 20 timed rounds, 2 runs each
//   npx tsx bench/pipeline.ts --against v0.1.0                 # against any commit, tag or branch
//   npx tsx bench/pipeline.ts --nodes 50 --rounds 10 --runs 1  # a quick check
//
// The older pipeline is checked out in a temporary `git worktree` (removed afterwards) and
// loaded from there; the inputs (demo exporter bodies parsed by this tree's parser) are the
// same for both. Before measuring, this process says whether both give deep-equal results on
// a few nodes: they should, unless the pipeline's behaviour was changed on purpose since.
//
// Each implementation is measured in a child process of its own, alternating old/new, and the
// table shows the median over the runs. Loaded side by side in one process, whichever of the
// two was imported second measured about 25% slower even when both were the same code, so
// one process per implementation is the only fair comparison (it is also what the app runs).
//
// Each round is one 5 s scrape interval: node by node, the demo exporter body is rendered and
// parsed (not timed), then ingested through that node's own pipeline (timed), as the service
// does per target; each node's last result is kept until its next scrape, as the service keeps
// the last snapshots. Every scrape gives fresh Family objects, so no cache keyed on object
// identity can carry over between scrapes. No collection is forced: the garbage collector runs
// when allocation (the parser's and the pipeline's) calls for it, as in the app. (A full GC
// forced between rounds made V8 drop and recompile the pipeline's optimized code every round,
// which no real fleet does at that rate.)
//
// Time: CPU time per ingest from process.cpuUsage() (the machine is shared, so wall time counts
// other processes' turns; it is printed too). p50 is the figure to compare; the mean includes
// the collections that land in an ingest, whoever's garbage they collect, and the work of V8's
// background threads (process.cpuUsage() counts all threads).
//
// Allocation: growth of the young generation over one ingest, less what reading it costs; an
// ingest that met a scavenge (the generation shrank) is left out. Median over the timed ingests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { parseExposition } from '../src/main/core/exposition';
import type { Family } from '../src/main/core/exposition/types';
import { createDemoSimulation, renderDemoMetrics, type DemoSimulation } from '../src/main/core/sources/demo';

type ImplName = 'old' | 'new';

const REPO = resolve(__dirname, '..');

interface Pipeline {
  ingest(families: Family[], ctx: { sourceId: string; fallbackNode: string; observedAt: number }): { gpus: unknown[] };
}

const GPUS_PER_NODE = 8;
const INTERVAL_MS = 5_000;
const START_MS = 1_700_000_000_000;
const EQUALITY_NODES = 4;
const EQUALITY_TICKS = 6;

interface Options {
  nodes: number;
  warmup: number;
  rounds: number;
  runs: number;
  /** The commit the working tree is compared with. */
  against: string;
  /** In a child: which implementation, and the tree it is loaded from. */
  impl: ImplName | undefined;
  root: string;
}

interface RunFigures {
  cpuP50: number;
  cpuMean: number;
  cpuP90: number;
  wallP50: number;
  wallMean: number;
  allocBytes: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '20' },
      runs: { type: 'string', default: '2' },
      against: { type: 'string', default: 'HEAD' },
      impl: { type: 'string' },
      root: { type: 'string', default: REPO },
    },
  });
  const impl = values.impl;
  if (impl !== undefined && impl !== 'old' && impl !== 'new') throw new Error(`--impl is old or new, not "${impl}"`);
  return { nodes: Number(values.nodes), warmup: Number(values.warmup), rounds: Number(values.rounds), runs: Number(values.runs), against: values.against!, impl, root: values.root! };
}

/** Loads the pipeline of one tree only, so the other's code cannot disturb its JIT state. */
async function loadPipeline(root: string): Promise<() => Pipeline> {
  return ((await import(join(root, 'src', 'main', 'core', 'dcgm'))) as { createDcgmPipeline: () => Pipeline }).createDcgmPipeline;
}

/** The older commit, checked out beside this tree for the run; `remove` deletes it again. */
function checkoutOlder(rev: string): { root: string; commit: string; remove(): void } {
  const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
  const root = join(mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-')), 'tree');
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', '--quiet', root, commit], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The old tree resolves its packages from this tree's install.
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

function simulations(count: number): DemoSimulation[] {
  return Array.from({ length: count }, (_, i) =>
    createDemoSimulation({ gpus: GPUS_PER_NODE, hostname: `node-${String(i).padStart(4, '0')}`, seed: i + 1 }),
  );
}

function scrape(sim: DemoSimulation, at: number): Family[] {
  const parsed = parseExposition(renderDemoMetrics(sim, at), { mode: 'lenient' });
  if (!parsed.ok) throw new Error(`demo body did not parse: ${parsed.problems[0]?.message}`);
  return parsed.families;
}

function ctxFor(node: number, at: number) {
  return { sourceId: `target-${node}`, fallbackNode: `node-${node}:9400`, observedAt: at };
}

/**
 * Bytes in the young generation. Right after a full GC it is empty, and everything an ingest
 * allocates lands there; the old generation is left out because concurrent sweeping after the
 * GC changes its figure while the ingest runs.
 */
function youngBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') bytes += space.space_used_size;
  }
  return bytes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What one youngBytes() call itself allocates, to take off the allocation of an ingest. */
function youngBytesOverhead(): number {
  const deltas: number[] = [];
  for (let i = 0; i < 101; i++) {
    const before = youngBytes();
    deltas.push(youngBytes() - before);
  }
  return median(deltas.filter((d) => d >= 0));
}

/** Child: measures one implementation and prints its figures as one JSON line. */
async function measure(impl: ImplName, opts: Options): Promise<void> {
  const create = await loadPipeline(opts.root);
  const sims = simulations(opts.nodes);
  const pipelines = sims.map(() => create());
  // The service keeps each target's last snapshots until its next scrape: so does this.
  const latest: unknown[] = [];
  const overhead = youngBytesOverhead();
  const cpuMicros: number[] = [];
  const wallMicros: number[] = [];
  const allocBytes: number[] = [];

  let at = START_MS;
  for (let r = 0; r < opts.warmup + opts.rounds; r++, at += INTERVAL_MS) {
    const timed = r >= opts.warmup;
    for (let n = 0; n < sims.length; n++) {
      const families = scrape(sims[n], at); // not timed: the parser is not the pipeline
      const young0 = youngBytes();
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const result = pipelines[n].ingest(families, ctxFor(n, at));
      const wall = Number(process.hrtime.bigint() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const young1 = youngBytes();
      if (result.gpus.length !== GPUS_PER_NODE) throw new Error(`${impl}: ${result.gpus.length} GPUs, expected ${GPUS_PER_NODE}`);
      latest[n] = result;
      if (!timed) continue;
      cpuMicros.push(cpu.user + cpu.system);
      wallMicros.push(wall);
      // A scavenge during the ingest empties the young generation: that delta says nothing.
      if (young1 >= young0) allocBytes.push(young1 - young0 - overhead);
    }
  }

  const figures: RunFigures = {
    cpuP50: median(cpuMicros),
    cpuMean: mean(cpuMicros),
    cpuP90: percentile(cpuMicros, 0.9),
    wallP50: median(wallMicros),
    wallMean: mean(wallMicros),
    allocBytes: median(allocBytes),
  };
  console.log(JSON.stringify(figures));
}

/** Parent: whether the two give the same results (they should, unless behaviour changed on purpose). */
async function compareResults(oldRoot: string): Promise<string> {
  const [createOld, createNew] = [await loadPipeline(oldRoot), await loadPipeline(REPO)];
  const sims = simulations(EQUALITY_NODES);
  const olds = sims.map(() => createOld());
  const news = sims.map(() => createNew());
  for (let t = 0, at = START_MS; t < EQUALITY_TICKS; t++, at += INTERVAL_MS) {
    sims.forEach((sim, n) => {
      const families = scrape(sim, at);
      const a = olds[n].ingest(families, ctxFor(n, at));
      const b = news[n].ingest(families, ctxFor(n, at));
      if (!isDeepStrictEqual(a, b)) throw new Difference(`results differ on node ${n} at tick ${t} (expected only where the pipeline's behaviour changed on purpose)`);
    });
  }
  return 'identical results';
}

class Difference extends Error {}

function runChild(impl: ImplName, opts: Options): RunFigures {
  const args = [
    ...process.execArgv,
    process.argv[1],
    '--impl',
    impl,
    '--nodes',
    String(opts.nodes),
    '--warmup',
    String(opts.warmup),
    '--rounds',
    String(opts.rounds),
  ];
  args.push('--root', impl === 'old' ? opts.root : REPO);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`the ${impl} run failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunFigures;
}

function report(old: RunFigures[], neu: RunFigures[], opts: Options, older: string): void {
  const rows: [string, keyof RunFigures, string, number][] = [
    ['CPU per ingest, p50', 'cpuP50', 'µs', 1],
    ['CPU per ingest, mean', 'cpuMean', 'µs', 1],
    ['CPU per ingest, p90', 'cpuP90', 'µs', 1],
    ['wall per ingest, p50', 'wallP50', 'µs', 1],
    ['wall per ingest, mean', 'wallMean', 'µs', 1],
    ['allocated per ingest', 'allocBytes', 'KiB', 1024],
  ];
  console.log(
    `DCGM pipeline, one ${GPUS_PER_NODE}-GPU demo scrape per ingest: ${opts.nodes} nodes x ${opts.rounds} rounds ` +
      `after ${opts.warmup} warm-up rounds, median of ${opts.runs} run(s) per implementation; node ${process.version}`,
  );
  console.log(`old: ${older}; new: this working tree`);
  console.log(`${'measure'.padEnd(24)}${'old'.padStart(14)}${'new'.padStart(14)}${'old/new'.padStart(10)}`);
  for (const [label, key, unit, divisor] of rows) {
    const a = median(old.map((f) => f[key])) / divisor;
    const b = median(neu.map((f) => f[key])) / divisor;
    const cell = (x: number) => `${x.toFixed(1)} ${unit}`.padStart(14);
    console.log(`${label.padEnd(24)}${cell(a)}${cell(b)}${`${(a / b).toFixed(2)}x`.padStart(10)}`);
  }
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.impl) return measure(opts.impl, opts);
  const older = checkoutOlder(opts.against);
  try {
    const same = await compareResults(older.root).catch((err: unknown) => {
      if (err instanceof Difference) return err.message;
      throw err;
    });
    const old: RunFigures[] = [];
    const neu: RunFigures[] = [];
    const childOpts = { ...opts, root: older.root };
    for (let run = 0; run < opts.runs; run++) {
      // Alternate which goes first, so a change in the machine's load hits both alike.
      for (const impl of run % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
        const figures = runChild(impl, childOpts);
        (impl === 'old' ? old : neu).push(figures);
        console.error(`run ${run + 1} ${impl}: p50 ${figures.cpuP50.toFixed(1)} µs, mean ${figures.cpuMean.toFixed(1)} µs, ${(figures.allocBytes / 1024).toFixed(1)} KiB`);
      }
    }
    report(old, neu, opts, `${opts.against} (${older.commit}), ${same}`);
  } finally {
    older.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
