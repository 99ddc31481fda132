// Per-GPU history in typed-array rings (DESIGN.md §3): memory is bounded by configuration
// (fields × window / step × entities), never by uptime, and an entity only holds what its
// windows have reached so far.
//
// Two tiers per entity:
// - raw: the pushes of the last rawWindowMs, at scrape resolution. The ring starts small and
//   doubles while its oldest point is still inside the window, up to
//   ceil(rawWindowMs / rawStepMs) + 1 slots: a GPU scraped every 15 s settles at 256 slots
//   where the 5 s sizing allows 721. Pushed faster than rawStepMs, it covers a shorter window.
// - downsampled: one bucket per downsampleStepMs over downsampleWindowMs with the mean (and min
//   and max for `rangeFields`). A bucket's slot is its bucket number modulo the ring size, so
//   gaps cost nothing and old buckets are overwritten in place; the bucket in progress is kept
//   as float64 running sums and written when the next one starts. The ring is allocated 4 hours
//   (240 buckets) at a time as time reaches it.
// Each field is stored in its encoding (history-encoding.ts: float32, or 16-bit fixed point
// with a stated error bound). Missing values are NaN inside and null outside.
import { codecFor, ColumnBuffer, ColumnLayout, FLOAT32, type FieldCodec, type FieldEncoding } from './history-encoding';

export interface HistoryOptions {
  fields: readonly string[];
  /** Per field; absent fields are float32. */
  encodings?: Readonly<Record<string, FieldEncoding>>;
  /** Fields whose downsampled buckets also keep their min and max (the rest keep the mean only). */
  rangeFields?: readonly string[];
  rawWindowMs?: number;
  /** The shortest expected push interval; sizes the largest the raw ring grows to. */
  rawStepMs?: number;
  downsampleWindowMs?: number;
  downsampleStepMs?: number;
  /** Most entities kept; the one pushed to least recently is dropped first. */
  maxEntities?: number;
}

export interface HistoryQueryResult {
  t: number[];
  /** Per field: the value (raw) or the mean (downsampled or reduced to maxPoints). */
  series: Record<string, (number | null)[]>;
  /**
   * Present when points were aggregated: the min and max of each point's span, for the fields
   * that have them (every field when raw points were reduced; `rangeFields` in the downsampled tier).
   */
  min?: Record<string, (number | null)[]>;
  max?: Record<string, (number | null)[]>;
  tier: 'raw' | 'downsampled';
}

const DEFAULTS = {
  rawWindowMs: 3_600_000,
  rawStepMs: 15_000,
  downsampleWindowMs: 86_400_000,
  downsampleStepMs: 60_000,
  maxEntities: 10_000,
};

// The downsampled tier is allocated in blocks of this many buckets (4 hours at the default
// 1-minute step) as time reaches them, not all at once: a day of buckets is most of an entity's
// bytes, and allocating thousands of them when a fleet is added stalled the first scrape of
// every target (about 1 ms per GPU, mostly zeroing and V8's external-memory GCs). Not smaller:
// each block is an ArrayBuffer and its views, a few hundred bytes of heap besides its data.
const BUCKETS_PER_BLOCK = 240;
// The raw ring's first size; it doubles from here (16, 32, ... 256, 512) up to its configured size.
const RAW_INITIAL_SLOTS = 16;

/** What every entity of a store shares: field codecs and where each column is. */
class Layout {
  readonly fieldCount: number;
  readonly codecs: FieldCodec[];
  /** Raw ring: a float64 time per slot, column f is field f. */
  readonly raw: ColumnLayout;
  /** Buckets: a uint32 stamp per slot; field f's mean is column f, its min and max rangeColumn[f] and rangeColumn[f] + 1 (-1: none). */
  readonly bucket: ColumnLayout;
  readonly rangeColumn: Int32Array;

  constructor(fields: readonly string[], encodings: Readonly<Record<string, FieldEncoding>>, rangeFields: ReadonlySet<string>) {
    this.fieldCount = fields.length;
    this.codecs = fields.map((field) => codecFor(encodings[field] ?? FLOAT32));
    const bucketCodecs = [...this.codecs];
    this.rangeColumn = new Int32Array(fields.length).fill(-1);
    fields.forEach((field, f) => {
      if (!rangeFields.has(field)) return;
      this.rangeColumn[f] = bucketCodecs.length;
      bucketCodecs.push(this.codecs[f], this.codecs[f]);
    });
    this.raw = new ColumnLayout(8, this.codecs);
    this.bucket = new ColumnLayout(4, bucketCodecs);
  }

  rawBytes(capacity: number): number {
    return this.raw.bytes(capacity);
  }

  blockBytes(length: number): number {
    return this.bucket.bytes(length);
  }

  /** The bucket in progress: float64 sum, min, max and count per field. */
  openBucketBytes(): number {
    return this.fieldCount * 4 * 8;
  }
}

/** Downsampled buckets [first, first + length) of one entity: which bucket each slot holds, and its columns. */
class BucketBlock {
  /** lap + 1 of the bucket a slot holds (bucket = lap × capacity + slot), 0 while empty. */
  readonly stamps: Uint32Array;
  readonly columns: ColumnBuffer;

  constructor(readonly length: number, layout: Layout) {
    this.columns = new ColumnBuffer(length, layout.bucket);
    this.stamps = new Uint32Array(this.columns.buffer, 0, length);
  }
}

class EntityHistory {
  // Raw tier: time-ordered ring of rawCapacity slots (grown by doubling); column f is field f.
  rawTimes: Float64Array;
  rawColumns: ColumnBuffer;
  rawCapacity: number;
  rawNext = 0;
  rawCount = 0;
  /** Whether the raw ring has overwritten a point: until then it holds everything ever pushed. */
  rawDropped = false;
  // Downsampled tier: bucket slot s lives in blocks[floor(s / BUCKETS_PER_BLOCK)], allocated on
  // first write.
  readonly blocks: (BucketBlock | undefined)[];
  // The bucket in progress, in float64 so the mean does not drift: field f's sum at f, min at
  // fieldCount + f, max at 2 × fieldCount + f, count at 3 × fieldCount + f (one array, one view).
  readonly open: Float64Array;
  openBucket = NaN;
  lastTime = -Infinity;
  /** Bytes held in typed arrays, blocks allocated so far included. */
  bytes: number;

  constructor(readonly layout: Layout, maxRawCapacity: number, readonly bucketCapacity: number) {
    this.rawCapacity = Math.min(RAW_INITIAL_SLOTS, maxRawCapacity);
    this.rawColumns = new ColumnBuffer(this.rawCapacity, layout.raw);
    this.rawTimes = new Float64Array(this.rawColumns.buffer, 0, this.rawCapacity);
    this.blocks = new Array<BucketBlock | undefined>(Math.ceil(bucketCapacity / BUCKETS_PER_BLOCK)).fill(undefined);
    const fieldCount = layout.fieldCount;
    this.open = new Float64Array(4 * fieldCount);
    this.bytes = layout.rawBytes(this.rawCapacity) + layout.openBucketBytes();
  }

  /** Slot of the oldest raw point. */
  rawFirst(): number {
    return (this.rawNext - this.rawCount + this.rawCapacity) % this.rawCapacity;
  }

  /** Time of the oldest raw point. */
  rawOldest(): number {
    return this.rawCount === 0 ? Infinity : this.rawTimes[this.rawFirst()];
  }

  /** Replaces the raw ring with one of `capacity` slots holding the same points, oldest at slot 0. */
  growRaw(capacity: number): void {
    const layout = this.layout;
    const columns = new ColumnBuffer(capacity, layout.raw);
    const times = new Float64Array(columns.buffer, 0, capacity);
    const first = this.rawFirst();
    for (let i = 0; i < this.rawCount; i++) {
      const from = (first + i) % this.rawCapacity;
      times[i] = this.rawTimes[from];
      for (let f = 0; f < layout.fieldCount; f++) layout.raw.write(columns, f, i, layout.raw.read(this.rawColumns, f, from));
    }
    this.bytes += layout.rawBytes(capacity) - layout.rawBytes(this.rawCapacity);
    this.rawTimes = times;
    this.rawColumns = columns;
    this.rawCapacity = capacity;
    this.rawNext = this.rawCount % capacity;
  }

  /** The block holding bucket slot `slot`, or undefined if nothing was ever written there. */
  blockOf(slot: number): BucketBlock | undefined {
    return this.blocks[Math.floor(slot / BUCKETS_PER_BLOCK)];
  }

  /** The block holding bucket slot `slot`, allocated now if nothing was written there yet. */
  blockFor(slot: number): BucketBlock {
    const index = Math.floor(slot / BUCKETS_PER_BLOCK);
    let block = this.blocks[index];
    if (block === undefined) {
      const length = Math.min(BUCKETS_PER_BLOCK, this.bucketCapacity - index * BUCKETS_PER_BLOCK);
      block = this.blocks[index] = new BucketBlock(length, this.layout);
      this.bytes += this.layout.blockBytes(length);
    }
    return block;
  }

  /** Writes the bucket in progress into its slot (called when a later bucket starts). */
  closeBucket(): void {
    const bucket = this.openBucket;
    if (Number.isNaN(bucket)) return;
    const capacity = this.bucketCapacity;
    const slot = bucket % capacity;
    const block = this.blockFor(slot);
    const offset = slot % BUCKETS_PER_BLOCK;
    block.stamps[offset] = stampOf(bucket, capacity);
    const { bucket: columns, rangeColumn, fieldCount } = this.layout;
    const open = this.open;
    for (let f = 0; f < fieldCount; f++) {
      const count = open[3 * fieldCount + f];
      columns.write(block.columns, f, offset, count ? open[f] / count : NaN);
      const range = rangeColumn[f];
      if (range >= 0) {
        columns.write(block.columns, range, offset, count ? open[fieldCount + f] : NaN);
        columns.write(block.columns, range + 1, offset, count ? open[2 * fieldCount + f] : NaN);
      }
    }
  }
}

export class HistoryStore {
  readonly fields: readonly string[];
  readonly rawWindowMs: number;
  readonly rawStepMs: number;
  readonly downsampleWindowMs: number;
  readonly downsampleStepMs: number;
  readonly maxEntities: number;
  private readonly layout: Layout;
  private readonly fieldIndex: Map<string, number>;
  private readonly maxRawCapacity: number;
  private readonly bucketCapacity: number;
  /** Insertion order doubles as recency order: a push moves its entity to the end. */
  private readonly entities = new Map<string, EntityHistory>();

  constructor(opts: HistoryOptions) {
    if (opts.fields.length === 0) throw new RangeError('HistoryStore needs at least one field');
    if (new Set(opts.fields).size !== opts.fields.length) throw new RangeError('HistoryStore fields must be unique');
    this.fields = [...opts.fields];
    this.fieldIndex = new Map(this.fields.map((field, index) => [field, index]));
    for (const field of [...Object.keys(opts.encodings ?? {}), ...(opts.rangeFields ?? [])]) {
      if (!this.fieldIndex.has(field)) throw new RangeError(`HistoryStore has no field ${field} to encode or range`);
    }
    this.layout = new Layout(this.fields, opts.encodings ?? {}, new Set(opts.rangeFields ?? []));
    this.rawWindowMs = positive(opts.rawWindowMs ?? DEFAULTS.rawWindowMs, 'rawWindowMs');
    this.rawStepMs = positive(opts.rawStepMs ?? DEFAULTS.rawStepMs, 'rawStepMs');
    this.downsampleWindowMs = positive(opts.downsampleWindowMs ?? DEFAULTS.downsampleWindowMs, 'downsampleWindowMs');
    this.downsampleStepMs = positive(opts.downsampleStepMs ?? DEFAULTS.downsampleStepMs, 'downsampleStepMs');
    this.maxEntities = positive(opts.maxEntities ?? DEFAULTS.maxEntities, 'maxEntities');
    // +1: a window of N steps has N + 1 points when both ends are included.
    this.maxRawCapacity = Math.ceil(this.rawWindowMs / this.rawStepMs) + 1;
    this.bucketCapacity = Math.ceil(this.downsampleWindowMs / this.downsampleStepMs) + 1;
  }

  /**
   * Records one reading per field at `tMs`. Fields absent from `values` or null are missing.
   * A push not later than the entity's previous one, or before 1970, is ignored (returns false):
   * the rings are kept time-ordered.
   */
  push(key: string, tMs: number, values: Readonly<Record<string, number | null | undefined>>): boolean {
    if (!Number.isFinite(tMs) || tMs < 0) return false;
    let entity = this.entities.get(key);
    if (entity) {
      if (!(tMs > entity.lastTime)) return false;
      this.entities.delete(key);
    } else {
      while (this.entities.size >= this.maxEntities) this.evictLeastRecent();
      entity = new EntityHistory(this.layout, this.maxRawCapacity, this.bucketCapacity);
    }
    this.entities.set(key, entity);
    entity.lastTime = tMs;

    if (entity.rawCount === entity.rawCapacity) {
      // Full: grow while dropping the oldest point would leave less than the window behind.
      const secondOldest = entity.rawTimes[(entity.rawFirst() + 1) % entity.rawCapacity];
      if (entity.rawCapacity < this.maxRawCapacity && tMs - secondOldest < this.rawWindowMs) {
        entity.growRaw(Math.min(2 * entity.rawCapacity, this.maxRawCapacity));
      } else {
        entity.rawDropped = true;
      }
    }
    const rawSlot = entity.rawNext;
    entity.rawTimes[rawSlot] = tMs;
    entity.rawNext = (rawSlot + 1) % entity.rawCapacity;
    entity.rawCount = Math.min(entity.rawCount + 1, entity.rawCapacity);

    const bucket = Math.floor(tMs / this.downsampleStepMs);
    if (bucket !== entity.openBucket) {
      entity.closeBucket();
      entity.openBucket = bucket;
      entity.open.fill(0);
    }

    const { raw, fieldCount } = this.layout;
    const open = entity.open;
    for (let f = 0; f < fieldCount; f++) {
      const given = values[this.fields[f]];
      const value = typeof given === 'number' && !Number.isNaN(given) ? given : NaN;
      raw.write(entity.rawColumns, f, rawSlot, value);
      if (Number.isNaN(value)) continue;
      const count = ++open[3 * fieldCount + f];
      open[f] += value;
      if (count === 1 || value < open[fieldCount + f]) open[fieldCount + f] = value;
      if (count === 1 || value > open[2 * fieldCount + f]) open[2 * fieldCount + f] = value;
    }
    return true;
  }

  /**
   * Points with `fromMs <= t <= toMs`. Uses the raw tier when it reaches back to `fromMs` (or
   * holds everything this entity ever pushed), else the downsampled tier. With `maxPoints`,
   * points are merged into equal time spans (aligned to multiples of the span, so a sliding
   * window keeps stable points) with mean, min and max.
   */
  query(key: string, fields: readonly string[], fromMs: number, toMs: number, maxPoints?: number): HistoryQueryResult {
    const indices = fields.map((field) => {
      const index = this.fieldIndex.get(field);
      if (index === undefined) throw new RangeError(`HistoryStore has no field ${field}`);
      return index;
    });
    const entity = this.entities.get(key);
    const useRaw = !entity || !entity.rawDropped || entity.rawOldest() <= fromMs;
    const points = entity
      ? useRaw
        ? this.rawPoints(entity, indices, fromMs, toMs)
        : this.bucketPoints(entity, indices, fromMs, toMs)
      : emptyPoints(indices.length, null);
    const limited =
      maxPoints !== undefined && points.t.length > Math.max(2, maxPoints)
        ? reducePoints(points, useRaw, fromMs, toMs, Math.max(2, maxPoints))
        : points;
    return toResult(fields, limited, useRaw ? 'raw' : 'downsampled');
  }

  remove(key: string): void {
    this.entities.delete(key);
  }

  has(key: string): boolean {
    return this.entities.has(key);
  }

  get entityCount(): number {
    return this.entities.size;
  }

  /** Exact bytes held in typed arrays across all entities now. */
  bytes(): number {
    let bytes = 0;
    for (const entity of this.entities.values()) bytes += entity.bytes;
    return bytes;
  }

  /**
   * What the entities held now will take once both windows have filled: every downsampled
   * block, and the raw ring at the size it grows to at each entity's push interval so far
   * (the mean step over its raw points; the configured rawStepMs until it has two).
   */
  fullBytes(): number {
    let bytes = 0;
    for (const entity of this.entities.values()) {
      let step = this.rawStepMs;
      if (entity.rawCount >= 2) {
        const newest = entity.rawTimes[(entity.rawNext - 1 + entity.rawCapacity) % entity.rawCapacity];
        step = (newest - entity.rawOldest()) / (entity.rawCount - 1);
      }
      bytes += this.entityBytes(step);
    }
    return bytes;
  }

  /** The bytes of one entity once both windows are filled, pushed every `pushIntervalMs` (default rawStepMs). */
  configuredBytesPerEntity(pushIntervalMs = this.rawStepMs): number {
    return this.entityBytes(pushIntervalMs);
  }

  /** The most this store can ever hold in typed arrays. */
  configuredMaxBytes(): number {
    return this.maxEntities * this.entityBytes(this.rawStepMs);
  }

  /** The raw ring's final size when pushed every `stepMs`: the doubling that first covers the window. */
  rawSlotsAt(stepMs: number): number {
    const needed = stepMs > 0 ? Math.min(this.maxRawCapacity, Math.ceil(this.rawWindowMs / stepMs) + 1) : this.maxRawCapacity;
    let capacity = Math.min(RAW_INITIAL_SLOTS, this.maxRawCapacity);
    while (capacity < needed) capacity = Math.min(2 * capacity, this.maxRawCapacity);
    return capacity;
  }

  /** Bytes of each tier of one filled entity, pushed every `stepMs`. */
  tierBytes(stepMs = this.rawStepMs): { raw: number; downsampled: number } {
    return {
      raw: this.layout.rawBytes(this.rawSlotsAt(stepMs)),
      downsampled: this.layout.blockBytes(this.bucketCapacity) + this.layout.openBucketBytes(),
    };
  }

  private entityBytes(stepMs: number): number {
    const { raw, downsampled } = this.tierBytes(stepMs);
    return raw + downsampled;
  }

  private evictLeastRecent(): void {
    const oldest = this.entities.keys().next();
    if (!oldest.done) this.entities.delete(oldest.value);
  }

  private rawPoints(entity: EntityHistory, indices: number[], fromMs: number, toMs: number): Points {
    const capacity = entity.rawCapacity;
    const first = entity.rawFirst();
    const slots: number[] = [];
    for (let i = 0; i < entity.rawCount; i++) {
      const slot = (first + i) % capacity;
      const t = entity.rawTimes[slot];
      if (t > toMs) break;
      if (t >= fromMs) slots.push(slot);
    }
    const points = emptyPoints(indices.length, null);
    for (const slot of slots) points.t.push(entity.rawTimes[slot]);
    const raw = this.layout.raw;
    indices.forEach((fieldIndex, k) => {
      const out = points.mean[k];
      for (const slot of slots) out.push(raw.read(entity.rawColumns, fieldIndex, slot));
    });
    return points;
  }

  private bucketPoints(entity: EntityHistory, indices: number[], fromMs: number, toMs: number): Points {
    const step = this.downsampleStepMs;
    const capacity = this.bucketCapacity;
    const { bucket: columns, rangeColumn } = this.layout;
    // A bucket is returned when its start lies in range; the oldest retained bucket bounds it.
    const firstBucket = Math.max(Math.ceil(fromMs / step), Math.floor(entity.lastTime / step) - capacity + 1);
    const lastBucket = Math.floor(Math.min(toMs, entity.lastTime) / step);
    const points = emptyPoints(indices.length, indices.map((f) => rangeColumn[f] >= 0));
    for (let bucket = firstBucket; bucket <= lastBucket; bucket++) {
      if (bucket === entity.openBucket) {
        // The bucket in progress, from its running sums: the long view is not a bucket behind.
        points.t.push(bucket * step);
        const { open } = entity;
        const n = this.layout.fieldCount;
        indices.forEach((f, k) => {
          const count = open[3 * n + f];
          points.mean[k].push(count ? open[f] / count : NaN);
          points.min[k]?.push(count ? open[n + f] : NaN);
          points.max[k]?.push(count ? open[2 * n + f] : NaN);
        });
        continue;
      }
      const slot = bucket % capacity;
      const block = entity.blockOf(slot);
      const offset = slot % BUCKETS_PER_BLOCK;
      if (!block || block.stamps[offset] !== stampOf(bucket, capacity)) continue;
      points.t.push(bucket * step);
      indices.forEach((f, k) => {
        points.mean[k].push(columns.read(block.columns, f, offset));
        const range = rangeColumn[f];
        if (range < 0) return;
        points.min[k]!.push(columns.read(block.columns, range, offset));
        points.max[k]!.push(columns.read(block.columns, range + 1, offset));
      });
    }
    return points;
  }
}

/** Column-oriented points with NaN for missing, before conversion to the public shape. */
interface Points {
  t: number[];
  mean: number[][];
  /** Per field: its min (and max) column, or null when the points carry none for that field. */
  min: (number[] | null)[];
  max: (number[] | null)[];
}

/** `withRange`: null for none of the fields, else per field whether it has min and max columns. */
function emptyPoints(fieldCount: number, withRange: readonly boolean[] | null): Points {
  const columns = () => Array.from({ length: fieldCount }, () => [] as number[]);
  const ranges = () => Array.from({ length: fieldCount }, (_, k) => (withRange?.[k] ? ([] as number[]) : null));
  return { t: [], mean: columns(), min: ranges(), max: ranges() };
}

function reducePoints(points: Points, raw: boolean, fromMs: number, toMs: number, maxPoints: number): Points {
  // Spans are aligned to multiples of their width, so the range can straddle one extra span:
  // sizing for maxPoints - 1 spans keeps the result within maxPoints (at least 2).
  const span = Math.max(1, Math.ceil((toMs - fromMs) / Math.max(1, maxPoints - 1)));
  const fieldCount = points.mean.length;
  // Raw points reduce to a min and max for every field; downsampled ones only where buckets kept them.
  const out = emptyPoints(fieldCount, points.min.map((column) => raw || column !== null));
  const sums = new Float64Array(fieldCount);
  const counts = new Uint32Array(fieldCount);
  const mins = new Float64Array(fieldCount);
  const maxs = new Float64Array(fieldCount);
  let currentSpan = NaN;
  const flush = () => {
    if (Number.isNaN(currentSpan)) return;
    out.t.push(currentSpan);
    for (let k = 0; k < fieldCount; k++) {
      out.mean[k].push(counts[k] ? sums[k] / counts[k] : NaN);
      out.min[k]?.push(counts[k] ? mins[k] : NaN);
      out.max[k]?.push(counts[k] ? maxs[k] : NaN);
    }
  };
  for (let i = 0; i < points.t.length; i++) {
    const spanStart = Math.floor(points.t[i] / span) * span;
    if (spanStart !== currentSpan) {
      flush();
      currentSpan = spanStart;
      sums.fill(0);
      counts.fill(0);
    }
    for (let k = 0; k < fieldCount; k++) {
      const value = points.mean[k][i];
      if (Number.isNaN(value)) continue;
      const low = points.min[k]?.[i] ?? value;
      const high = points.max[k]?.[i] ?? value;
      if (counts[k] === 0) {
        mins[k] = low;
        maxs[k] = high;
      } else {
        mins[k] = Math.min(mins[k], low);
        maxs[k] = Math.max(maxs[k], high);
      }
      sums[k] += value;
      counts[k] += 1;
    }
  }
  flush();
  return out;
}

function toResult(fields: readonly string[], points: Points, tier: 'raw' | 'downsampled'): HistoryQueryResult {
  const column = (values: number[]) => values.map((value) => (Number.isNaN(value) ? null : value));
  const byField = (columns: (number[] | null)[]) => {
    const out: Record<string, (number | null)[]> = {};
    fields.forEach((field, k) => {
      const values = columns[k];
      if (values) out[field] = column(values);
    });
    return out;
  };
  const result: HistoryQueryResult = { t: points.t, series: byField(points.mean), tier };
  if (points.min.some((values) => values !== null)) {
    result.min = byField(points.min);
    result.max = byField(points.max);
  }
  return result;
}

/** A bucket's stamp in its slot: lap + 1 (0 marks an empty slot; laps repeat only after 2^32). */
function stampOf(bucket: number, capacity: number): number {
  return (Math.floor(bucket / capacity) + 1) % 2 ** 32;
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
