// Translate (DESIGN.md §3): exporter families -> one group of canonical values per GPU entity
// (node, UUID, MIG instance), plus non-GPU entities as node extras. Series a GPU repeats per
// hpc_job, pod or vgpu fold back into one group that lists the jobs and pods.
import { CANONICAL_FIELDS } from '../../../../src/shared/canonical';
import type { Attribution, MigInstance, NodeExtra } from '../../../../src/shared/gpu';
import type { Family, Labels, Problem, Sample } from '../../../../src/main/core/exposition/types';
import { ALIAS_RANK, METRIC_ALIASES, isDcgmMetricName, type MetricAlias, type TranslatedField } from './aliases';
import {
  ENTITY_LABELS,
  LABEL_ALIASES,
  PROMETHEUS_TARGET_LABEL,
  attributionValue,
  firstLabel,
} from './labels';
import { checkRange } from './ranges';

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

interface Group {
  hostname: string | undefined;
  target: string | undefined;
  uuid: string;
  migId: string | null;
  migProfile: string | null;
  gpuIndex: number | null;
  model: string | null;
  pods: Set<string>;
  namespaces: Set<string>;
  jobs: Set<string>;
  values: Map<TranslatedField, { value: number; rank: number }>;
  raw: Record<string, number>;
}

function groupKey(parts: (string | null | undefined)[]): string {
  return parts.map((p) => p ?? '').join('\u0000');
}

function parseIndex(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

function extraKind(labels: Labels): (typeof ENTITY_LABELS)[number] | undefined {
  return ENTITY_LABELS.find((e) => labels[e.label] !== undefined && labels[e.label] !== '');
}

function describeEntity(labels: Labels): string {
  const uuid = firstLabel(labels, LABEL_ALIASES.uuid);
  const index = firstLabel(labels, LABEL_ALIASES.gpuIndex);
  return [index !== undefined ? `GPU ${index}` : null, uuid].filter(Boolean).join(' ') || 'an entity without GPU labels';
}

export function translateFamilies(families: Family[], ctx: { fallbackNode: string }): TranslateResult {
  const groups = new Map<string, Group>();
  const extras: NodeExtra[] = [];
  const problems: Problem[] = [];
  const reported = new Set<string>();

  const report = (sample: Sample, code: string, message: string) => {
    const key = `${code}\u0000${message}`;
    if (reported.has(key)) return; // the same bad value repeated per pod or job
    reported.add(key);
    problems.push({ line: sample.line, column: 1, code, message, severity: 'warning' });
  };

  for (const family of families) {
    for (const sample of family.samples) {
      const name = sample.name || family.name;
      const alias = METRIC_ALIASES.get(name);
      if (!alias && !isDcgmMetricName(name)) continue; // another exporter's metric
      const labels = sample.labels;
      const hostname = firstLabel(labels, LABEL_ALIASES.node);
      const target = labels[PROMETHEUS_TARGET_LABEL] || undefined;

      const entity = extraKind(labels);
      const uuidLabel = firstLabel(labels, LABEL_ALIASES.uuid);
      const indexLabel = firstLabel(labels, LABEL_ALIASES.gpuIndex);
      if (entity || (uuidLabel === undefined && indexLabel === undefined)) {
        if (!Number.isFinite(sample.value)) continue;
        extras.push(makeExtra(entity?.kind ?? 'other', entity?.label, name, labels, sample.value, hostname ?? target ?? ctx.fallbackNode));
        continue;
      }

      // Without a UUID (a filtered label set, a dmon capture) the index is the best identity.
      const uuid = uuidLabel ?? `index-${indexLabel}`;
      const migId = firstLabel(labels, LABEL_ALIASES.migInstanceId) ?? null;
      const key = groupKey([hostname ?? (target ? `target:${target}` : undefined), uuid, migId]);
      let group = groups.get(key);
      if (!group) {
        group = {
          hostname,
          target,
          uuid,
          migId,
          migProfile: null,
          gpuIndex: parseIndex(indexLabel),
          model: null,
          pods: new Set(),
          namespaces: new Set(),
          jobs: new Set(),
          values: new Map(),
          raw: {},
        };
        groups.set(key, group);
      }
      group.model ??= firstLabel(labels, LABEL_ALIASES.model) ?? null;
      group.migProfile ??= firstLabel(labels, LABEL_ALIASES.migProfile) ?? null;
      const pod = attributionValue(labels, 'pod');
      if (pod) group.pods.add(pod);
      const namespace = attributionValue(labels, 'namespace');
      if (namespace) group.namespaces.add(namespace);
      const job = firstLabel(labels, LABEL_ALIASES.job);
      if (job) group.jobs.add(job);

      if (!alias) {
        if (Number.isFinite(sample.value) && !(name in group.raw)) group.raw[name] = sample.value;
        continue;
      }
      addValue(group, name, alias, sample, report);
    }
  }

  return { gpus: mergeHostless([...groups.values()]).map((g) => toEntity(g, ctx.fallbackNode)), extras, problems };
}

function addValue(
  group: Group,
  name: string,
  alias: MetricAlias,
  sample: Sample,
  report: (sample: Sample, code: string, message: string) => void,
): void {
  const unit = alias.field in CANONICAL_FIELDS ? CANONICAL_FIELDS[alias.field as keyof typeof CANONICAL_FIELDS].unit : 'hidden-counter';
  // Dividing by 1000 rather than multiplying by 0.001 keeps 223466789 mJ at 223466.789 J
  // instead of 223466.78900000002.
  const scaled = alias.scale < 1 ? sample.value / Math.round(1 / alias.scale) : sample.value * alias.scale;
  const checked = checkRange(unit, scaled);
  if (!checked.ok) {
    report(
      sample,
      'out-of-range',
      `${name} = ${sample.valueText} on ${describeEntity(sample.labels)} is not ${checked.range.describe} ` +
        `(source unit ${alias.sourceUnit}); ignored, the reading stays missing`,
    );
    return;
  }
  const rank = ALIAS_RANK.get(name) ?? Number.MAX_SAFE_INTEGER;
  const existing = group.values.get(alias.field);
  // Equal rank means the same series repeated per job or pod: the first one stands.
  if (existing && existing.rank <= rank) return;
  group.values.set(alias.field, { value: checked.value, rank });
}

/**
 * Some exporters put `Hostname` on only some series of a GPU. A group without a hostname is
 * folded into the one group of the same UUID and MIG instance that has one.
 */
function mergeHostless(groups: Group[]): Group[] {
  const hosted = new Map<string, Group[]>();
  for (const g of groups) {
    if (g.hostname === undefined) continue;
    const k = groupKey([g.uuid, g.migId]);
    hosted.set(k, [...(hosted.get(k) ?? []), g]);
  }
  const kept: Group[] = [];
  for (const g of groups) {
    const candidates = g.hostname === undefined ? hosted.get(groupKey([g.uuid, g.migId])) : undefined;
    if (candidates?.length === 1) {
      mergeInto(candidates[0], g);
    } else {
      kept.push(g);
    }
  }
  return kept;
}

function mergeInto(into: Group, from: Group): void {
  into.model ??= from.model;
  into.migProfile ??= from.migProfile;
  into.gpuIndex ??= from.gpuIndex;
  for (const p of from.pods) into.pods.add(p);
  for (const n of from.namespaces) into.namespaces.add(n);
  for (const j of from.jobs) into.jobs.add(j);
  for (const [field, v] of from.values) {
    const existing = into.values.get(field);
    if (!existing || v.rank < existing.rank) into.values.set(field, v);
  }
  for (const [name, value] of Object.entries(from.raw)) if (!(name in into.raw)) into.raw[name] = value;
}

function toEntity(g: Group, fallbackNode: string): GpuEntity {
  const values: Partial<Record<TranslatedField, number>> = {};
  for (const [field, { value }] of g.values) values[field] = value;
  return {
    node: g.hostname ?? g.target ?? fallbackNode,
    uuid: g.uuid,
    gpuIndex: g.gpuIndex,
    migInstance: g.migId === null ? null : { id: g.migId, profile: g.migProfile },
    model: g.model,
    attribution: { pods: [...g.pods].sort(), namespaces: [...g.namespaces].sort(), jobs: [...g.jobs].sort() },
    values,
    raw: g.raw,
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
