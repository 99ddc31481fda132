// Label aliases (DCGM.md §2): which label names carry identity and attribution, across
// exporter versions (`UUID`/`uuid`, `Hostname`/`hostname`) and behind a Prometheus server
// (`exported_*`, `instance`).
import type { Labels } from '../exposition/types';

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

/** The labels of one series that say which entity it is and who uses it; empty ones absent. */
export class SeriesLabels {
  node: string | undefined = undefined;
  /** The Prometheus server's target label (`instance`): the node of last resort. */
  target: string | undefined = undefined;
  uuid: string | undefined = undefined;
  gpuIndex: string | undefined = undefined;
  migInstanceId: string | undefined = undefined;
  migProfile: string | undefined = undefined;
  model: string | undefined = undefined;
  job: string | undefined = undefined;
  pod: string | undefined = undefined;
  namespace: string | undefined = undefined;
  /** The non-GPU entity the series belongs to (the most specific one), if any. */
  entity: (typeof ENTITY_LABELS)[number] | undefined = undefined;
}

/** A label's value when it is set and not empty: an empty label is an absent label. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

const [NVSWITCH, NVLINK, CPU_CORE, CPU] = ENTITY_LABELS;

/**
 * Reads a series' labels into `out`, which the caller reuses from sample to sample. This runs
 * for every sample of every scrape, so it names each label directly: reading the names from the
 * tables above in a loop made every lookup a keyed load that V8 cannot specialise (one site
 * sees every name), the largest single cost of an ingest, whereas a name per site is an
 * inline-cached load. test/dcgm/labels.test.ts holds this to the tables (every name, in
 * order), so a new alias added there fails until it is read here too.
 */
export function readSeriesLabels(labels: Labels, out: SeriesLabels): SeriesLabels {
  out.node = present(labels.Hostname) ?? present(labels.hostname);
  out.target = present(labels.instance);
  out.uuid = present(labels.UUID) ?? present(labels.uuid);
  out.gpuIndex = present(labels.gpu);
  out.migInstanceId = present(labels.GPU_I_ID);
  out.migProfile = present(labels.GPU_I_PROFILE);
  out.model = present(labels.modelName);
  out.job = present(labels.hpc_job);
  // Any `instance` label, even an empty one, means the series came through a Prometheus server.
  if (labels.instance !== undefined) {
    out.pod = present(labels.exported_pod);
    out.namespace = present(labels.exported_namespace);
  } else {
    out.pod = present(labels.pod) ?? present(labels.pod_name);
    out.namespace = present(labels.namespace) ?? present(labels.pod_namespace);
  }
  if (present(labels.nvswitch) !== undefined) out.entity = NVSWITCH;
  else if (present(labels.nvlink) !== undefined) out.entity = NVLINK;
  else if (present(labels.cpucore) !== undefined) out.entity = CPU_CORE;
  else if (present(labels.cpu) !== undefined) out.entity = CPU;
  else out.entity = undefined;
  return out;
}
