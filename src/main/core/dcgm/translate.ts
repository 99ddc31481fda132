// Translate (DESIGN.md §3): exporter families -> one group of canonical values per GPU entity
// (node, UUID, MIG instance), plus non-GPU entities as node extras. Series a GPU repeats per
// hpc_job, pod or vgpu fold back into one group that lists the jobs and pods.
//
// This runs for every sample of every scrape (256 per 8-GPU exporter; a fleet is 1,000
// exporters every 5 s), so a sample that joins a GPU already seen allocates nothing: its alias
// is looked up once per run of equal names, its labels are read in one pass into a reused
// record (./labels), the GPU is found by UUID without building a key, and its values live in
// arrays indexed by field.
import { CANONICAL_FIELDS, CANONICAL_FIELD_NAMES, type CanonicalField, type Readings } from '../../../shared/canonical';
import type { Attribution, MigInstance, NodeExtra } from '../../../shared/gpu';
import type { Family, Labels, Problem, Sample } from '../exposition/types';
import { ALIAS_RANK, METRIC_ALIASES, TRANSLATED_FIELDS, isDcgmMetricName, type MetricAlias, type TranslatedField } from './aliases';
import { SeriesLabels, readSeriesLabels } from './labels';
import { acceptedValue, rangeFor, type ValueRange } from './ranges';

export interface GpuEntity {
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstance: MigInstance | null;
  model: string | null;
  attribution: Attribution;
  /** Canonical readings and hidden counters, already scaled to canonical units. */
  values: Partial<Record<TranslatedField, number>>;
  /** DCGM families the alias table does not know: exporter name -> value. */
  raw: Record<string, number>;
}

export interface TranslateResult {
  gpus: GpuEntity[];
  extras: NodeExtra[];
  problems: Problem[];
}

/** Position of each translated field in GpuSeries.values and GpuSeries.ranks. */
export const FIELD_INDEX: ReadonlyMap<TranslatedField, number> = new Map(TRANSLATED_FIELDS.map((field, i) => [field, i]));

/** Empty ranks, copied for each new series (a copy is cheaper than filling a new array). */
const NO_RANKS: readonly number[] = new Array<number>(TRANSLATED_FIELDS.length).fill(Infinity);

/**
 * One GPU entity's series as translate collects them. The pipeline reads this directly;
 * GpuEntity is the same thing as plain objects, for translateFamilies.
 */
export class GpuSeries {
  migProfile: string | null = null;
  model: string | null = null;
  /** Created at the first pod, namespace or job: most GPUs have none. */
  pods: Set<string> | null = null;
  namespaces: Set<string> | null = null;
  jobs: Set<string> | null = null;
  /** Scaled value per FIELD_INDEX; meaningful only where `ranks` is finite. */
  values: number[] = new Array<number>(TRANSLATED_FIELDS.length);
  /**
   * Rank of the alias that set each value (lower wins); Infinity where there is no value.
   * Plain arrays, not Float64Arrays: a typed array this size gets a backing store outside the
   * heap, which costs more to allocate than the whole GPU's values do to fill.
   */
  ranks: number[] = NO_RANKS.slice();
  /** Field positions in the order they were first set: readings keep that key order. */
  order: number[] = [];
  raw: Record<string, number> = {};
  hasRaw = false;

  constructor(
    /** Node, target and index as the first series of the GPU gives them. */
    readonly hostname: string | undefined,
    readonly target: string | undefined,
    readonly uuid: string,
    readonly migId: string | null,
    public gpuIndex: number | null,
  ) {}
}

export interface SeriesResult {
  series: GpuSeries[];
  extras: NodeExtra[];
  problems: Problem[];
}

/** An alias with what the per-sample path needs from it worked out once, at load. */
interface ResolvedAlias {
  name: string;
  alias: MetricAlias;
  field: number;
  range: ValueRange;
  rank: number;
  /** For a scale below 1, the divisor that applies it (see scaledValue); 0 otherwise. */
  divisor: number;
}

function resolveAlias(name: string, alias: MetricAlias): ResolvedAlias {
  const unit = alias.field in CANONICAL_FIELDS ? CANONICAL_FIELDS[alias.field as CanonicalField].unit : 'hidden-counter';
  return {
    name,
    alias,
    field: FIELD_INDEX.get(alias.field)!,
    range: rangeFor(unit),
    rank: ALIAS_RANK.get(name) ?? Number.MAX_SAFE_INTEGER,
    divisor: alias.scale < 1 ? Math.round(1 / alias.scale) : 0,
  };
}

const RESOLVED_ALIASES: ReadonlyMap<string, ResolvedAlias> = new Map(
  [...METRIC_ALIASES].map(([name, alias]) => [name, resolveAlias(name, alias)]),
);

function scaledValue(alias: ResolvedAlias, value: number): number {
  // Dividing by 1000 rather than multiplying by 0.001 keeps 223466789 mJ at 223466.789 J
  // instead of 223466.78900000002.
  return alias.divisor !== 0 ? value / alias.divisor : value * alias.alias.scale;
}

function parseIndex(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/** The identity key the grouping used to build for every sample (see SeriesCollector.add). */
function joinedKey(hostKey: string, uuid: string, migId: string | null): string {
  return `${hostKey}\u0000${uuid}\u0000${migId ?? ''}`;
}

function describeEntity(labels: SeriesLabels): string {
  const { uuid, gpuIndex } = labels;
  return [gpuIndex !== undefined ? `GPU ${gpuIndex}` : null, uuid].filter(Boolean).join(' ') || 'an entity without GPU labels';
}

/** One (node, MIG instance) of a UUID, in a chain per UUID: see SeriesCollector.find. */
class IdentityEntry {
  constructor(
    /** The node part of the identity: the host label, else `target:<instance>`, else ''. */
    readonly hostKey: string,
    readonly migId: string | null,
    readonly series: GpuSeries,
    readonly next: IdentityEntry | undefined,
  ) {}
}

/** Accumulates one scrape's samples into GPU series, extras and problems. */
class SeriesCollector {
  private readonly byUuid = new Map<string, IdentityEntry>();
  /** Series whose identity contains NUL, by joined key (see add); created when first needed. */
  private byJoinedKey: Map<string, GpuSeries> | undefined;
  private readonly series: GpuSeries[] = [];
  private readonly extras: NodeExtra[] = [];
  private readonly problems: Problem[] = [];
  /** Messages already reported: the same bad value repeated per pod or job is one problem. */
  private readonly reported = new Set<string>();
  /** The current sample's labels, overwritten sample by sample. */
  private readonly labels = new SeriesLabels();

  constructor(private readonly fallbackNode: string) {}

  addFamily(family: Family): void {
    const samples = family.samples;
    // The samples of a family nearly always share one name: resolve it once per run.
    let name: string | undefined;
    let alias: ResolvedAlias | undefined;
    let isDcgm = false;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      const sampleName = sample.name || family.name;
      if (sampleName !== name) {
        name = sampleName;
        alias = RESOLVED_ALIASES.get(sampleName);
        isDcgm = alias !== undefined || isDcgmMetricName(sampleName);
      }
      if (isDcgm) this.addSample(sampleName, alias, sample); // otherwise another exporter's metric
    }
  }

  finish(): SeriesResult {
    return { series: mergeHostless(this.series), extras: this.extras, problems: this.problems };
  }

  private addSample(name: string, alias: ResolvedAlias | undefined, sample: Sample): void {
    const labels = readSeriesLabels(sample.labels, this.labels);
    if (labels.entity !== undefined || (labels.uuid === undefined && labels.gpuIndex === undefined)) {
      if (!Number.isFinite(sample.value)) return;
      const node = labels.node ?? labels.target ?? this.fallbackNode;
      this.extras.push(makeExtra(labels.entity?.kind ?? 'other', labels.entity?.label, name, sample.labels, sample.value, node));
      return;
    }
    // Without a UUID (a filtered label set, a dmon capture) the index is the best identity.
    const uuid = labels.uuid ?? `index-${labels.gpuIndex}`;
    const hostKey = labels.node ?? (labels.target !== undefined ? `target:${labels.target}` : '');
    const migId = labels.migInstanceId ?? null;
    const gpu = this.find(hostKey, uuid, migId) ?? this.add(hostKey, uuid, migId);
    observeLabels(gpu, labels);
    if (alias === undefined) {
      if (Number.isFinite(sample.value) && !(name in gpu.raw)) {
        gpu.raw[name] = sample.value;
        gpu.hasRaw = true;
      }
      return;
    }
    this.addValue(gpu, alias, sample);
  }

  /**
   * The series of one (node, UUID, MIG instance): by UUID, then along the short chain of the
   * identities that share it. Identity used to be the three joined with NUL into one string
   * key per sample; for parts without NUL that is the same identity, without building a string.
   * This lookup is still about a fifth of an ingest: the parser's label values are slices of
   * the scrape body, and V8 hashes (or compares) a sliced string through a runtime call.
   */
  private find(hostKey: string, uuid: string, migId: string | null): GpuSeries | undefined {
    for (let e = this.byUuid.get(uuid); e !== undefined; e = e.next) {
      if (e.hostKey === hostKey && e.migId === migId) return e.series;
    }
    return undefined;
  }

  /**
   * A new identity: a new series, unless a part contains NUL (no exporter writes one) and its
   * joined key is one an earlier identity had. Two such triples joined to one key and so were
   * one GPU; they stay one. They never meet the others: a key joined from parts without NUL
   * has exactly two.
   */
  private add(hostKey: string, uuid: string, migId: string | null): GpuSeries {
    const joined = hasNul(hostKey) || hasNul(uuid) || (migId !== null && hasNul(migId)) ? joinedKey(hostKey, uuid, migId) : undefined;
    let gpu = joined === undefined ? undefined : this.byJoinedKey?.get(joined);
    if (gpu === undefined) {
      gpu = this.create(uuid, migId);
      if (joined !== undefined) (this.byJoinedKey ??= new Map()).set(joined, gpu);
    }
    this.byUuid.set(uuid, new IdentityEntry(hostKey, migId, gpu, this.byUuid.get(uuid)));
    return gpu;
  }

  /** A series as the sample that first names it says: node, target and index come from it. */
  private create(uuid: string, migId: string | null): GpuSeries {
    const labels = this.labels;
    const gpu = new GpuSeries(labels.node, labels.target, uuid, migId, parseIndex(labels.gpuIndex));
    this.series.push(gpu);
    return gpu;
  }

  private addValue(gpu: GpuSeries, alias: ResolvedAlias, sample: Sample): void {
    const value = acceptedValue(alias.range, scaledValue(alias, sample.value));
    if (value === undefined) {
      this.reportOutOfRange(alias, sample);
      return;
    }
    const field = alias.field;
    // Equal rank means the same series repeated per job or pod: the first one stands.
    if (gpu.ranks[field] <= alias.rank) return;
    if (gpu.ranks[field] === Infinity) gpu.order.push(field);
    gpu.values[field] = value;
    gpu.ranks[field] = alias.rank;
  }

  private reportOutOfRange(alias: ResolvedAlias, sample: Sample): void {
    const message =
      `${alias.name} = ${sample.valueText} on ${describeEntity(this.labels)} is not ${alias.range.describe} ` +
      `(source unit ${alias.alias.sourceUnit}); ignored, the reading stays missing`;
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.problems.push({ line: sample.line, column: 1, code: 'out-of-range', message, severity: 'warning' });
  }
}

/** Model, MIG profile and attribution: the first model and profile seen stand. */
function observeLabels(gpu: GpuSeries, labels: SeriesLabels): void {
  gpu.model ??= labels.model ?? null;
  gpu.migProfile ??= labels.migProfile ?? null;
  if (labels.pod !== undefined) (gpu.pods ??= new Set()).add(labels.pod);
  if (labels.namespace !== undefined) (gpu.namespaces ??= new Set()).add(labels.namespace);
  if (labels.job !== undefined) (gpu.jobs ??= new Set()).add(labels.job);
}

/** Groups the DCGM samples of one scrape by GPU entity: translateFamilies before GpuEntity. */
export function collectSeries(families: Family[], fallbackNode: string): SeriesResult {
  const collector = new SeriesCollector(fallbackNode);
  for (const family of families) collector.addFamily(family);
  return collector.finish();
}

export function translateFamilies(families: Family[], ctx: { fallbackNode: string }): TranslateResult {
  const { series, extras, problems } = collectSeries(families, ctx.fallbackNode);
  return { gpus: series.map((s) => toEntity(s, ctx.fallbackNode)), extras, problems };
}

/**
 * Some exporters put `Hostname` on only some series of a GPU. A group without a hostname is
 * folded into the one group of the same UUID and MIG instance that has one.
 */
function mergeHostless(series: GpuSeries[]): GpuSeries[] {
  // dcgm-exporter writes Hostname on every series: then there is nothing to fold.
  if (series.every((g) => g.hostname !== undefined)) return series;
  const key = (g: GpuSeries) => `${g.uuid}\u0000${g.migId ?? ''}`;
  const hosted = new Map<string, GpuSeries[]>();
  for (const g of series) {
    if (g.hostname === undefined) continue;
    const list = hosted.get(key(g));
    if (list) list.push(g);
    else hosted.set(key(g), [g]);
  }
  const kept: GpuSeries[] = [];
  for (const g of series) {
    const candidates = g.hostname === undefined ? hosted.get(key(g)) : undefined;
    if (candidates?.length === 1) {
      mergeInto(candidates[0], g);
    } else {
      kept.push(g);
    }
  }
  return kept;
}

function mergeInto(into: GpuSeries, from: GpuSeries): void {
  into.model ??= from.model;
  into.migProfile ??= from.migProfile;
  into.gpuIndex ??= from.gpuIndex;
  if (from.pods) for (const p of from.pods) (into.pods ??= new Set()).add(p);
  if (from.namespaces) for (const n of from.namespaces) (into.namespaces ??= new Set()).add(n);
  if (from.jobs) for (const j of from.jobs) (into.jobs ??= new Set()).add(j);
  for (const field of from.order) {
    if (into.ranks[field] === Infinity) into.order.push(field);
    else if (from.ranks[field] >= into.ranks[field]) continue;
    into.values[field] = from.values[field];
    into.ranks[field] = from.ranks[field];
  }
  for (const name of Object.keys(from.raw)) {
    if (!(name in into.raw)) into.raw[name] = from.raw[name];
  }
  into.hasRaw ||= from.hasRaw;
}

export function nodeOf(gpu: GpuSeries, fallbackNode: string): string {
  return gpu.hostname ?? gpu.target ?? fallbackNode;
}

export function migInstanceOf(gpu: GpuSeries): MigInstance | null {
  return gpu.migId === null ? null : { id: gpu.migId, profile: gpu.migProfile };
}

function sorted(set: Set<string> | null): string[] {
  return set === null ? [] : [...set].sort();
}

export function attributionOf(gpu: GpuSeries): Attribution {
  return { pods: sorted(gpu.pods), namespaces: sorted(gpu.namespaces), jobs: sorted(gpu.jobs) };
}

/** A translated value (canonical reading or hidden counter), or undefined when absent. */
export function valueOf(gpu: GpuSeries, field: number): number | undefined {
  return gpu.ranks[field] === Infinity ? undefined : gpu.values[field];
}

/** The canonical readings, in the order their series came (hidden counters left out). */
export function readingsOf(gpu: GpuSeries): Readings {
  const readings: Readings = {};
  const canonical = CANONICAL_FIELD_NAMES;
  for (const field of gpu.order) {
    // TRANSLATED_FIELDS lists the canonical fields first.
    if (field < canonical.length) readings[canonical[field]] = gpu.values[field];
  }
  return readings;
}

function toEntity(gpu: GpuSeries, fallbackNode: string): GpuEntity {
  const values: Partial<Record<TranslatedField, number>> = {};
  for (const field of gpu.order) values[TRANSLATED_FIELDS[field]] = gpu.values[field];
  return {
    node: nodeOf(gpu, fallbackNode),
    uuid: gpu.uuid,
    gpuIndex: gpu.gpuIndex,
    migInstance: migInstanceOf(gpu),
    model: gpu.model,
    attribution: attributionOf(gpu),
    values,
    raw: gpu.raw,
  };
}

function makeExtra(
  kind: NodeExtra['kind'],
  entityLabel: string | undefined,
  metric: string,
  labels: Labels,
  value: number,
  node: string,
): NodeExtra {
  let id = entityLabel ? labels[entityLabel] : metric;
  // A link belongs to a GPU: name it by its GPU so links of different GPUs stay apart.
  const owner = labels.gpu_uuid || labels.UUID || labels.uuid || labels.gpu;
  if (kind === 'nvlink' && owner) id = `${owner}/nvlink${id}`;
  return { node, kind, id, metric, labels: { ...labels }, value };
}
