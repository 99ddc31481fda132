// Workload archetypes: what each simulated GPU is "doing", as profiling ratios, utilisation
// percentages and bus throughputs at a given collect tick. Every value is a pure function of
// (GPU workload parameters, tick), so any tick can be recomputed (temperature looks back at
// earlier ticks; energy integrates over them) without stored history.
//
// The numbers are chosen so the product's classifier (DCGM.md §6) gives each archetype its
// intended class most of the time: training -> tensor-heavy compute, memory-bound ->
// memory-bound, data loading -> I/O, FP64 -> FP64 / HPC, idle -> idle.

import type { DemoModelSpec } from './models';
import { smoothNoise, unit } from './prng';

export type WorkloadKind = 'training' | 'idle' | 'memory-bound' | 'data-loading' | 'hot' | 'fp64';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'training',
  'idle',
  'memory-bound',
  'data-loading',
  'hot',
  'fp64',
];

export interface GpuWorkload {
  kind: WorkloadKind;
  /** Noise key, unique per GPU. */
  key: number;
  /** Checkpoint schedule; training GPUs of one host share it because they run one job. */
  checkpointPeriodSec: number;
  checkpointOffsetSec: number;
  checkpointDurationSec: number;
  /** Framebuffer the job holds, MiB (wanders slowly around it). */
  fbUsedBaseMiB: number;
  /** Ambient/inlet temperature of this slot, °C. */
  ambientC: number;
}

/** Activity of one GPU at one tick. Ratios 0-1, utilisations in percent, rates in bytes/s. */
export interface Activity {
  gr: number;
  sm: number;
  occ: number;
  tensor: number;
  dram: number;
  fp64: number;
  fp32: number;
  fp16: number;
  gpuUtil: number;
  memCopyUtil: number;
  decUtil: number;
  pcieTx: number;
  pcieRx: number;
  nvlinkTx: number;
  nvlinkRx: number;
  fbUsedMiB: number;
  /** 0-1 electrical load, drives power (and through power, temperature and energy). */
  load: number;
}

export function emptyActivity(): Activity {
  return {
    gr: 0, sm: 0, occ: 0, tensor: 0, dram: 0, fp64: 0, fp32: 0, fp16: 0,
    gpuUtil: 0, memCopyUtil: 0, decUtil: 0,
    pcieTx: 0, pcieRx: 0, nvlinkTx: 0, nvlinkRx: 0, fbUsedMiB: 0, load: 0,
  };
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const clampPct = (x: number): number => Math.round(x < 0 ? 0 : x > 100 ? 100 : x);

// Noise channels; distinct numbers keep the random streams of different fields independent.
enum Ch {
  SmSlow = 1, SmJit, TensorSlow, TensorJit, OccSlow, OccJit, DramSlow, DramJit,
  Fp16, Fp32, Fp64, GrJit, Util, NvSlow, NvJit, PcieRx, PcieTx, Fb, Dec, Batch, PowerJit,
}

/**
 * Fill `out` with the activity of `w` at tick `tick` (time `tSec` = tick × interval).
 * `tick` indexes the per-collect jitter so two collects always differ; `tSec` drives the slow
 * shapes so they look the same whatever the collect interval.
 */
export function activityAt(
  w: GpuWorkload,
  model: DemoModelSpec,
  tick: number,
  tSec: number,
  out: Activity,
): Activity {
  const k = w.key;
  const jit = (ch: Ch): number => unit(k, ch, tick) - 0.5; // [-0.5, 0.5), new every tick
  const slow = (ch: Ch, period: number): number => smoothNoise(k, ch, tSec, period);
  const fbWander = (slow(Ch.Fb, 300) - 0.5) * 1024;
  const nvMax = model.nvlinkMaxBytesPerSec;

  switch (w.kind) {
    case 'idle': {
      out.gr = out.sm = out.occ = out.tensor = out.dram = out.fp64 = out.fp32 = out.fp16 = 0;
      out.gpuUtil = out.memCopyUtil = out.decUtil = 0;
      // An idle board still shows driver/telemetry chatter on PCIe (tens of KB/s).
      out.pcieTx = 20_000 + 100_000 * unit(k, Ch.PcieTx, tick);
      out.pcieRx = 10_000 + 30_000 * unit(k, Ch.PcieRx, tick);
      out.nvlinkTx = out.nvlinkRx = 0;
      out.fbUsedMiB = 0;
      break;
    }
    case 'training':
    case 'hot': {
      // The hot GPU runs the same kind of job flat out: no checkpoint dips to let it cool.
      const phase = (((tSec + w.checkpointOffsetSec) % w.checkpointPeriodSec) + w.checkpointPeriodSec) %
        w.checkpointPeriodSec;
      const inCheckpoint = w.kind === 'training' && phase < w.checkpointDurationSec;
      if (inCheckpoint) {
        // Checkpoint: compute stalls while weights stream to host memory over PCIe.
        out.sm = 0.03 + 0.04 * (jit(Ch.SmJit) + 0.5);
        out.occ = 0.01 + 0.01 * (jit(Ch.OccJit) + 0.5);
        out.tensor = 0.002 * (jit(Ch.TensorJit) + 0.5);
        out.dram = 0.03 + 0.02 * (jit(Ch.DramJit) + 0.5);
        out.fp16 = 0.001;
        out.fp32 = 0.01;
        out.fp64 = 0;
        out.gr = out.sm + 0.05;
        out.gpuUtil = clampPct(12 + 10 * jit(Ch.Util));
        out.pcieTx = (4.5 + 2 * jit(Ch.PcieTx)) * 1e9;
        out.pcieRx = (0.15 + 0.1 * jit(Ch.PcieRx)) * 1e9;
        out.nvlinkTx = nvMax * (0.004 + 0.004 * (jit(Ch.NvJit) + 0.5));
      } else {
        const boost = w.kind === 'hot' ? 0.03 : 0;
        out.sm = clamp01(0.88 + boost + 0.07 * slow(Ch.SmSlow, 45) + 0.04 * jit(Ch.SmJit));
        out.occ = clamp01(0.42 + 0.16 * slow(Ch.OccSlow, 120) + 0.04 * jit(Ch.OccJit));
        out.tensor = clamp01(0.55 + boost + 0.2 * slow(Ch.TensorSlow, 90) + 0.06 * jit(Ch.TensorJit));
        out.dram = clamp01(0.34 + 0.16 * slow(Ch.DramSlow, 75) + 0.05 * jit(Ch.DramJit));
        out.fp16 = clamp01(0.18 + 0.1 * slow(Ch.Fp16, 60) + 0.02 * jit(Ch.Fp16));
        out.fp32 = clamp01(0.05 + 0.05 * slow(Ch.Fp32, 60) + 0.01 * jit(Ch.Fp32));
        out.fp64 = 0;
        out.gr = clamp01(out.sm + 0.04 + 0.02 * jit(Ch.GrJit));
        out.gpuUtil = clampPct(98.5 + 3 * jit(Ch.Util));
        out.pcieTx = (0.08 + 0.12 * slow(Ch.PcieTx, 30) + 0.03 * jit(Ch.PcieTx)) * 1e9;
        out.pcieRx = (0.3 + 0.5 * slow(Ch.PcieRx, 20) + 0.1 * jit(Ch.PcieRx)) * 1e9;
        // Gradient all-reduce keeps NVLink busy: 15-30 % of peak, moving every step.
        out.nvlinkTx = nvMax * (0.15 + 0.15 * slow(Ch.NvSlow, 40) + 0.04 * jit(Ch.NvJit));
      }
      out.nvlinkRx = out.nvlinkTx * (0.97 + 0.06 * (unit(k, Ch.NvJit, tick, 1) ));
      out.decUtil = 0;
      out.fbUsedMiB = w.fbUsedBaseMiB + fbWander;
      break;
    }
    case 'memory-bound': {
      // Bandwidth-limited kernels (embedding lookups, sparse ops): NVML says 100 % busy, the
      // SMs mostly wait on HBM.
      out.dram = clamp01(0.78 + 0.12 * slow(Ch.DramSlow, 60) + 0.04 * jit(Ch.DramJit));
      out.sm = clamp01(0.3 + 0.12 * slow(Ch.SmSlow, 50) + 0.04 * jit(Ch.SmJit));
      out.occ = clamp01(0.12 + 0.06 * slow(Ch.OccSlow, 80) + 0.02 * jit(Ch.OccJit));
      out.tensor = clamp01(0.02 + 0.04 * slow(Ch.TensorSlow, 70) + 0.01 * jit(Ch.TensorJit));
      out.fp16 = clamp01(0.02 + 0.01 * jit(Ch.Fp16));
      out.fp32 = clamp01(0.1 + 0.05 * slow(Ch.Fp32, 40) + 0.02 * jit(Ch.Fp32));
      out.fp64 = 0;
      out.gr = clamp01(0.93 + 0.06 * slow(Ch.GrJit, 30) + 0.02 * jit(Ch.GrJit));
      out.gpuUtil = clampPct(99 + 2 * jit(Ch.Util));
      out.decUtil = 0;
      out.pcieTx = (0.05 + 0.05 * slow(Ch.PcieTx, 30) + 0.02 * jit(Ch.PcieTx)) * 1e9;
      out.pcieRx = (0.1 + 0.1 * slow(Ch.PcieRx, 30) + 0.04 * jit(Ch.PcieRx)) * 1e9;
      out.nvlinkTx = nvMax * (0.005 + 0.01 * slow(Ch.NvSlow, 40) + 0.002 * jit(Ch.NvJit));
      out.nvlinkRx = out.nvlinkTx * 0.9;
      out.fbUsedMiB = w.fbUsedBaseMiB + fbWander;
      break;
    }
    case 'data-loading': {
      // Input pipeline on the GPU: batches arrive over PCIe every few seconds and are decoded
      // on NVDEC; the SMs sit mostly idle waiting for them.
      const batch = 0.5 + 0.5 * Math.sin((2 * Math.PI * tSec) / 8 + w.checkpointOffsetSec);
      out.pcieRx = (0.1 + 0.6 * batch + 0.3 * slow(Ch.PcieRx, 40) + 0.06 * jit(Ch.PcieRx)) *
        Math.min(model.pcieMaxBytesPerSec * 0.45, 24e9);
      if (out.pcieRx < 2e9) out.pcieRx = 2e9 + 1e8 * (jit(Ch.Batch) + 0.5);
      out.pcieTx = (0.4 + 0.6 * slow(Ch.PcieTx, 30) + 0.1 * jit(Ch.PcieTx)) * 1e9;
      out.sm = clamp01(0.08 + 0.1 * batch + 0.04 * jit(Ch.SmJit));
      out.occ = clamp01(0.04 + 0.04 * batch + 0.01 * jit(Ch.OccJit));
      out.tensor = clamp01(0.02 + 0.05 * batch + 0.01 * jit(Ch.TensorJit));
      out.dram = clamp01(0.1 + 0.1 * batch + 0.03 * jit(Ch.DramJit));
      out.fp16 = clamp01(0.01 + 0.02 * batch);
      out.fp32 = clamp01(0.03 + 0.04 * batch + 0.01 * jit(Ch.Fp32));
      out.fp64 = 0;
      out.gr = clamp01(0.3 + 0.2 * batch + 0.04 * jit(Ch.GrJit));
      out.gpuUtil = clampPct(out.gr * 100 + 6 * jit(Ch.Util));
      out.decUtil = clampPct(25 + 20 * slow(Ch.Dec, 30) + 6 * jit(Ch.Dec));
      out.nvlinkTx = nvMax * 0.002 * (jit(Ch.NvJit) + 0.5);
      out.nvlinkRx = out.nvlinkTx;
      out.fbUsedMiB = w.fbUsedBaseMiB + fbWander;
      break;
    }
    case 'fp64': {
      // Double-precision HPC solver: FP64 pipes and SMs busy, tensor cores nearly unused.
      out.sm = clamp01(0.84 + 0.08 * slow(Ch.SmSlow, 60) + 0.03 * jit(Ch.SmJit));
      out.occ = clamp01(0.35 + 0.1 * slow(Ch.OccSlow, 90) + 0.03 * jit(Ch.OccJit));
      out.tensor = clamp01(0.04 + 0.06 * slow(Ch.TensorSlow, 80) + 0.02 * jit(Ch.TensorJit));
      out.fp64 = clamp01(0.55 + 0.2 * slow(Ch.Fp64, 70) + 0.04 * jit(Ch.Fp64));
      out.fp32 = clamp01(0.12 + 0.06 * slow(Ch.Fp32, 50) + 0.02 * jit(Ch.Fp32));
      out.fp16 = 0;
      out.dram = clamp01(0.42 + 0.16 * slow(Ch.DramSlow, 65) + 0.04 * jit(Ch.DramJit));
      out.gr = clamp01(out.sm + 0.06 + 0.02 * jit(Ch.GrJit));
      out.gpuUtil = clampPct(99.5 + 2 * jit(Ch.Util));
      out.decUtil = 0;
      out.pcieTx = (0.05 + 0.1 * slow(Ch.PcieTx, 30) + 0.02 * jit(Ch.PcieTx)) * 1e9;
      out.pcieRx = (0.05 + 0.1 * slow(Ch.PcieRx, 30) + 0.02 * jit(Ch.PcieRx)) * 1e9;
      // Halo exchange between neighbouring GPUs.
      out.nvlinkTx = nvMax * (0.05 + 0.05 * slow(Ch.NvSlow, 40) + 0.01 * jit(Ch.NvJit));
      out.nvlinkRx = out.nvlinkTx * (0.95 + 0.1 * (jit(Ch.NvJit) + 0.5));
      out.fbUsedMiB = w.fbUsedBaseMiB + fbWander;
      break;
    }
  }

  // Copy-engine/memory-controller busy tracks DRAM activity (NVML's "memory utilization").
  out.memCopyUtil = clampPct(out.dram * 92 + 3 * jit(Ch.DramJit));
  if (out.pcieTx < 0) out.pcieTx = 0;
  if (out.pcieRx < 0) out.pcieRx = 0;
  if (out.nvlinkTx < 0) out.nvlinkTx = 0;
  if (out.nvlinkRx < 0) out.nvlinkRx = 0;
  if (nvMax === 0) out.nvlinkTx = out.nvlinkRx = 0;
  const fbMax = model.fbTotalMiB - model.fbReservedMiB;
  out.fbUsedMiB = Math.round(Math.min(fbMax, Math.max(0, out.fbUsedMiB)));

  // Electrical load: SM and tensor activity dominate board power, DRAM traffic is next.
  let load =
    0.15 * out.gr + 0.35 * out.sm + 0.3 * out.tensor + 0.25 * out.dram + 0.2 * out.fp64 +
    0.05 * Math.min(1, (out.pcieRx + out.pcieTx) / model.pcieMaxBytesPerSec);
  if (w.kind === 'hot') load *= 1.12;
  out.load = clamp01(load + 0.01 * jit(Ch.PowerJit));
  return out;
}

/** Board power for an activity, W. */
export function powerFor(a: Activity, model: DemoModelSpec): number {
  return model.idleWatts + (model.powerLimitWatts - model.idleWatts) * a.load;
}
