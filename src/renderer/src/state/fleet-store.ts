// Client-side model of the fleet: latest snapshot per GPU, targets, and a short rolling
// history per GPU for the sparklines (backfilled once from getHistory, then fed by ticks).
import type { HistoryField, PulseApi, TargetInfo, Tick } from '../../../shared/api';
import type { GpuSnapshot, SUMMARY_READINGS } from '../../../shared/gpu';

// Sparklines are drawn for every card, so they may use only what summary rows carry.
export const SPARK_FIELDS = ['realUtil', 'smActive', 'tensorActive', 'dramActive', 'powerWatts', 'gpuTempC', 'fbUsedBytes'] as const satisfies readonly (HistoryField &
  ('realUtil' | (typeof SUMMARY_READINGS)[number]))[];
export const SPARK_POINTS = 60;
const SPARK_WINDOW_MS = 15 * 60_000;

export interface Spark {
  t: number[];
  values: Record<(typeof SPARK_FIELDS)[number], (number | null)[]>;
}

export interface FleetState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  gpus: Map<string, GpuSnapshot>;
  targets: Map<string, TargetInfo>;
  sparks: Map<string, Spark>;
  /** Bumped on every change so React can compare cheaply. */
  version: number;
}

export function historyValue(gpu: GpuSnapshot, field: (typeof SPARK_FIELDS)[number]): number | null {
  if (field === 'realUtil') return gpu.realUtil;
  const v = gpu.readings[field];
  return typeof v === 'number' ? v : null;
}

/** Count of ticks applied, read by the UI benchmark (bench/ui.ts) through window.__pulseTicks. */
let ticksApplied = 0;
if (typeof window !== 'undefined') Object.defineProperty(window, '__pulseTicks', { get: () => ticksApplied, configurable: true });

export class FleetStore {
  private state: FleetState = { status: 'loading', error: null, gpus: new Map(), targets: new Map(), sparks: new Map(), version: 0 };
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
      const sparks = new Map<string, Spark>();
      for (const gpu of gpus) {
        const series = history.series[gpu.key];
        const spark = emptySpark();
        if (series) {
          const from = Math.max(0, series.t.length - SPARK_POINTS);
          spark.t = series.t.slice(from);
          for (const f of SPARK_FIELDS) spark.values[f] = (series.values[f] ?? []).slice(from);
        }
        sparks.set(gpu.key, spark);
      }
      this.state = {
        status: 'ready',
        error: null,
        gpus: new Map(gpus.map((g) => [g.key, g])),
        targets: new Map(targets.map((t) => [t.id, t])),
        sparks,
        version: this.state.version + 1,
      };
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
    ticksApplied += 1;
    const gpus = new Map(this.state.gpus);
    const targets = new Map(this.state.targets);
    const sparks = this.state.sparks;
    for (const gpu of tick.gpus) {
      const previous = gpus.get(gpu.key);
      // A summary row of a scrape the store has in full adds nothing. (An older scrape is taken:
      // seeking a replay backwards goes back in time.)
      if (previous && previous.observedAt === gpu.observedAt && gpu.detail === 'summary') continue;
      gpus.set(gpu.key, gpu);
      if (previous && previous.observedAt === gpu.observedAt) continue;
      const spark = sparks.get(gpu.key) ?? emptySpark();
      appendSpark(spark, gpu);
      sparks.set(gpu.key, spark);
    }
    for (const key of tick.removedGpus) {
      gpus.delete(key);
      sparks.delete(key);
    }
    for (const target of tick.targets) targets.set(target.id, target);
    for (const id of tick.removedTargets) targets.delete(id);
    this.state = { ...this.state, gpus, targets, sparks, version: this.state.version + 1 };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function emptySpark(): Spark {
  return { t: [], values: Object.fromEntries(SPARK_FIELDS.map((f) => [f, []])) as unknown as Spark['values'] };
}

function appendSpark(spark: Spark, gpu: GpuSnapshot): void {
  // Replace the arrays instead of mutating them so memoised components see a change.
  const keep = (arr: (number | null)[] | number[]) => (arr.length >= SPARK_POINTS ? arr.slice(arr.length - SPARK_POINTS + 1) : arr.slice());
  spark.t = [...(keep(spark.t) as number[]), gpu.observedAt];
  for (const f of SPARK_FIELDS) spark.values[f] = [...keep(spark.values[f]), historyValue(gpu, f)];
}
