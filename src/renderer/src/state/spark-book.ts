// The cards' sparkline points for every GPU: the last SPARK_POINTS scrapes of a few readings.
// Every GPU's points are kept (a card scrolled into view draws at once), but only the cards in
// view draw them. Keeping them as JS arrays, replaced on every scrape so memoised sparklines see
// the change, allocated eight arrays per GPU per scrape: with 10,000 GPUs, megabytes per second
// for the collector, nearly all for cards nobody was looking at. So each GPU's points live in a
// fixed ring of typed arrays, and the arrays a card draws are built when it asks (get), once per
// new point.
import type { HistoryField, HistorySeries } from '../../../shared/api';
import type { GpuSnapshot, SUMMARY_READINGS } from '../../../shared/gpu';

// Sparklines are drawn for every card, so they may use only what summary rows carry.
export const SPARK_FIELDS = ['realUtil', 'smActive', 'tensorActive', 'dramActive', 'powerWatts', 'gpuTempC', 'fbUsedBytes'] as const satisfies readonly (HistoryField &
  ('realUtil' | (typeof SUMMARY_READINGS)[number]))[];
export const SPARK_POINTS = 60;
type SparkField = (typeof SPARK_FIELDS)[number];

export interface Spark {
  t: number[];
  values: Record<SparkField, (number | null)[]>;
}

export function historyValue(gpu: GpuSnapshot, field: SparkField): number | null {
  if (field === 'realUtil') return gpu.realUtil;
  const v = gpu.readings[field];
  return typeof v === 'number' ? v : null;
}

/** One GPU's points, oldest at `start`. Values are float32 (a 28 px line needs no more), NaN for missing. */
interface Ring {
  t: Float64Array;
  values: Float32Array; // SPARK_FIELDS.length x SPARK_POINTS, field by field
  start: number;
  length: number;
  /** The arrays last built, until the next point. */
  built: Spark | null;
}

function emptyRing(): Ring {
  return { t: new Float64Array(SPARK_POINTS), values: new Float32Array(SPARK_FIELDS.length * SPARK_POINTS), start: 0, length: 0, built: null };
}

function push(ring: Ring, t: number, value: (field: SparkField, i: number) => number | null): void {
  const at = (ring.start + ring.length) % SPARK_POINTS;
  ring.t[at] = t;
  for (let f = 0; f < SPARK_FIELDS.length; f++) ring.values[f * SPARK_POINTS + at] = value(SPARK_FIELDS[f]!, f) ?? NaN;
  if (ring.length < SPARK_POINTS) ring.length += 1;
  else ring.start = (ring.start + 1) % SPARK_POINTS;
  ring.built = null;
}

export class SparkBook {
  private readonly rings = new Map<string, Ring>();

  /** The GPU's points as arrays (oldest first, null for missing); the same object until a point is added. */
  get(key: string): Spark | undefined {
    const ring = this.rings.get(key);
    if (!ring) return undefined;
    if (ring.built) return ring.built;
    const t = new Array<number>(ring.length);
    for (let i = 0; i < ring.length; i++) t[i] = ring.t[(ring.start + i) % SPARK_POINTS]!;
    const values = {} as Spark['values'];
    SPARK_FIELDS.forEach((field, f) => {
      const out = new Array<number | null>(ring.length);
      for (let i = 0; i < ring.length; i++) {
        const v = ring.values[f * SPARK_POINTS + ((ring.start + i) % SPARK_POINTS)]!;
        out[i] = Number.isNaN(v) ? null : v;
      }
      values[field] = out;
    });
    ring.built = { t, values };
    return ring.built;
  }

  has(key: string): boolean {
    return this.rings.has(key);
  }

  /** Start a GPU's points from its stored history (the last SPARK_POINTS of it). */
  backfill(key: string, series: HistorySeries | undefined): void {
    const ring = emptyRing();
    this.rings.set(key, ring);
    if (!series) return;
    for (let i = Math.max(0, series.t.length - SPARK_POINTS); i < series.t.length; i++) push(ring, series.t[i]!, (field) => series.values[field]?.[i] ?? null);
  }

  append(gpu: GpuSnapshot): void {
    let ring = this.rings.get(gpu.key);
    if (!ring) {
      ring = emptyRing();
      this.rings.set(gpu.key, ring);
    }
    push(ring, gpu.observedAt, (field) => historyValue(gpu, field));
  }

  delete(key: string): void {
    this.rings.delete(key);
  }
}
