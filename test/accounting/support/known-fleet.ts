// A recording with known busy, idle, unknown and unallocated periods, written by the product's
// own RecordingWriter (what `gpu-pulse record` writes), and the figures a report over it must
// give, worked out by hand below.
//
// Two hours at 15 s (samples at 0, 15, ..., 7200 s after `startMs`), two nodes:
//   node-a (no scrape between 4800 s and 5400 s: a 600 s gap, more than 5 minutes, is no data)
//     GPU-a0  ns train/pod trainer-0, busy (62.5 %), 300 W; energy counter reset at 3600 s
//     GPU-a1  ns notebook/pod nb-alice, idle (1 %), 60 W
//   node-b
//     GPU-b0  unallocated until 3600 s, then ns notebook/pod nb-bob; idle, 60 W
//     GPU-b1  ns train/pod trainer-1, busy until 1800 s then held idle; 300 W / 60 W; no
//             energy counter (power × time)
//     GPU-b2  ns infer/pod server-0, only GPU_UTIL (3 %: a lower bound below 5 %, unknown); 70 W
// Busy: SM 0.8, tensor 0.5, DRAM 0.4, GR 0.9 -> 0.35·80 + 0.35·50 + 0.2·40 + 0.1·90 = 62.5 %.
// Idle: every input 0.01 -> 1 %.
import { join } from 'node:path';
import { RecordingWriter } from '../../../src/main/core/export/recording-writer';
import { parseExposition } from '../../../src/main/core/exposition';

export const STEP_S = 15;
export const SPAN_S = 7200;

interface Plan {
  node: 'node-a' | 'node-b';
  uuid: string;
  index: number;
  owner(t: number): { ns: string; pod: string } | null;
  busy(t: number): boolean;
  counter: boolean;
  resetAt?: number;
  onlyGpuUtil?: boolean;
  idlePower?: number;
}

export const PLANS: Plan[] = [
  { node: 'node-a', uuid: 'GPU-a0', index: 0, owner: () => ({ ns: 'train', pod: 'trainer-0' }), busy: () => true, counter: true, resetAt: 3600 },
  { node: 'node-a', uuid: 'GPU-a1', index: 1, owner: () => ({ ns: 'notebook', pod: 'nb-alice' }), busy: () => false, counter: true },
  { node: 'node-b', uuid: 'GPU-b0', index: 0, owner: (t) => (t < 3600 ? null : { ns: 'notebook', pod: 'nb-bob' }), busy: () => false, counter: true },
  { node: 'node-b', uuid: 'GPU-b1', index: 1, owner: () => ({ ns: 'train', pod: 'trainer-1' }), busy: (t) => t < 1800, counter: false },
  { node: 'node-b', uuid: 'GPU-b2', index: 2, owner: () => ({ ns: 'infer', pod: 'server-0' }), busy: () => false, counter: true, onlyGpuUtil: true, idlePower: 70 },
];

const powerOf = (p: Plan, t: number) => (p.busy(t) ? 300 : (p.idlePower ?? 60));

/** mJ: the integral of the power so far, each 15 s carrying the power at its start. */
function energyMj(p: Plan, t: number): number {
  let joules = 0;
  const from = p.resetAt !== undefined && t >= p.resetAt ? p.resetAt - STEP_S : 0;
  for (let s = from; s < t; s += STEP_S) joules += powerOf(p, s) * STEP_S;
  // A counter since boot starts high; after the reset it restarts from (nearly) 0.
  return (from === 0 ? 5e9 : 0) + joules * 1000;
}

export function scrapeText(node: Plan['node'], t: number): string {
  const lines: string[] = [];
  for (const p of PLANS.filter((x) => x.node === node)) {
    const owner = p.owner(t);
    const labels =
      `gpu="${p.index}",UUID="${p.uuid}",device="nvidia${p.index}",modelName="NVIDIA H100 80GB HBM3",Hostname="${node}"` +
      (owner ? `,container="main",namespace="${owner.ns}",pod="${owner.pod}"` : '');
    const busy = p.busy(t);
    if (p.onlyGpuUtil) {
      lines.push(`DCGM_FI_DEV_GPU_UTIL{${labels}} 3`);
    } else {
      lines.push(`DCGM_FI_PROF_SM_ACTIVE{${labels}} ${busy ? 0.8 : 0.01}`);
      lines.push(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{${labels}} ${busy ? 0.5 : 0.01}`);
      lines.push(`DCGM_FI_PROF_DRAM_ACTIVE{${labels}} ${busy ? 0.4 : 0.01}`);
      lines.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels}} ${busy ? 0.9 : 0.01}`);
    }
    lines.push(`DCGM_FI_DEV_POWER_USAGE{${labels}} ${powerOf(p, t)}`);
    lines.push(`DCGM_FI_DEV_GPU_TEMP{${labels}} 40`);
    if (p.counter) lines.push(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels}} ${energyMj(p, t)}`);
  }
  return lines.join('\n') + '\n';
}

export function scraped(node: Plan['node'], t: number): boolean {
  return !(node === 'node-a' && t > 4800 && t < 5400);
}

/** Writes the recording to `dir`/known-fleet.om(.gz); returns its path. */
export async function writeKnownFleet(dir: string, startMs: number, opts: { gzip?: boolean } = {}): Promise<string> {
  const out = join(dir, opts.gzip ? 'known-fleet.om.gz' : 'known-fleet.om');
  const writer = await RecordingWriter.create(out);
  for (let t = 0; t <= SPAN_S; t += STEP_S) {
    for (const node of ['node-a', 'node-b'] as const) {
      if (!scraped(node, t)) continue;
      const families = parseExposition(scrapeText(node, t), { format: 'prometheus', mode: 'lenient' }).families;
      await writer.append({ source: `${node}:9400`, timestampMs: startMs + t * 1000, families });
    }
  }
  await writer.close();
  return out;
}

const h = (s: number) => s / 3600;

/** The rows by namespace, worked out by hand (see the header). */
export const EXPECTED = {
  notebook: {
    // a1 0..7200 minus the 600 s gap = 6600 s, b0 3600..7200 = 3600 s; all idle at 1 %, 60 W.
    gpus: 2,
    gpuHours: h(10_200),
    idleGpuHours: h(10_200),
    unknownGpuHours: 0,
    meanRealUtil: 0.01,
    energyKWh: (60 * 10_200) / 3.6e6,
    energySource: 'counter',
    // a1 from 0 to the gap at 4800 s.
    longestIdle: { gpu: 'node-a/GPU-a1', startS: 0, hours: h(4800) },
  },
  train: {
    // a0 6600 s busy (300 W, counter with a reset); b1 1800 s busy (300 W) + 5400 s idle (60 W), power only.
    gpus: 2,
    gpuHours: h(6600 + 7200),
    idleGpuHours: h(5400),
    unknownGpuHours: 0,
    meanRealUtil: (0.625 * (6600 + 1800) + 0.01 * 5400) / 13_800,
    energyKWh: (300 * 6600 + 300 * 1800 + 60 * 5400) / 3.6e6,
    energySource: 'mixed',
    longestIdle: { gpu: 'node-b/GPU-b1', startS: 1800, hours: h(5400) },
  },
  infer: {
    gpus: 1,
    gpuHours: h(7200),
    idleGpuHours: 0,
    unknownGpuHours: h(7200),
    meanRealUtil: null,
    energyKWh: (70 * 7200) / 3.6e6,
    energySource: 'counter',
    longestIdle: null,
  },
  unallocated: {
    gpus: 1,
    gpuHours: h(3600),
    idleGpuHours: h(3600),
    unknownGpuHours: 0,
    meanRealUtil: 0.01,
    energyKWh: (60 * 3600) / 3.6e6,
    energySource: 'counter',
    longestIdle: { gpu: 'node-b/GPU-b0', startS: 0, hours: h(3600) },
  },
} as const;
