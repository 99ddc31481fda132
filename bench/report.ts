// Time and requests for a 24 h waste report over 1,000 GPUs scraped every 15 s, read from a
// real Prometheus (the Debian `prometheus` binary) backfilled with promtool, next to the naive
// approach: one query_range per metric family at the scrape step (which, besides, counts a GPU
// twice for 5 minutes whenever its series changes labels). Goal: under 5 s.
//
// The data (125 nodes × 8 GPUs; SM, tensor, DRAM, GR and the energy counter; 30 % of GPUs held
// idle, 10 % unallocated, 10 % change pods at noon) is generated once and kept in
// $TMPDIR/gpu-pulse-bench-report/, about 3 GB of OpenMetrics turned into a ~300 MB TSDB;
// delete it to regenerate. Generating and importing take a few minutes the first time.
//
//   npm run bench:report [-- --gpus 1000 --hours 24]
//
// Measured on the 2-core build machine while other jobs ran (load average ~10): 134 s and 126
// requests (610 MB of JSON) for the report; the baseline's five query_range answers alone took
// 194 s to fetch and parse. The 5 s goal is not met: 28.8 M raw samples is the floor of what
// any exact answer must read, and one 1 h range of one family (240 k samples, 4.7 MB) took
// Prometheus 375 ms to evaluate and encode here, so Prometheus alone needs about 45 s.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { reportFromPrometheus } from '../src/main/core/accounting';
import { startPrometheus, tempDir } from '../test/export/support/peers';

const { values } = parseArgs({ options: { gpus: { type: 'string', default: '1000' }, hours: { type: 'string', default: '24' } } });
const GPUS = Number(values.gpus);
const HOURS = Number(values.hours);
const STEP_S = 15;
const PER_NODE = 8;
const FAMILIES = ['DCGM_FI_PROF_SM_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION'];

interface Meta {
  startS: number;
  endS: number;
  gpus: number;
  hours: number;
}

function kind(g: number): 'busy' | 'idle' | 'free' {
  const r = g % 10;
  return r < 6 ? 'busy' : r < 9 ? 'idle' : 'free';
}

function labelsOf(g: number, t: number, endS: number, startS: number): string {
  const node = `node-${String(Math.floor(g / PER_NODE)).padStart(3, '0')}`;
  const base = `gpu="${g % PER_NODE}",UUID="GPU-${String(g).padStart(8, '0')}",modelName="NVIDIA H100 80GB HBM3",Hostname="${node}"`;
  if (kind(g) === 'free') return base;
  // Every tenth GPU's pod is replaced at mid-window: its series changes labels.
  const restarted = g % 10 === 1 && t >= (startS + endS) / 2;
  return `${base},namespace="team-${g % 7}",pod="job-${g}${restarted ? '-b' : ''}"`;
}

function value(family: string, g: number, i: number, t: number, startS: number): string {
  const k = kind(g);
  if (family === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION') return String(1e9 + Math.round((k === 'busy' ? 350 : 70) * (t - startS) * 1000));
  if (k !== 'busy') return '0';
  return ((40 + ((g * 7 + i) % 50)) / 100).toFixed(2);
}

async function generate(dir: string, meta: Meta): Promise<void> {
  const file = join(dir, 'fleet.om');
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const family of FAMILIES) {
    await write(`# TYPE ${family} gauge\n`);
    for (let g = 0; g < meta.gpus; g++) {
      let chunk = '';
      let labels = '';
      let i = 0;
      for (let t = meta.startS; t <= meta.endS; t += STEP_S, i++) {
        const now = labelsOf(g, t, meta.endS, meta.startS);
        labels = now;
        chunk += `${family}{${labels}} ${value(family, g, i, t, meta.startS)} ${t}\n`;
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'tsdb')], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`promtool exited with ${code}`);
  console.log(`imported with promtool in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await rm(file);
  await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `gpu-pulse-bench-report-${GPUS}x${HOURS}h`);
  let meta: Meta | null = existsSync(join(dir, 'meta.json')) ? (JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta) : null;
  // Prometheus' default retention is 15 days: older data would be deleted at start.
  if (!meta || Date.now() / 1000 - meta.endS > 10 * 86_400) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const endS = Math.floor(Date.now() / 3_600_000) * 3600 - 3600;
    meta = { startS: endS - HOURS * 3600, endS, gpus: GPUS, hours: HOURS };
    console.log(`generating ${GPUS} GPUs × ${HOURS} h at ${STEP_S} s in ${dir} (once) ...`);
    await generate(dir, meta);
  }
  const work = await tempDir('bench-report');
  const prometheus = await startPrometheus({
    dir: work.path,
    config: 'global:\n  scrape_interval: 1m\nscrape_configs: []\n',
    dataDir: join(dir, 'tsdb'),
    extraArgs: ['--query.max-samples=200000000', '--query.timeout=10m'],
  });
  try {
    const window = { startMs: meta.startS * 1000, endMs: meta.endS * 1000 };
    console.log(`\n${meta.hours} h report over ${meta.gpus} GPUs at ${STEP_S} s (${((meta.gpus * FAMILIES.length * (meta.endS - meta.startS)) / STEP_S / 1e6).toFixed(1)} M samples) from ${prometheus.url}`);
    const rows: Array<[string, number, number, string]> = [];
    for (let run = 1; run <= 2; run++) {
      const started = performance.now();
      const { report, fetch } = await reportFromPrometheus({ baseUrl: prometheus.url }, { by: 'namespace', window });
      const ms = performance.now() - started;
      const held = report.rows.reduce((s, r) => s + r.gpuHours, 0) + report.unallocated.gpuHours;
      rows.push([`raw samples, 1 h range vectors (run ${run})`, ms, fetch.requests, `${(fetch.bytes / 1e6).toFixed(0)} MB JSON, ${held.toFixed(0)} GPU-h (${(meta.gpus * meta.hours).toFixed(0)} expected)`]);
    }
    {
      // Baseline: what a dashboard would do, one query_range per family at the scrape step.
      const started = performance.now();
      let bytes = 0;
      let series = 0;
      for (const family of FAMILIES) {
        const qs = new URLSearchParams({ query: family, start: String(meta.startS), end: String(meta.endS), step: String(STEP_S) });
        const res = await fetch(`${prometheus.url}/api/v1/query_range?${qs}`);
        const text = await res.text();
        bytes += text.length;
        series += (JSON.parse(text) as { data: { result: unknown[] } }).data.result.length;
      }
      const ms = performance.now() - started;
      rows.push(['baseline: query_range per family, step 15 s (fetch + JSON.parse only)', ms, FAMILIES.length, `${(bytes / 1e6).toFixed(0)} MB JSON, ${series} series (GPUs whose pod changed appear twice)`]);
    }
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`${'approach'.padEnd(width)}  ${'time'.padStart(8)}  ${'requests'.padStart(8)}  notes`);
    for (const [name, ms, requests, notes] of rows) console.log(`${name.padEnd(width)}  ${(ms / 1000).toFixed(2).padStart(7)}s  ${String(requests).padStart(8)}  ${notes}`);
    console.log('goal: under 5 s for the raw-sample report');
  } finally {
    await prometheus.stop();
    await work.remove();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
