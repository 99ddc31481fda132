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

/** Pinned nodes first, then each target group, then the rest; nodes by name within a section. */
export function buildSections(gpus: Iterable<GpuSnapshot>, targets: Map<string, TargetInfo>, filter: FleetFilter): GroupSection[] {
  const nodes = new Map<string, NodeGroupModel>();
  for (const gpu of gpus) {
    let group = nodes.get(gpu.node);
    if (!group) {
      group = { node: gpu.node, target: targets.get(gpu.sourceId) ?? null, gpus: [], totalGpus: 0 };
      nodes.set(gpu.node, group);
    }
    group.totalGpus += 1;
    if (matchesFilter(gpu, filter)) group.gpus.push(gpu);
  }
  const filtering = filter.search.trim() !== '' || filter.classLabel !== null || filter.health !== null;
  const covered = new Set<string>();
  for (const g of nodes.values()) if (g.target) covered.add(g.target.id);
  for (const target of targets.values()) {
    // A target without data still shows (with its state and error) unless the user is filtering.
    if (!covered.has(target.id) && !filtering) nodes.set(`target:${target.id}`, { node: target.nodes[0] ?? target.name, target, gpus: [], totalGpus: 0 });
  }
  const sort = compareGpus(filter.sort);
  const visible = [...nodes.values()].filter((g) => !filtering || g.gpus.length > 0);
  for (const g of visible) g.gpus.sort(sort);
  const byNode = (a: NodeGroupModel, b: NodeGroupModel) => naturalCompare(a.node, b.node);
  const sections: GroupSection[] = [];
  const pinned = visible.filter((g) => g.target?.pinned).sort(byNode);
  if (pinned.length > 0) sections.push({ title: 'Pinned', pinned: true, nodes: pinned });
  const groups = new Map<string, NodeGroupModel[]>();
  for (const g of visible) {
    if (g.target?.pinned) continue;
    const title = g.target?.group ?? '';
    const list = groups.get(title);
    if (list) list.push(g);
    else groups.set(title, [g]);
  }
  const titles = [...groups.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  for (const title of titles) sections.push({ title, pinned: false, nodes: groups.get(title)!.sort(byNode) });
  return sections;
}

export interface FleetSummary {
  gpus: number;
  active: number;
  avgRealUtil: number | null;
  totalPowerWatts: number;
  health: Record<HealthState, number>;
  targetsDown: number;
}

/** The summary bar's figures. MIG instances repeat their parent's power, so power counts each physical GPU once. */
export function summarize(gpus: Iterable<GpuSnapshot>, targets: Iterable<TargetInfo>): FleetSummary {
  let count = 0;
  let active = 0;
  let utilSum = 0;
  let utilCount = 0;
  let power = 0;
  const poweredParents = new Set<string>();
  const health: Record<HealthState, number> = { OK: 0, WARN: 0, HOT: 0, CRIT: 0 };
  for (const gpu of gpus) {
    count += 1;
    health[gpu.health.state] += 1;
    if (gpu.realUtil !== null) {
      utilSum += gpu.realUtil;
      utilCount += 1;
    }
    if (gpu.class.bottleneck !== 'idle' && gpu.class.bottleneck !== 'unknown') active += 1;
    const physical = gpu.migInstance ? `${gpu.node}/${gpu.uuid}` : gpu.key;
    if (typeof gpu.readings.powerWatts === 'number' && !poweredParents.has(physical)) {
      poweredParents.add(physical);
      power += gpu.readings.powerWatts;
    }
  }
  let down = 0;
  for (const t of targets) if (t.state !== 'up' && t.state !== 'pending') down += 1;
  return { gpus: count, active, avgRealUtil: utilCount > 0 ? utilSum / utilCount : null, totalPowerWatts: power, health, targetsDown: down };
}
