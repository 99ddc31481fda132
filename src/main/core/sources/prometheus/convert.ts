// Prometheus API results -> exposition families, grouped by the target that was scraped, so the
// dcgm pipeline sees what a direct scrape of that target would have given: the original metric
// names and labels, plus the `instance` and `job` labels the server added.
import type { Family, Labels } from '../../exposition/types';
import { isObject } from './api';

export interface TargetBatch {
  /** The target's `instance` label ('' when the series have none). */
  instance: string;
  /** The target's `job` label ('' when the series have none). */
  job: string;
  /**
   * For `ingest`'s `fallbackNode`: the host of `instance` (as a direct scrape of that target
   * would use the host of its URL), else the Prometheus server's host.
   */
  fallbackNode: string;
  /**
   * Unix ms of the samples: in a poll the target's scrape time (the evaluation instant for a
   * target that lacks the family used for timing), in a backfill the step time.
   */
  observedAt: number;
  families: Family[];
}

interface TargetGroup {
  instance: string;
  job: string;
  families: Map<string, Family>;
}

export function targetKey(instance: string, job: string): string {
  return `${instance}\u0000${job}`;
}

/** Collects samples per target and family. */
export class BatchBuilder {
  private readonly groups = new Map<string, TargetGroup>();
  samples = 0;

  add(metric: Record<string, unknown>, valueText: string): void {
    const name = String(metric.__name__ ?? '');
    const labels: Labels = {};
    for (const key in metric) if (key !== '__name__') labels[key] = String(metric[key]);
    const instance = labels.instance ?? '';
    const job = labels.job ?? '';
    const key = targetKey(instance, job);
    let group = this.groups.get(key);
    if (!group) {
      group = { instance, job, families: new Map() };
      this.groups.set(key, group);
    }
    let family = group.families.get(name);
    if (!family) {
      // TYPE is not carried: dcgm semantics are decided by metric name, never by TYPE.
      family = { name, type: 'unknown', help: null, unit: null, samples: [] };
      group.families.set(name, family);
    }
    family.samples.push({ name, labels, value: parseValue(valueText), valueText, timestampMs: null, exemplar: null, line: 0 });
    this.samples++;
  }

  get size(): number {
    return this.groups.size;
  }

  /** Batches in a stable order (by instance, then job); `observedAt` per target or `defaultAt`. */
  build(observedAt: (key: string) => number | undefined, defaultAt: number, serverHost: string): TargetBatch[] {
    return [...this.groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, g]) => ({
        instance: g.instance,
        job: g.job,
        fallbackNode: g.instance ? hostOf(g.instance) : serverHost,
        observedAt: observedAt(key) ?? defaultAt,
        families: [...g.families.values()],
      }));
  }
}

/** Adds an instant-vector result (`data` of /api/v1/query) to `into`; returns an error text for a bad shape. */
export function addVector(data: unknown, into: BatchBuilder): string | null {
  if (!isObject(data) || data.resultType !== 'vector' || !Array.isArray(data.result)) return 'expected an instant vector result';
  for (const item of data.result as unknown[]) {
    if (!isObject(item) || !isObject(item.metric)) return 'a result item has no "metric" object';
    // Native histogram samples carry "histogram" instead of "value": dcgm has none, skip them.
    if (item.value === undefined) continue;
    const value = item.value as unknown[];
    if (!Array.isArray(value) || typeof value[1] !== 'string') return 'a result item has no [time, "value"] pair';
    into.add(item.metric, value[1]);
  }
  return null;
}

/** Timestamps (Unix ms) per target from `max by (instance, job) (timestamp(...))`. */
export function readTimestamps(data: unknown): Map<string, number> | string {
  if (!isObject(data) || data.resultType !== 'vector' || !Array.isArray(data.result)) return 'expected an instant vector result';
  const out = new Map<string, number>();
  for (const item of data.result as unknown[]) {
    if (!isObject(item) || !isObject(item.metric) || !Array.isArray(item.value)) return 'a result item has no metric or value';
    const seconds = Number(item.value[1]);
    if (!Number.isFinite(seconds)) continue;
    out.set(targetKey(String(item.metric.instance ?? ''), String(item.metric.job ?? '')), Math.round(seconds * 1000));
  }
  return out;
}

/** Adds a range-query result (`data` of /api/v1/query_range) to one builder per step time. */
export function addMatrix(data: unknown, frames: Map<number, BatchBuilder>): string | null {
  if (!isObject(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) return 'expected a range (matrix) result';
  for (const item of data.result as unknown[]) {
    if (!isObject(item) || !isObject(item.metric)) return 'a result item has no "metric" object';
    if (item.values === undefined) continue;
    if (!Array.isArray(item.values)) return 'a result item has no "values" array';
    for (const point of item.values as unknown[]) {
      if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string') return 'a point is not a [time, "value"] pair';
      const at = Math.round(point[0] * 1000);
      let frame = frames.get(at);
      if (!frame) {
        frame = new BatchBuilder();
        frames.set(at, frame);
      }
      frame.add(item.metric, point[1]);
    }
  }
  return null;
}

/** Prometheus formats floats with Go's strconv ('NaN', '+Inf', '-Inf' included). */
export function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function hostOf(instance: string): string {
  try {
    return new URL(`http://${instance}`).hostname || instance;
  } catch {
    return instance;
  }
}
