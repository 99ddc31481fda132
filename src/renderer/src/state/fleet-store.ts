// Client-side model of the fleet: latest snapshot per GPU, targets, and a short rolling
// history per GPU for the sparklines (backfilled once from getHistory, then fed by ticks).
import type { PulseApi, TargetInfo, Tick } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { SPARK_FIELDS, SparkBook } from './spark-book';

export { SPARK_FIELDS, SPARK_POINTS, historyValue, type Spark } from './spark-book';
const SPARK_WINDOW_MS = 15 * 60_000;

export interface FleetState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /**
   * Every GPU by key. A new object on every change (memoise on it), but a view of the map the
   * store keeps: it reads the current data, not the data of its version (see LiveMap).
   */
  gpus: ReadonlyMap<string, GpuSnapshot>;
  targets: ReadonlyMap<string, TargetInfo>;
  /**
   * Each node's GPUs in the order they arrived. A node's array is replaced when one of its GPUs
   * changes and is never mutated, so the fleet view redoes only the nodes a tick touched.
   */
  nodes: ReadonlyMap<string, readonly GpuSnapshot[]>;
  /** Which nodes and targets each recent version changed (one object for all versions). */
  changes: ChangeJournal;
  /** Sparkline points of every GPU (one object for all versions). */
  sparks: SparkBook;
  /** Bumped on every change so React can compare cheaply. */
  version: number;
}

export interface Changes {
  /** Nodes whose GPU list was replaced or removed. */
  nodes: ReadonlySet<string>;
  /** Targets added, changed or removed. */
  targets: ReadonlySet<string>;
}

/**
 * What the store changed, version by version, for a view that keeps a model of the whole fleet
 * up to date (the fleet view's FleetIndex): it asks what changed since the version it last saw
 * instead of looking at 10,000 GPUs. Only the recent versions are kept.
 */
export class ChangeJournal {
  private static readonly KEEP = 256;
  private entries: Array<{ version: number } & Changes> = [];
  /** What changed at or before this version is not known. */
  private horizon = 0;

  record(version: number, changes: Changes): void {
    this.entries.push({ version, ...changes });
    if (this.entries.length > ChangeJournal.KEEP) this.horizon = this.entries.shift()!.version;
  }

  /** Forget everything up to this version (the store replaced its data wholesale). */
  reset(version: number): void {
    this.entries = [];
    this.horizon = version;
  }

  /** What changed after `version`, or null when that is no longer known (start over). */
  since(version: number): Changes | null {
    if (version < this.horizon) return null;
    const nodes = new Set<string>();
    const targets = new Set<string>();
    for (let i = this.entries.length - 1; i >= 0 && this.entries[i]!.version > version; i--) {
      for (const node of this.entries[i]!.nodes) nodes.add(node);
      for (const id of this.entries[i]!.targets) targets.add(id);
    }
    return { nodes, targets };
  }
}

/**
 * A read-only window on a map that the store updates in place, made anew for each version.
 * Copying the GPU map on every tick (the simple immutable way) cost about 2–5 ms with 10,000
 * GPUs, whatever the tick held; a view costs nothing and still changes identity with the data,
 * which is all the views' memos compare.
 */
class LiveMap<K, V> implements ReadonlyMap<K, V> {
  constructor(private readonly map: ReadonlyMap<K, V>) {}
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.map.forEach((value, key) => fn.call(thisArg, value, key, this));
  }
  keys(): MapIterator<K> {
    return this.map.keys();
  }
  values(): MapIterator<V> {
    return this.map.values();
  }
  entries(): MapIterator<[K, V]> {
    return this.map.entries();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.map.entries();
  }
}

export class FleetStore {
  // The data, updated in place; `state` holds fresh LiveMap views of it after every change.
  private readonly gpus = new Map<string, GpuSnapshot>();
  private readonly targets = new Map<string, TargetInfo>();
  private readonly nodes = new Map<string, readonly GpuSnapshot[]>();
  /** Each node's GPU keys in the GPU map's order (a GPU removed and back comes last, as there). */
  private readonly nodeKeys = new Map<string, string[]>();
  private readonly changes = new ChangeJournal();
  private state: FleetState = { status: 'loading', error: null, gpus: new Map(), targets: new Map(), nodes: new Map(), changes: this.changes, sparks: new SparkBook(), version: 0 };
  private listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  /** What each mounted view watches (watch()); their union goes to api.watchGpus. */
  private readonly watchers = new Map<number, readonly string[]>();
  private nextWatcher = 0;
  private watchQueued = false;
  private watchedKey = '';

  constructor(private readonly api: PulseApi) {}

  getState = (): FleetState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async start(): Promise<void> {
    // Subscribe first so no tick is lost between the initial fetch and the stream.
    const pending: Tick[] = [];
    let ready = false;
    this.unsubscribe = this.api.onTick((tick) => (ready ? this.applyTick(tick) : pending.push(tick)));
    try {
      const [targets, gpus] = await Promise.all([this.api.getTargets(), this.api.getGpus()]);
      const history = await this.api.getHistory({ keys: gpus.map((g) => g.key), fields: [...SPARK_FIELDS], windowMs: SPARK_WINDOW_MS });
      const sparks = this.state.sparks;
      for (const gpu of gpus) sparks.backfill(gpu.key, history.series[gpu.key]);
      for (const gpu of gpus) {
        if (!this.gpus.has(gpu.key)) this.addGpu(gpu);
        this.gpus.set(gpu.key, gpu);
      }
      for (const target of targets) this.targets.set(target.id, target);
      this.regroup(new Set(gpus.map((g) => g.node)));
      this.state = { ...this.state, ...this.views(), status: 'ready', error: null, sparks, version: this.state.version + 1 };
      this.changes.reset(this.state.version);
      ready = true;
      for (const tick of pending) this.applyTick(tick);
      this.emit();
    } catch (err) {
      this.state = { ...this.state, status: 'error', error: err instanceof Error ? err.message : String(err), version: this.state.version + 1 };
      this.emit();
    }
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /**
   * Ask for full snapshots of these GPUs while the caller shows them (every other GPU arrives as
   * a summary row); returns the release function. Calls within one task are sent as one union.
   */
  watch(keys: readonly string[]): () => void {
    const id = this.nextWatcher++;
    this.watchers.set(id, keys);
    this.queueWatch();
    return () => {
      this.watchers.delete(id);
      this.queueWatch();
    };
  }

  private queueWatch(): void {
    if (this.watchQueued) return;
    this.watchQueued = true;
    // A route change unmounts one view and mounts the next in the same task: send the net set once.
    queueMicrotask(() => {
      this.watchQueued = false;
      const keys = [...new Set([...this.watchers.values()].flat())].sort();
      const key = keys.join('\n');
      if (key === this.watchedKey) return;
      this.watchedKey = key;
      this.api.watchGpus(keys);
    });
  }

  applyTick(tick: Tick): void {
    const gpus = this.gpus;
    const sparks = this.state.sparks;
    const touched = new Set<string>();
    for (const gpu of tick.gpus) {
      const previous = gpus.get(gpu.key);
      // A summary row of a scrape the store has in full adds nothing. (An older scrape is taken:
      // seeking a replay backwards goes back in time.)
      if (previous && previous.observedAt === gpu.observedAt && gpu.detail === 'summary') continue;
      if (!previous) this.addGpu(gpu);
      gpus.set(gpu.key, gpu);
      touched.add(gpu.node);
      if (previous && previous.observedAt === gpu.observedAt) continue;
      sparks.append(gpu);
    }
    for (const key of tick.removedGpus) {
      const gone = gpus.get(key);
      if (!gone) continue;
      this.removeGpu(gone);
      touched.add(gone.node);
      gpus.delete(key);
      sparks.delete(key);
    }
    const changedTargets = new Set<string>();
    for (const target of tick.targets) {
      this.targets.set(target.id, target);
      changedTargets.add(target.id);
    }
    for (const id of tick.removedTargets) {
      this.targets.delete(id);
      changedTargets.add(id);
    }
    this.regroup(touched);
    this.state = { ...this.state, ...this.views(), version: this.state.version + 1 };
    this.changes.record(this.state.version, { nodes: touched, targets: changedTargets });
    this.emit();
  }

  /** New views of the maps: the identity every memo over them compares. */
  private views(): Pick<FleetState, 'gpus' | 'targets' | 'nodes'> {
    return { gpus: new LiveMap(this.gpus), targets: new LiveMap(this.targets), nodes: new LiveMap(this.nodes) };
  }

  /** Rebuild the GPU lists of these nodes (a few GPUs each) from their keys. */
  private regroup(nodes: ReadonlySet<string>): void {
    for (const node of nodes) {
      const keys = this.nodeKeys.get(node);
      if (!keys || keys.length === 0) {
        this.nodeKeys.delete(node);
        this.nodes.delete(node);
      } else {
        this.nodes.set(node, keys.map((key) => this.gpus.get(key)!));
      }
    }
  }

  private addGpu(gpu: GpuSnapshot): void {
    const keys = this.nodeKeys.get(gpu.node);
    if (keys) keys.push(gpu.key);
    else this.nodeKeys.set(gpu.node, [gpu.key]);
  }

  private removeGpu(gpu: GpuSnapshot): void {
    const keys = this.nodeKeys.get(gpu.node);
    const at = keys?.indexOf(gpu.key) ?? -1;
    if (at >= 0) keys!.splice(at, 1);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
