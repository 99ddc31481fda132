// Label aliases (DCGM.md §2): which label names carry identity and attribution, across
// exporter versions (`UUID`/`uuid`, `Hostname`/`hostname`) and behind a Prometheus server
// (`exported_*`, `instance`).
import type { Labels } from '../../../../src/main/core/exposition/types';

export const LABEL_ALIASES = {
  uuid: ['UUID', 'uuid'],
  node: ['Hostname', 'hostname'],
  model: ['modelName'],
  gpuIndex: ['gpu'],
  migInstanceId: ['GPU_I_ID'],
  migProfile: ['GPU_I_PROFILE'],
  // `hpc_job` never clashes with a Prometheus target label, so it has no exported_ form.
  job: ['hpc_job'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Workload attribution labels. Read through a Prometheus server (an `instance` label is
 * present), the plain `pod`/`namespace`/`container` are the exporter's own target labels and
 * the workload's are `exported_*`; scraped directly, the plain names are the workload's.
 */
export const ATTRIBUTION_LABELS = {
  pod: { direct: ['pod', 'pod_name'], viaPrometheus: ['exported_pod'] },
  namespace: { direct: ['namespace', 'pod_namespace'], viaPrometheus: ['exported_namespace'] },
} as const;

/** Labels that mark a series as a non-GPU entity, most specific first. */
export const ENTITY_LABELS = [
  { label: 'nvswitch', kind: 'nvswitch' },
  { label: 'nvlink', kind: 'nvlink' },
  { label: 'cpucore', kind: 'cpu' },
  { label: 'cpu', kind: 'cpu' },
] as const;

/** The Prometheus server's target label: the node of last resort before the source itself. */
export const PROMETHEUS_TARGET_LABEL = 'instance';

/** First non-empty value among the given label names. */
export function firstLabel(labels: Labels, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

export function viaPrometheus(labels: Labels): boolean {
  return labels[PROMETHEUS_TARGET_LABEL] !== undefined;
}

export function attributionValue(labels: Labels, kind: keyof typeof ATTRIBUTION_LABELS): string | undefined {
  const names = ATTRIBUTION_LABELS[kind];
  return viaPrometheus(labels) ? firstLabel(labels, names.viaPrometheus) : firstLabel(labels, names.direct);
}
