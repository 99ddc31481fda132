// Fleet waste and accounting (issue 19): who held GPUs over a window, how much they used them,
// and what the idle ones cost. Shaped exactly as `gpu-pulse report --format json` and
// `GET /api/report` print it. Pure types: the computation is src/main/core/accounting.

export const REPORT_GROUPS = ['namespace', 'pod', 'job', 'node', 'model'] as const;
export type ReportGroupBy = (typeof REPORT_GROUPS)[number];

/** Default threshold (a fraction, like the report's `idleBelow`): real utilization below 5 % is idle. */
export const DEFAULT_IDLE_BELOW = 0.05;

/** How a row's energy was measured: the GPU energy counter, power × time, or both (some GPUs each). */
export type EnergySource = 'counter' | 'power' | 'mixed';

export interface IdleStretch {
  /** The GPU (gpuKey: node/UUID[/mig-N]). */
  gpu: string;
  /** RFC 3339 start of the stretch (clipped to the window). */
  start: string;
  hours: number;
}

export interface WasteRow {
  /** The owner (namespace, namespace/pod, hpc job, node or model); null for the unallocated row. */
  owner: string | null;
  /** Most GPUs (or MIG instances) held at once. */
  gpus: number;
  gpuHours: number;
  idleGpuHours: number;
  unknownGpuHours: number;
  /** 0..1, time-weighted over intervals whose real utilization had every input; null when none had. */
  meanRealUtil: number | null;
  /** Null when no interval had an energy counter or a power reading. */
  energyKWh: number | null;
  energySource: EnergySource | null;
  /** gpuHours × the price per GPU-hour; null when no price was given. */
  cost: number | null;
  longestIdle: IdleStretch | null;
}

export interface WasteReport {
  /** RFC 3339 window (for a whole file: its first and last sample). */
  start: string;
  end: string;
  by: ReportGroupBy;
  idleBelow: number;
  /** Owners, most idle GPU-hours first. */
  rows: WasteRow[];
  /** Time GPUs were held by no owner (the sample had no owner label). */
  unallocated: WasteRow;
}

/** The CSV header, in the order. */
export const WASTE_CSV_COLUMNS = ['owner', 'gpus', 'gpu_hours', 'idle_gpu_hours', 'unknown_gpu_hours', 'mean_real_util', 'energy_kwh', 'cost'] as const;

/** A GPU held by a workload (it has a namespace or pod) and idle, continuously, since `idleSince`. */
export interface HeldIdleGpu {
  key: string;
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstanceId: string | null;
  namespace: string | null;
  pod: string | null;
  /** Unix ms the current idle stretch began (or GPU Pulse first saw it). */
  idleSince: number;
  idleSeconds: number;
}

export interface WasteReportRequest {
  by?: ReportGroupBy;
  /** The window ending now, in ms (default 1 h: the live window). */
  sinceMs?: number;
  /** An explicit window (Unix ms); needs `prometheusTargetId` beyond the live history. */
  startMs?: number;
  endMs?: number;
  idleBelow?: number;
  pricePerGpuHour?: number;
  /** Read raw samples from this Prometheus source instead of the live history. */
  prometheusTargetId?: string;
}

/** Held idle longer than this, a GPU is worth a notification (settable; default 30 min). */
export const DEFAULT_HELD_IDLE_NOTIFY_MS = 30 * 60_000;
