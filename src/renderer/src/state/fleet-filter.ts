// Filtering, sorting and grouping of the fleet: pure functions over the store's state, so the
// views stay thin and the rules are unit-testable.
import type { TargetInfo } from '../../../shared/api';
import type { GpuSnapshot, HealthState } from '../../../shared/gpu';
import { compareGpuOrder, naturalCompare } from '../../../shared/gpu-order';

export type SortKey = 'name' | 'realUtil' | 'power' | 'temperature';

export interface FleetFilter {
  /** Case-insensitive; matches node, model, UUID, pod, namespace and job. */
  search: string;
  classLabel: string | null;
  health: HealthState | null;
  sort: SortKey;
}

export const DEFAULT_FILTER: FleetFilter = { search: '', classLabel: null, health: null, sort: 'name' };

export function matchesFilter(gpu: GpuSnapshot, filter: FleetFilter): boolean {
  if (filter.classLabel && gpu.class.label !== filter.classLabel) return false;
  if (filter.health && gpu.health.state !== filter.health) return false;
  const needle = filter.search.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [gpu.node, gpu.model ?? '', gpu.uuid, `gpu ${gpu.gpuIndex ?? ''}`, ...gpu.attribution.pods, ...gpu.attribution.namespaces, ...gpu.attribution.jobs];
  return haystack.some((s) => s.toLowerCase().includes(needle));
}

const byName = compareGpuOrder;

/** Descending for the numeric keys (busiest, hungriest, hottest first); missing values last. */
export function compareGpus(sort: SortKey): (a: GpuSnapshot, b: GpuSnapshot) => number {
  if (sort === 'name') return byName;
  const value = (g: GpuSnapshot): number | null =>
    sort === 'realUtil' ? g.realUtil : sort === 'power' ? (g.readings.powerWatts ?? null) : (g.readings.gpuTempC ?? null);
  return (a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return byName(a, b);
    if (va === null) return 1;
    if (vb === null) return -1;
    return vb - va || byName(a, b);
  };
}

export interface NodeGroupModel {
  node: string;
  target: TargetInfo | null;
  gpus: GpuSnapshot[];
  /** GPUs of this node before filtering, to tell "filtered out" from "no data". */
  totalGpus: number;
}

export interface GroupSection {
  /** Target group name, or null for ungrouped; pinned nodes come first in their own section. */
  title: string;
  pinned: boolean;
  nodes: NodeGroupModel[];
}

export const isFiltering = (filter: FleetFilter): boolean => filter.search.trim() !== '' || filter.classLabel !== null || filter.health !== null;

/** One node's group: its target (that of its first GPU), and its GPUs that pass the filter, sorted. */
export function nodeGroup(node: string, gpus: readonly GpuSnapshot[], targets: ReadonlyMap<string, TargetInfo>, filter: FleetFilter): NodeGroupModel {
  const target = gpus.length > 0 ? (targets.get(gpus[0]!.sourceId) ?? null) : null;
  const shown = isFiltering(filter) ? gpus.filter((gpu) => matchesFilter(gpu, filter)) : [...gpus];
  return { node, target, gpus: shown.sort(compareGpus(filter.sort)), totalGpus: gpus.length };
}

/** A target without data still shows (with its state and error) unless the user is filtering. */
export function placeholderGroup(target: TargetInfo): NodeGroupModel {
  return { node: target.nodes[0] ?? target.name, target, gpus: [], totalGpus: 0 };
}

/** Where a group goes: the pinned section, or its target group's ('' for none). */
export const sectionOf = (group: NodeGroupModel): string => (group.target?.pinned ? PINNED : (group.target?.group ?? ''));
const PINNED = '\u0000pinned';

/** The order of sections and of the nodes in them, by the groups' keys. */
export interface SectionPlan {
  title: string;
  pinned: boolean;
  keys: string[];
}

/** Pinned nodes first, then each target group, then the rest; nodes by name within a section. `groups` holds only the groups shown. */
export function planSections(groups: ReadonlyArray<readonly [key: string, group: NodeGroupModel]>): SectionPlan[] {
  const byNode = (a: readonly [string, NodeGroupModel], b: readonly [string, NodeGroupModel]) => naturalCompare(a[1].node, b[1].node);
  const bySection = new Map<string, Array<readonly [string, NodeGroupModel]>>();
  for (const entry of groups) {
    const section = sectionOf(entry[1]);
    const list = bySection.get(section);
    if (list) list.push(entry);
    else bySection.set(section, [entry]);
  }
  const plan: SectionPlan[] = [];
  const pinned = bySection.get(PINNED);
  if (pinned) plan.push({ title: 'Pinned', pinned: true, keys: pinned.sort(byNode).map((e) => e[0]) });
  const titles = [...bySection.keys()].filter((t) => t !== PINNED).sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  for (const title of titles) plan.push({ title, pinned: false, keys: bySection.get(title)!.sort(byNode).map((e) => e[0]) });
  return plan;
}

export function resolveSections(plan: readonly SectionPlan[], group: (key: string) => NodeGroupModel): GroupSection[] {
  return plan.map((s) => ({ title: s.title, pinned: s.pinned, nodes: s.keys.map(group) }));
}

/**
 * Pinned nodes first, then each target group, then the rest; nodes by name within a section.
 * The whole fleet at once: the fleet view keeps the same result up to date tick by tick (FleetIndex).
 */
export function buildSections(gpus: Iterable<GpuSnapshot>, targets: ReadonlyMap<string, TargetInfo>, filter: FleetFilter): GroupSection[] {
  const byNode = new Map<string, GpuSnapshot[]>();
  for (const gpu of gpus) {
    const list = byNode.get(gpu.node);
    if (list) list.push(gpu);
    else byNode.set(gpu.node, [gpu]);
  }
  const filtering = isFiltering(filter);
  const groups = new Map<string, NodeGroupModel>();
  const covered = new Set<string>();
  for (const [node, list] of byNode) {
    const group = nodeGroup(node, list, targets, filter);
    if (group.target) covered.add(group.target.id);
    groups.set(node, group);
  }
  if (!filtering) for (const target of targets.values()) if (!covered.has(target.id)) groups.set(`target:${target.id}`, placeholderGroup(target));
  const shown = [...groups].filter(([, g]) => !filtering || g.gpus.length > 0);
  return resolveSections(planSections(shown), (key) => groups.get(key)!);
}

export interface FleetSummary {
  gpus: number;
  active: number;
  avgRealUtil: number | null;
  totalPowerWatts: number;
  health: Record<HealthState, number>;
  targetsDown: number;
}

/** Summary figures of some GPUs, to add up (the fleet view keeps one per node). */
export interface SummaryPart {
  gpus: number;
  active: number;
  utilSum: number;
  utilCount: number;
  powerWatts: number;
  health: Record<HealthState, number>;
  classLabels: ReadonlySet<string>;
}

/** MIG instances repeat their parent's power, so power counts each physical GPU once (a physical GPU lives on one node). */
export function summaryPart(gpus: Iterable<GpuSnapshot>): SummaryPart {
  const part: SummaryPart = { gpus: 0, active: 0, utilSum: 0, utilCount: 0, powerWatts: 0, health: { OK: 0, WARN: 0, HOT: 0, CRIT: 0 }, classLabels: new Set() };
  const poweredParents = new Set<string>();
  const labels = part.classLabels as Set<string>;
  for (const gpu of gpus) {
    part.gpus += 1;
    part.health[gpu.health.state] += 1;
    labels.add(gpu.class.label);
    if (gpu.realUtil !== null) {
      part.utilSum += gpu.realUtil;
      part.utilCount += 1;
    }
    if (gpu.class.bottleneck !== 'idle' && gpu.class.bottleneck !== 'unknown') part.active += 1;
    const physical = gpu.migInstance ? `${gpu.node}/${gpu.uuid}` : gpu.key;
    if (typeof gpu.readings.powerWatts === 'number' && !poweredParents.has(physical)) {
      poweredParents.add(physical);
      part.powerWatts += gpu.readings.powerWatts;
    }
  }
  return part;
}

export function combineSummary(parts: Iterable<SummaryPart>, targets: Iterable<TargetInfo>): FleetSummary {
  const summary: FleetSummary = { gpus: 0, active: 0, avgRealUtil: null, totalPowerWatts: 0, health: { OK: 0, WARN: 0, HOT: 0, CRIT: 0 }, targetsDown: 0 };
  let utilSum = 0;
  let utilCount = 0;
  for (const part of parts) {
    summary.gpus += part.gpus;
    summary.active += part.active;
    utilSum += part.utilSum;
    utilCount += part.utilCount;
    summary.totalPowerWatts += part.powerWatts;
    summary.health.OK += part.health.OK;
    summary.health.WARN += part.health.WARN;
    summary.health.HOT += part.health.HOT;
    summary.health.CRIT += part.health.CRIT;
  }
  summary.avgRealUtil = utilCount > 0 ? utilSum / utilCount : null;
  for (const t of targets) if (t.state !== 'up' && t.state !== 'pending') summary.targetsDown += 1;
  return summary;
}

/** The summary bar's figures. MIG instances repeat their parent's power, so power counts each physical GPU once. */
export function summarize(gpus: Iterable<GpuSnapshot>, targets: Iterable<TargetInfo>): FleetSummary {
  return combineSummary([summaryPart(gpus)], targets);
}
