// The fleet view's model (sections, summary, class list) kept up to date tick by tick. With
// 10,000 GPUs, building it from scratch on every tick (buildSections and summarize over every
// GPU, sorting 1,250 nodes by name) held the main thread 20 ms and more per tick (bench:ui). A
// tick touches a few nodes and targets, and the store's journal names them, so only those are
// filtered, sorted and summed again; the order of nodes is redone only when a node or target
// comes, goes, moves section or is renamed. The result equals buildSections + summarize (tested).
import type { TargetInfo } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import {
  combineSummary,
  isFiltering,
  nodeGroup,
  placeholderGroup,
  planSections,
  sectionOf,
  summaryPart,
  type FleetFilter,
  type FleetSummary,
  type GroupSection,
  type NodeGroupModel,
  type SectionPlan,
  type SummaryPart,
} from './fleet-filter';
import type { Changes, FleetState } from './fleet-store';

export interface FleetModel {
  sections: GroupSection[];
  summary: FleetSummary;
  /** Every class label in the fleet, sorted (the class filter's choices). */
  classes: string[];
  /** GPUs that pass the filter. */
  shown: number;
  /**
   * Changes when the layout does: sections, their nodes and order, a node's count of shown GPUs
   * or whether it shows an error line. Between changes a node keeps its place in `sections`.
   */
  shape: number;
}

interface NodeEntry {
  gpus: readonly GpuSnapshot[];
  /** The id its first GPU names: the target whose state the node shows. */
  source: string;
  target: TargetInfo | null;
  group: NodeGroupModel;
  part: SummaryPart;
}

const hasErrorLine = (group: NodeGroupModel) => Boolean(group.target?.lastError && group.target.state !== 'up');
const isDown = (target: TargetInfo) => target.state !== 'up' && target.state !== 'pending';
const placeholderKey = (targetId: string) => `target:${targetId}`;
const emptyTotals = (): SummaryPart => ({ gpus: 0, active: 0, utilSum: 0, utilCount: 0, powerWatts: 0, health: { OK: 0, WARN: 0, HOT: 0, CRIT: 0 }, classLabels: new Set() });

export class FleetIndex {
  private version = -1;
  private filter: FleetFilter | null = null;
  private model: FleetModel | null = null;
  /** Every node with GPUs, shown or not. */
  private readonly nodes = new Map<string, NodeEntry>();
  /** Groups of targets that have no GPU (shown only when not filtering), by placeholderKey. */
  private readonly placeholders = new Map<string, NodeGroupModel>();
  /** Nodes by the target id their first GPU names: a target's change reaches its nodes. */
  private readonly nodesBySource = new Map<string, Set<string>>();
  private readonly labelCounts = new Map<string, number>();
  private readonly down = new Set<string>();
  private classes: string[] = [];
  private plan: SectionPlan[] = [];
  /** Where each shown group sits in `sections`: [section, node]. */
  private positions = new Map<string, readonly [number, number]>();
  private sections: GroupSection[] = [];
  private shape = 0;
  /**
   * The sum of every node's part and the count of GPUs shown, kept as nodes come, go and change:
   * adding up 1,250 parts on every tick was the largest cost left in update() (bench:ui).
   */
  private totals = emptyTotals();
  private shown = 0;

  update(state: Pick<FleetState, 'nodes' | 'targets' | 'changes' | 'version'>, filter: FleetFilter): FleetModel {
    if (this.model && state.version === this.version && filter === this.filter) return this.model;
    const changes = this.model && filter === this.filter ? state.changes.since(this.version) : null;
    if (changes) this.apply(state, changes);
    else this.rebuild(state, filter);
    this.version = state.version;
    this.filter = filter;
    // Sums of floats kept by adding and taking away drift by rounding only, but a NaN reading
    // would stay in them after it went: start them again from the parts then.
    if (!Number.isFinite(this.totals.utilSum) || !Number.isFinite(this.totals.powerWatts)) this.retotal();
    const summary = combineSummary([this.totals], []);
    summary.targetsDown = this.down.size;
    this.model = { sections: this.sections, summary, classes: this.classes, shown: this.shown, shape: this.shape };
    return this.model;
  }

  private retotal(): void {
    this.totals = emptyTotals();
    this.shown = 0;
    for (const entry of this.nodes.values()) this.count(entry, 1);
  }

  /** Count a node's part and shown GPUs in (1) or out (-1) of the totals. */
  private count(entry: NodeEntry, sign: 1 | -1): void {
    const t = this.totals;
    const p = entry.part;
    t.gpus += sign * p.gpus;
    t.active += sign * p.active;
    t.utilSum += sign * p.utilSum;
    t.utilCount += sign * p.utilCount;
    t.powerWatts += sign * p.powerWatts;
    t.health.OK += sign * p.health.OK;
    t.health.WARN += sign * p.health.WARN;
    t.health.HOT += sign * p.health.HOT;
    t.health.CRIT += sign * p.health.CRIT;
    // A node filtered out entirely has no GPUs in its group: every node's group counts.
    this.shown += sign * entry.group.gpus.length;
  }

  private rebuild(state: Pick<FleetState, 'nodes' | 'targets'>, filter: FleetFilter): void {
    this.nodes.clear();
    this.placeholders.clear();
    this.nodesBySource.clear();
    this.labelCounts.clear();
    this.down.clear();
    for (const [node, gpus] of state.nodes) {
      const entry = this.entry(node, gpus, state.targets, filter, null);
      this.nodes.set(node, entry);
      this.addSource(entry.source, node);
      this.countLabels(entry.part, 1);
    }
    for (const target of state.targets.values()) {
      if (isDown(target)) this.down.add(target.id);
      if (!isFiltering(filter) && !this.nodesBySource.get(target.id)?.size) this.placeholders.set(placeholderKey(target.id), placeholderGroup(target));
    }
    this.classes = [...this.labelCounts.keys()].sort();
    this.retotal();
    this.replan(state, filter);
  }

  /** Redo what `changes` touched: the nodes, the nodes of the targets, and the targets' placeholders. */
  private apply(state: Pick<FleetState, 'nodes' | 'targets'>, changes: Changes): void {
    const filter = this.filter!;
    const filtering = isFiltering(filter);
    const nodes = new Set(changes.nodes);
    for (const id of changes.targets) for (const node of this.nodesBySource.get(id) ?? []) nodes.add(node);
    // Targets whose placeholder may come or go: the changed ones, and those whose nodes changed.
    const sources = new Set(changes.targets);
    let replan = false;
    let reshaped = false;
    let relabel = false;
    const replaced = new Map<string, NodeGroupModel>();

    for (const node of nodes) {
      const old = this.nodes.get(node);
      const gpus = state.nodes.get(node);
      if (old) {
        this.nodesBySource.get(old.source)?.delete(node);
        sources.add(old.source);
      }
      if (!gpus) {
        if (!old) continue;
        this.nodes.delete(node);
        this.count(old, -1);
        relabel = this.countLabels(old.part, -1) || relabel;
        if (this.isShown(old.group, filtering)) replan = true;
        continue;
      }
      const entry = this.entry(node, gpus, state.targets, filter, old ?? null);
      this.nodes.set(node, entry);
      this.addSource(entry.source, node);
      sources.add(entry.source);
      if (entry === old) continue;
      if (old) this.count(old, -1);
      this.count(entry, 1);
      if (!old || old.part !== entry.part) {
        if (old) relabel = this.countLabels(old.part, -1) || relabel;
        relabel = this.countLabels(entry.part, 1) || relabel;
      }
      if (!old || this.isShown(old.group, filtering) !== this.isShown(entry.group, filtering) || sectionOf(old.group) !== sectionOf(entry.group)) replan = true;
      else if (old.group.gpus.length !== entry.group.gpus.length || hasErrorLine(old.group) !== hasErrorLine(entry.group)) reshaped = true;
      replaced.set(node, entry.group);
    }

    for (const id of sources) {
      const target = state.targets.get(id);
      if (target && isDown(target)) this.down.add(id);
      else this.down.delete(id);
      if (filtering) continue;
      const key = placeholderKey(id);
      const old = this.placeholders.get(key);
      if (!target || this.nodesBySource.get(id)?.size) {
        if (old) {
          this.placeholders.delete(key);
          replan = true;
        }
        continue;
      }
      if (old?.target === target) continue;
      const group = placeholderGroup(target);
      this.placeholders.set(key, group);
      if (!old || old.node !== group.node || sectionOf(old) !== sectionOf(group)) replan = true;
      else if (hasErrorLine(old) !== hasErrorLine(group)) reshaped = true;
      replaced.set(key, group);
    }

    if (relabel) {
      const classes = [...this.labelCounts.keys()].sort();
      if (classes.length !== this.classes.length || classes.some((label, i) => label !== this.classes[i])) this.classes = classes;
    }
    if (replan) return this.replan(state, filter);
    if (reshaped) this.shape += 1;
    if (replaced.size === 0) return;
    // Same plan: copy the sections that hold a replaced group, and put the new groups in place.
    const sections = [...this.sections];
    const copied = new Set<number>();
    for (const [key, group] of replaced) {
      const at = this.positions.get(key);
      if (!at) continue; // not shown (filtered out)
      const [s, n] = at;
      if (!copied.has(s)) {
        sections[s] = { ...sections[s]!, nodes: [...sections[s]!.nodes] };
        copied.add(s);
      }
      sections[s]!.nodes[n] = group;
    }
    this.sections = sections;
  }

  /** Order every shown group anew (nodes first in the store's order, then target placeholders). */
  private replan(state: Pick<FleetState, 'nodes' | 'targets'>, filter: FleetFilter): void {
    const filtering = isFiltering(filter);
    const shown: Array<readonly [string, NodeGroupModel]> = [];
    for (const node of state.nodes.keys()) {
      const group = this.nodes.get(node)!.group;
      if (this.isShown(group, filtering)) shown.push([node, group]);
    }
    for (const id of state.targets.keys()) {
      const group = this.placeholders.get(placeholderKey(id));
      if (group) shown.push([placeholderKey(id), group]);
    }
    const groups = new Map(shown);
    this.plan = planSections(shown);
    this.positions = new Map();
    this.sections = this.plan.map((section, s) => ({
      title: section.title,
      pinned: section.pinned,
      nodes: section.keys.map((key, n) => {
        this.positions.set(key, [s, n]);
        return groups.get(key)!;
      }),
    }));
    this.shape += 1;
  }

  private entry(node: string, gpus: readonly GpuSnapshot[], targets: ReadonlyMap<string, TargetInfo>, filter: FleetFilter, old: NodeEntry | null): NodeEntry {
    const source = gpus[0]!.sourceId;
    const target = targets.get(source) ?? null;
    if (old && old.gpus === gpus && old.target === target) return old;
    const part = old && old.gpus === gpus ? old.part : summaryPart(gpus);
    return { gpus, source, target, group: nodeGroup(node, gpus, targets, filter), part };
  }

  private isShown(group: NodeGroupModel, filtering: boolean): boolean {
    return !filtering || group.gpus.length > 0;
  }

  private addSource(source: string, node: string): void {
    const set = this.nodesBySource.get(source);
    if (set) set.add(node);
    else this.nodesBySource.set(source, new Set([node]));
  }

  /** Count a part's class labels in or out; true when a label appeared or went away. */
  private countLabels(part: SummaryPart, delta: 1 | -1): boolean {
    let changed = false;
    for (const label of part.classLabels) {
      const count = (this.labelCounts.get(label) ?? 0) + delta;
      if (count <= 0) {
        this.labelCounts.delete(label);
        changed = true;
      } else {
        if (count === 1 && delta === 1) changed = true;
        this.labelCounts.set(label, count);
      }
    }
    return changed;
  }
}
