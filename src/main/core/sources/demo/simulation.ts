// One simulated host: identity of its GPUs, the workload each runs, and the per-tick sample
// vectors the renderer prints. Gauges are pure functions of the collect tick; the two cumulative
// counters that must integrate a rate (energy from power) keep a small running state so that
// Δenergy/Δt equals the power the exporter showed over that interval.

import { createHash } from 'node:crypto';

import { F, FIELD_COUNT } from './fields';
import { DEFAULT_MODEL, modelSpec, type DemoModelSpec } from './models';
import { hash, hashString, mulberry32, smoothNoise, unit } from './prng';
import {
  activityAt,
  emptyActivity,
  powerFor,
  type Activity,
  type GpuWorkload,
  type WorkloadKind,
} from './workloads';

export interface DemoSimulationOptions {
  gpus?: number;
  hostname?: string;
  seed?: number;
  model?: string;
  /** Values change once per collect tick, like dcgm-exporter's --collect-interval. */
  collectIntervalMs?: number;
  driverVersion?: string;
}

export interface DemoGpu {
  index: number;
  uuid: string;
  pciBusId: string;
  device: string;
  workload: GpuWorkload;
  /** Rendered label set, `{gpu="0",...,DCGM_FI_DRIVER_VERSION="..."}`, built once. */
  labels: string;
}

/** A simulated exporter host: what the renderer and the demo server use of a Simulation. */
export type DemoSimulation = Pick<Simulation, 'hostname' | 'seed' | 'model' | 'driverVersion' | 'collectIntervalMs' | 'gpus' | 'tickAt' | 'sampleAt'>;

export const DEFAULT_DEMO_HOSTNAME = 'demo-node-1';
export const DEFAULT_DEMO_SEED = 1;
export const DEFAULT_DRIVER_VERSION = '570.124.06';
export const DEFAULT_COLLECT_INTERVAL_MS = 1000;
export const MAX_DEMO_GPUS = 64;

// HGX/DGX-style bus numbers for the first eight boards; further ones continue upwards.
const PCI_BUSES = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'];

function pciBusId(index: number): string {
  const bus = index < PCI_BUSES.length ? PCI_BUSES[index] : (0xe0 + index - PCI_BUSES.length).toString(16);
  return `00000000:${bus.toUpperCase().padStart(2, '0')}:00.0`;
}

/** Stable per (seed, hostname, index), distinct across hosts; formatted like NVML's UUIDs. */
function gpuUuid(seed: number, hostname: string, index: number): string {
  const h = createHash('sha256').update(`gpu-pulse-demo\0${seed}\0${hostname}\0${index}`).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The Kubernetes pod holding a GPU, as dcgm-exporter's pod mapping labels it (sorted after the
 * driver label): training and the hot GPU belong to the host's training job, the other busy
 * kinds to their own pods; the idle GPU is held by a forgotten notebook on half the hosts and
 * unallocated on the others, so the Waste view has both to show. Drawn from the host key, not
 * from the random stream, so every other simulated value stays what it was.
 */
function podLabels(kind: WorkloadKind, hostname: string, hostKey: number): string {
  const host = hostname.replace(/[^a-z0-9-]/gi, '').toLowerCase() || 'host';
  const pod = (namespace: string, name: string) => `,container="main",namespace="${namespace}",pod="${name}"`;
  switch (kind) {
    case 'training':
    case 'hot':
      return pod('ml-training', `llm-pretrain-${host}`);
    case 'memory-bound':
      return pod('analytics', `feature-etl-${host}`);
    case 'data-loading':
      return pod('ml-inference', `batch-embed-${host}`);
    case 'fp64':
      return pod('hpc-sim', `cfd-solver-${host}`);
    case 'idle':
      return hostKey % 2 === 0 ? pod('research-notebooks', `jupyter-${host}`) : '';
  }
}

/**
 * Which archetype each GPU runs. Small hosts get the most telling mix first (a training job and
 * the hot GPU); eight GPUs show every archetype; larger hosts fill up with a weighted draw.
 * The order is then shuffled so the hot GPU is not always at the same index.
 */
function assignKinds(count: number, rng: () => number): WorkloadKind[] {
  if (count === 1) return ['training'];
  const priority: WorkloadKind[] = [
    'training', 'hot', 'idle', 'memory-bound', 'data-loading', 'fp64', 'training', 'training',
  ];
  const kinds = priority.slice(0, Math.min(count, priority.length));
  const extra: Array<[WorkloadKind, number]> = [
    ['training', 0.45], ['idle', 0.2], ['memory-bound', 0.12], ['data-loading', 0.13], ['fp64', 0.1],
  ];
  while (kinds.length < count) {
    let r = rng();
    let pick: WorkloadKind = 'training';
    for (const [kind, w] of extra) {
      if (r < w) { pick = kind; break; }
      r -= w;
    }
    kinds.push(pick);
  }
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  return kinds;
}

const FB_SHARE: Record<WorkloadKind, [number, number]> = {
  training: [0.74, 0.93],
  hot: [0.74, 0.93],
  idle: [0, 0],
  'memory-bound': [0.55, 0.8],
  'data-loading': [0.2, 0.35],
  fp64: [0.45, 0.65],
};

/** Largest gap integrated tick by tick; beyond it energy advances by the GPU's mean power. */
const MAX_INTEGRATION_TICKS = 3600;
/** Thermal lag: die temperature follows a weighted mix of recent power. */
const THERMAL_TAPS: Array<[lagMs: number, weight: number]> = [
  [0, 0.4],
  [10_000, 0.3],
  [30_000, 0.2],
  [60_000, 0.1],
];

// The real exporter pastes values in unescaped; escaping keeps odd user-supplied names from
// producing unparsable text (for ordinary names it is a no-op, so output is identical).
function escapeLabel(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

class Simulation {
  readonly hostname: string;
  readonly seed: number;
  readonly model: DemoModelSpec;
  readonly driverVersion: string;
  readonly collectIntervalMs: number;
  readonly gpus: readonly DemoGpu[];

  private readonly pcieReplay: number[];
  private readonly correctableRows: number[];
  private readonly meanPowerW: number[];
  private readonly energyBaseMj: number[];
  private readonly scratch: Activity = emptyActivity();

  private energyTick: number | undefined;
  private readonly energyMj: Float64Array;
  private cachedTick = Number.NaN;
  private cached: Float64Array[] = [];

  constructor(opts: DemoSimulationOptions) {
    const count = opts.gpus ?? 8;
    if (!Number.isInteger(count) || count < 1 || count > MAX_DEMO_GPUS) {
      throw new RangeError(`gpus must be an integer between 1 and ${MAX_DEMO_GPUS}, got ${count}`);
    }
    const interval = opts.collectIntervalMs ?? DEFAULT_COLLECT_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 1) {
      throw new RangeError(`collectIntervalMs must be a positive number, got ${interval}`);
    }
    this.hostname = opts.hostname ?? DEFAULT_DEMO_HOSTNAME;
    this.seed = opts.seed ?? DEFAULT_DEMO_SEED;
    this.model = modelSpec(opts.model ?? DEFAULT_MODEL);
    this.driverVersion = opts.driverVersion ?? DEFAULT_DRIVER_VERSION;
    this.collectIntervalMs = interval;

    // The host name is folded into every random stream so fleet members differ.
    const hostKey = hash(this.seed, hashString(this.hostname));
    const rng = mulberry32(hostKey);
    const kinds = assignKinds(count, rng);
    const fbMax = this.model.fbTotalMiB - this.model.fbReservedMiB;
    // One training job per host: its GPUs checkpoint together.
    const ckptPeriod = 150 + Math.floor(rng() * 150);
    const ckptOffset = Math.floor(rng() * ckptPeriod);

    const gpus: DemoGpu[] = [];
    this.pcieReplay = [];
    this.correctableRows = [];
    for (let i = 0; i < count; i++) {
      const kind = kinds[i];
      const [lo, hi] = FB_SHARE[kind];
      const workload: GpuWorkload = {
        kind,
        key: hash(hostKey, i + 1),
        checkpointPeriodSec: ckptPeriod,
        checkpointOffsetSec: kind === 'data-loading' ? rng() * 8 : ckptOffset,
        checkpointDurationSec: 12,
        fbUsedBaseMiB: Math.round(fbMax * (lo + (hi - lo) * rng())),
        ambientC: 24 + rng() * 6,
      };
      const uuid = gpuUuid(this.seed, this.hostname, i);
      const pci = pciBusId(i);
      const device = `nvidia${i}`;
      // Label order is the exporter's: identity, model, host, then the sorted extra labels.
      const labels =
        `{gpu="${i}",UUID="${uuid}",pci_bus_id="${pci}",device="${device}",` +
        `modelName="${escapeLabel(this.model.name)}",Hostname="${escapeLabel(this.hostname)}",` +
        `DCGM_FI_DRIVER_VERSION="${escapeLabel(this.driverVersion)}"${podLabels(kind, this.hostname, hostKey)}}`;
      gpus.push({ index: i, uuid, pciBusId: pci, device, workload, labels });
      // Static hardware history: a few boards have old PCIe replays or correctable row remaps.
      // They never change at runtime, so they read as history, not as a live fault.
      this.pcieReplay.push(rng() < 0.25 ? 1 + Math.floor(rng() * 40) : 0);
      this.correctableRows.push(rng() < 0.12 ? 1 + Math.floor(rng() * 4) : 0);
    }
    this.gpus = gpus;

    // Mean power over a spread of ticks, for bulk energy over long gaps and the boot offset.
    this.meanPowerW = gpus.map((_, g) => {
      let sum = 0;
      for (let s = 0; s < 48; s++) sum += this.powerAt(g, s * 37);
      return sum / 48;
    });
    this.energyBaseMj = gpus.map((_, g) => {
      const uptimeSec = 86_400 * (2 + 38 * unit(hostKey, 7_000 + g));
      return Math.round(uptimeSec * 1000 * this.meanPowerW[g]);
    });
    this.energyMj = new Float64Array(count);
  }

  /** Collect tick containing `nowMs`. */
  tickAt(nowMs: number): number {
    return Math.floor(nowMs / this.collectIntervalMs);
  }

  private tSec(tick: number): number {
    return (tick * this.collectIntervalMs) / 1000;
  }

  private powerAt(g: number, tick: number): number {
    const gpu = this.gpus[g];
    const a = activityAt(gpu.workload, this.model, tick, this.tSec(tick), this.scratch);
    // A little electrical noise so even an idle board's reading moves every collect.
    const p = powerFor(a, this.model) + (unit(gpu.workload.key, 901, tick) - 0.5) * 3;
    return Math.min(this.model.powerLimitWatts, Math.max(this.model.idleWatts * 0.9, p));
  }

  /** Cumulative energy at the start of `tick`, mJ (W × ms = mJ). */
  private advanceEnergy(tick: number): void {
    const n = this.gpus.length;
    const dt = this.collectIntervalMs;
    if (this.energyTick === undefined) {
      for (let g = 0; g < n; g++) this.energyMj[g] = this.energyBaseMj[g];
      this.energyTick = tick;
      return;
    }
    const from = this.energyTick;
    if (tick === from) return;
    const sign = tick > from ? 1 : -1;
    const steps = Math.abs(tick - from);
    const exact = Math.min(steps, MAX_INTEGRATION_TICKS);
    const bulk = steps - exact;
    // Integrate the ticks between the two points: [from, tick) going forward,
    // [tick, from) going back, so the result does not depend on the path taken.
    const start = sign > 0 ? tick - exact : tick;
    for (let g = 0; g < n; g++) {
      let e = sign * bulk * dt * this.meanPowerW[g];
      for (let j = start; j < start + exact; j++) e += sign * this.powerAt(g, j) * dt;
      this.energyMj[g] += e;
    }
    this.energyTick = tick;
  }

  /** One value vector per GPU (indexed by `F`) for the tick containing `nowMs`. */
  sampleAt(nowMs: number): readonly Float64Array[] {
    const tick = this.tickAt(nowMs);
    if (tick === this.cachedTick) return this.cached;
    this.advanceEnergy(tick);
    const m = this.model;
    const out: Float64Array[] = [];
    for (let g = 0; g < this.gpus.length; g++) {
      const w = this.gpus[g].workload;
      const v = new Float64Array(FIELD_COUNT);

      // Thermal lag first (it evaluates earlier ticks through the shared scratch activity).
      let pSmooth = 0;
      for (const [lagMs, weight] of THERMAL_TAPS) {
        pSmooth += weight * this.powerAt(g, tick - Math.round(lagMs / this.collectIntervalMs));
      }
      const power = this.powerAt(g, tick);
      const a = activityAt(w, m, tick, this.tSec(tick), this.scratch);
      const heat = pSmooth / m.powerLimitWatts;
      const tJit = unit(w.key, 902, tick) - 0.5;

      let gpuTemp: number;
      let memTemp: number;
      if (w.kind === 'hot') {
        // Poor airflow in this slot: the die sits just above the model's warning threshold.
        // HBM stays below it, so the demo shows one clear HOT cause rather than two.
        gpuTemp = m.warnTempC + 1 + Math.round(3 * smoothNoise(w.key, 903, this.tSec(tick), 40) + tJit);
        memTemp = gpuTemp - 9;
      } else {
        gpuTemp = Math.round(w.ambientC + 50 * heat + 1.2 * tJit);
        memTemp = Math.round(w.ambientC + 6 + 58 * heat + 1.2 * (unit(w.key, 904, tick) - 0.5));
      }
      if (!m.hasHbm) memTemp = 0; // GDDR boards report 0 here (as the real L4 capture shows)

      const active = a.gr >= 0.02;
      let smClock = m.smClockIdleMHz;
      if (active) {
        smClock = m.smClockMaxMHz - 15 * Math.floor(4 * unit(w.key, 905, tick));
        if (a.load > 0.85) smClock -= 60; // power-limit boost trim
        if (w.kind === 'hot') smClock -= 15 * (16 + Math.floor(6 * smoothNoise(w.key, 906, this.tSec(tick), 30)));
      }

      v[F.SM_CLOCK] = smClock;
      v[F.MEM_CLOCK] = active ? m.memClockMHz : m.memClockIdleMHz;
      v[F.MEMORY_TEMP] = memTemp;
      v[F.GPU_TEMP] = gpuTemp;
      v[F.POWER_USAGE] = power;
      v[F.TOTAL_ENERGY] = Math.round(this.energyMj[g]);
      v[F.PCIE_REPLAY] = this.pcieReplay[g];
      v[F.GPU_UTIL] = a.gpuUtil;
      v[F.MEM_COPY_UTIL] = a.memCopyUtil;
      v[F.ENC_UTIL] = 0;
      v[F.DEC_UTIL] = a.decUtil;
      v[F.XID_ERRORS] = 0;
      v[F.FB_USED] = a.fbUsedMiB;
      v[F.FB_RESERVED] = m.fbReservedMiB;
      v[F.FB_FREE] = m.fbTotalMiB - m.fbReservedMiB - a.fbUsedMiB;
      v[F.UNCORRECTABLE_REMAPPED_ROWS] = 0;
      v[F.CORRECTABLE_REMAPPED_ROWS] = this.correctableRows[g];
      v[F.ROW_REMAP_FAILURE] = 0;
      v[F.NVLINK_BANDWIDTH_TOTAL] = Math.round((a.nvlinkTx + a.nvlinkRx) / 1e6); // MB/s
      v[F.VGPU_LICENSE_STATUS] = 0;
      v[F.GR_ENGINE_ACTIVE] = a.gr;
      v[F.SM_ACTIVE] = a.sm;
      v[F.SM_OCCUPANCY] = a.occ;
      v[F.PIPE_TENSOR_ACTIVE] = a.tensor;
      v[F.DRAM_ACTIVE] = a.dram;
      v[F.PIPE_FP64_ACTIVE] = a.fp64;
      v[F.PIPE_FP32_ACTIVE] = a.fp32;
      v[F.PIPE_FP16_ACTIVE] = a.fp16;
      v[F.PCIE_TX_BYTES] = Math.round(a.pcieTx);
      v[F.PCIE_RX_BYTES] = Math.round(a.pcieRx);
      v[F.NVLINK_TX_BYTES] = Math.round(a.nvlinkTx);
      v[F.NVLINK_RX_BYTES] = Math.round(a.nvlinkRx);
      out.push(v);
    }
    this.cachedTick = tick;
    this.cached = out;
    return out;
  }
}

export function createDemoSimulation(opts: DemoSimulationOptions = {}): DemoSimulation {
  return new Simulation(opts);
}
