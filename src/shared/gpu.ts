// What a front end knows about one GPU (or MIG instance) at one moment. Shaped exactly as
// `/api/gpus` and `gpu-pulse snapshot --format json` print it.
import type { CanonicalField, Readings } from './canonical';

export interface MigInstance {
  id: string;
  profile: string | null;
}

export type Bottleneck = 'idle' | 'compute' | 'io' | 'memory' | 'mixed' | 'unknown';

export interface WorkloadClass {
  label: string;
  bottleneck: Bottleneck;
}

export type HealthState = 'OK' | 'WARN' | 'HOT' | 'CRIT';

export interface HealthReason {
  state: HealthState;
  code: string;
  message: string;
}

export interface Health {
  state: HealthState;
  reasons: HealthReason[];
}

export interface Attribution {
  pods: string[];
  namespaces: string[];
  jobs: string[];
}

export interface RealUtilization {
  /** Percent 0-100 over the inputs present, or null when no input is present. */
  value: number | null;
  /** Canonical inputs that were absent: a non-empty list makes `value` a lower bound. */
  missing: string[];
}

export interface GpuSnapshot {
  /** Stable identity: node, UUID and MIG instance (see gpuKey). */
  key: string;
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstance: MigInstance | null;
  model: string | null;
  /** Id of the target or file this reading came from. */
  sourceId: string;
  /** Percent 0-100 or null (kept a plain number for API stability). */
  realUtil: number | null;
  realUtilMissing: string[];
  class: WorkloadClass;
  health: Health;
  attribution: Attribution;
  readings: Readings;
  /**
   * Readings standing in for an absent one, keyed by the field they stand for. `{ grEngineActive:
   * 'gpuUtil' }`: the exporter serves no GR_ENGINE_ACTIVE, so NVML's GPU utilization is the GR
   * input of the score and what GR columns show (marked, never passed off as GR). Absent when
   * nothing stands in.
   */
  substitutes?: Partial<Record<CanonicalField, CanonicalField>>;
  /**
   * Readings that are estimates: `fbTotalBytes` as used + free when the exporter serves no
   * reserved size (older exporters), which undercounts the total by the driver's reservation.
   */
  approximate?: CanonicalField[];
  /** Unix ms of the scrape that produced these readings. */
  observedAt: number;
  /** For a MIG instance, the key of its physical GPU (gpuKey(node, uuid, null)); else absent. */
  parentKey?: string;
  /**
   * DCGM fields this version does not know yet, kept raw (exporter metric name -> value) so a
   * new exporter field is visible instead of silently dropped.
   */
  raw?: Record<string, number>;
  /**
   * 'summary': a row for a GPU the client has not subscribed to (see summarizeGpu): `readings`
   * holds only SUMMARY_READINGS and `raw` is left out. Absent on a full snapshot.
   */
  detail?: 'summary';
}

export interface NodeExtra {
  node: string;
  kind: 'nvlink' | 'nvswitch' | 'cpu' | 'other';
  id: string;
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The readings a fleet card, the summary bar, the filters and the sort use. A live client
 * receives every other GPU with only these, and full snapshots for the GPUs it subscribed to.
 */
export const SUMMARY_READINGS = ['smActive', 'tensorActive', 'dramActive', 'powerWatts', 'powerLimitWatts', 'gpuTempC', 'fbUsedBytes', 'fbTotalBytes'] as const;

/** A GPU as a summary row: the card-sized part of the snapshot (about half its JSON). */
export function summarizeGpu(gpu: GpuSnapshot): GpuSnapshot {
  const readings: Readings = {};
  for (const field of SUMMARY_READINGS) {
    const value = gpu.readings[field];
    if (value !== undefined) readings[field] = value;
  }
  const { raw: _raw, ...rest } = gpu;
  return { ...rest, readings, detail: 'summary' };
}

/** The GR figure a table shows and where it came from: GR itself, or the reading standing in for it. */
export function grReading(gpu: Pick<GpuSnapshot, 'readings' | 'substitutes'>): { value: number | null; from: CanonicalField | null } {
  const from = gpu.substitutes?.grEngineActive ?? null;
  const value = gpu.readings[from ?? 'grEngineActive'];
  return { value: typeof value === 'number' ? value : null, from };
}

/** True when `field` is an estimate on this GPU (see GpuSnapshot.approximate). */
export function isApproximate(gpu: Pick<GpuSnapshot, 'approximate'>, field: CanonicalField): boolean {
  return gpu.approximate?.includes(field) ?? false;
}

/** Identity key of a GPU: unique across nodes and MIG instances. */
export function gpuKey(node: string, uuid: string, migInstanceId: string | null): string {
  return migInstanceId === null ? `${node}/${uuid}` : `${node}/${uuid}/mig-${migInstanceId}`;
}
