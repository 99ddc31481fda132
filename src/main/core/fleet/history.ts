// Per-GPU history in fixed-size typed-array rings (DESIGN.md §3): memory is bounded by
// configuration (fields × window / step × entities), never by uptime. The downsampled tier
// grows block by block until its window has filled, then stays the same size.
//
// Two tiers per entity:
// - raw: the last ceil(rawWindowMs / rawStepMs) + 1 pushes, at scrape resolution. Pushed
//   faster than rawStepMs, it covers a shorter window; it never grows.
// - downsampled: one bucket per downsampleStepMs over downsampleWindowMs with min, max and
//   mean. A bucket's slot is its bucket number modulo the ring size, so gaps cost nothing
//   and old buckets are overwritten in place.
// Values are float32 (about 7 significant digits: plenty for display readings such as
// watts, percent or bytes in use; compute rates before pushing cumulative counters).
// Missing values are NaN inside and null outside.

export interface HistoryOptions {
  fields: readonly string[];
  rawWindowMs?: number;
  /** The expected push interval (the scrape interval); sizes the raw ring. */
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
  /** Present when points were aggregated: the min and max of each point's span. */
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

// The downsampled tier is allocated in blocks of this many buckets (an hour at the default
// 1-minute step) as time reaches them, not all at once: a day of buckets is most of an entity's
// bytes, and allocating thousands of them when a fleet is added stalled the first scrape of
// every target (about 1 ms per GPU, mostly zeroing and V8's external-memory GCs).
const BUCKETS_PER_BLOCK = 60;

/** Downsampled buckets [first, first + length) of one entity: start times and per-field stats. */
class BucketBlock {
  readonly times: Float64Array;
  // Field f of bucket offset o is at f * length + o.
  readonly mean: Float32Array;
  readonly min: Float32Array;
  readonly max: Float32Array;

  constructor(readonly length: number, fieldCount: number) {
    const values = length * fieldCount;
    const buffer = new ArrayBuffer(BucketBlock.byteLength(length, fieldCount));
    this.times = new Float64Array(buffer, 0, length).fill(NaN);
    this.mean = new Float32Array(buffer, length * 8, values);
    this.min = new Float32Array(buffer, length * 8 + values * 4, values);
    this.max = new Float32Array(buffer, length * 8 + values * 8, values);
  }

  static byteLength(length: number, fieldCount: number): number {
    return length * 8 + 3 * length * fieldCount * 4;
  }
}

class EntityHistory {
  // Raw tier: time-ordered ring; field f of logical slot i is rawValues[f * rawCapacity + i].
  readonly rawTimes: Float64Array;
  readonly rawValues: Float32Array;
  rawNext = 0;
  rawCount = 0;
  // Downsampled tier: bucket slot s lives in blocks[floor(s / BUCKETS_PER_BLOCK)], allocated on
  // first write; its start time identifies which bucket the slot currently holds.
  readonly blocks: (BucketBlock | undefined)[];
  // The current bucket's running sums, in float64 so the mean does not drift.
  readonly currentSum: Float64Array;
  readonly currentCount: Uint32Array;
  currentBucketStart = NaN;
  lastTime = -Infinity;
  /** Bytes held in typed arrays, blocks allocated so far included. */
  bytes: number;

  constructor(readonly fieldCount: number, readonly rawCapacity: number, readonly bucketCapacity: number) {
    this.rawTimes = new Float64Array(rawCapacity);
    this.rawValues = new Float32Array(rawCapacity * fieldCount);
    this.blocks = new Array<BucketBlock | undefined>(Math.ceil(bucketCapacity / BUCKETS_PER_BLOCK)).fill(undefined);
    this.currentSum = new Float64Array(fieldCount);
    this.currentCount = new Uint32Array(fieldCount);
    this.bytes = EntityHistory.fixedBytes(fieldCount, rawCapacity);
  }

  static fixedBytes(fieldCount: number, rawCapacity: number): number {
    return rawCapacity * 8 + rawCapacity * fieldCount * 4 + fieldCount * 8 + fieldCount * 4;
  }

  /** The most bytes an entity of this shape holds once every block is allocated. */
  static maxBytes(fieldCount: number, rawCapacity: number, bucketCapacity: number): number {
    return EntityHistory.fixedBytes(fieldCount, rawCapacity) + BucketBlock.byteLength(bucketCapacity, fieldCount);
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
      block = this.blocks[index] = new BucketBlock(length, this.fieldCount);
      this.bytes += BucketBlock.byteLength(length, this.fieldCount);
    }
    return block;
  }

  /** Time of the oldest raw point. */
  rawOldest(): number {
    if (this.rawCount === 0) return Infinity;
    const first = (this.rawNext - this.rawCount + this.rawCapacity) % this.rawCapacity;
    return this.rawTimes[first];
  }
}

export class HistoryStore {
  readonly fields: readonly string[];
  readonly rawWindowMs: number;
  readonly rawStepMs: number;
  readonly downsampleWindowMs: number;
  readonly downsampleStepMs: number;
  readonly maxEntities: number;
  private readonly fieldIndex: Map<string, number>;
  private readonly rawCapacity: number;
  private readonly bucketCapacity: number;
  /** Insertion order doubles as recency order: a push moves its entity to the end. */
  private readonly entities = new Map<string, EntityHistory>();
  private readonly bytesPerEntity: number;

  constructor(opts: HistoryOptions) {
    if (opts.fields.length === 0) throw new RangeError('HistoryStore needs at least one field');
    if (new Set(opts.fields).size !== opts.fields.length) throw new RangeError('HistoryStore fields must be unique');
    this.fields = [...opts.fields];
    this.rawWindowMs = positive(opts.rawWindowMs ?? DEFAULTS.rawWindowMs, 'rawWindowMs');
    this.rawStepMs = positive(opts.rawStepMs ?? DEFAULTS.rawStepMs, 'rawStepMs');
    this.downsampleWindowMs = positive(opts.downsampleWindowMs ?? DEFAULTS.downsampleWindowMs, 'downsampleWindowMs');
    this.downsampleStepMs = positive(opts.downsampleStepMs ?? DEFAULTS.downsampleStepMs, 'downsampleStepMs');
    this.maxEntities = positive(opts.maxEntities ?? DEFAULTS.maxEntities, 'maxEntities');
    this.fieldIndex = new Map(this.fields.map((field, index) => [field, index]));
    // +1: a window of N steps has N + 1 points when both ends are included.
    this.rawCapacity = Math.ceil(this.rawWindowMs / this.rawStepMs) + 1;
    this.bucketCapacity = Math.ceil(this.downsampleWindowMs / this.downsampleStepMs) + 1;
    this.bytesPerEntity = EntityHistory.maxBytes(this.fields.length, this.rawCapacity, this.bucketCapacity);
  }

  /**
   * Records one reading per field at `tMs`. Fields absent from `values` or null are missing.
   * A push not later than the entity's previous one is ignored (returns false): the rings are
   * kept time-ordered.
   */
  push(key: string, tMs: number, values: Readonly<Record<string, number | null | undefined>>): boolean {
    if (!Number.isFinite(tMs)) return false;
    let entity = this.entities.get(key);
    if (entity) {
      if (!(tMs > entity.lastTime)) return false;
      this.entities.delete(key);
    } else {
      while (this.entities.size >= this.maxEntities) this.evictLeastRecent();
      entity = new EntityHistory(this.fields.length, this.rawCapacity, this.bucketCapacity);
    }
    this.entities.set(key, entity);
    entity.lastTime = tMs;

    const fieldCount = this.fields.length;
    const rawSlot = entity.rawNext;
    entity.rawTimes[rawSlot] = tMs;
    entity.rawNext = (rawSlot + 1) % this.rawCapacity;
    entity.rawCount = Math.min(entity.rawCount + 1, this.rawCapacity);

    const bucketStart = Math.floor(tMs / this.downsampleStepMs) * this.downsampleStepMs;
    const bucketSlot = Math.floor(tMs / this.downsampleStepMs) % this.bucketCapacity;
    const block = entity.blockFor(bucketSlot);
    const offset = bucketSlot % BUCKETS_PER_BLOCK;
    if (bucketStart !== entity.currentBucketStart) {
      entity.currentBucketStart = bucketStart;
      block.times[offset] = bucketStart;
      entity.currentSum.fill(0);
      entity.currentCount.fill(0);
      for (let f = 0; f < fieldCount; f++) {
        const at = f * block.length + offset;
        block.mean[at] = NaN;
        block.min[at] = NaN;
        block.max[at] = NaN;
      }
    }

    for (let f = 0; f < fieldCount; f++) {
      const raw = values[this.fields[f]];
      const value = typeof raw === 'number' && !Number.isNaN(raw) ? raw : NaN;
      entity.rawValues[f * this.rawCapacity + rawSlot] = value;
      if (Number.isNaN(value)) continue;
      const at = f * block.length + offset;
      const count = ++entity.currentCount[f];
      entity.currentSum[f] += value;
      block.mean[at] = entity.currentSum[f] / count;
      block.min[at] = count === 1 ? value : Math.min(block.min[at], value);
      block.max[at] = count === 1 ? value : Math.max(block.max[at], value);
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
    const useRaw = !entity || entity.rawCount < this.rawCapacity || entity.rawOldest() <= fromMs;
    const points = entity
      ? useRaw
        ? this.rawPoints(entity, indices, fromMs, toMs)
        : this.bucketPoints(entity, indices, fromMs, toMs)
      : emptyPoints(indices.length, false);
    const limited =
      maxPoints !== undefined && points.t.length > Math.max(2, maxPoints)
        ? reducePoints(points, fromMs, toMs, Math.max(2, maxPoints))
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

  /** What the entities held now will take once their downsampled windows have filled. */
  fullBytes(): number {
    return this.entities.size * this.bytesPerEntity;
  }

  /** The bytes of one entity once its whole downsampled window is filled. */
  configuredBytesPerEntity(): number {
    return this.bytesPerEntity;
  }

  /** The most this store can ever hold in typed arrays. */
  configuredMaxBytes(): number {
    return this.maxEntities * this.bytesPerEntity;
  }

  private evictLeastRecent(): void {
    const oldest = this.entities.keys().next();
    if (!oldest.done) this.entities.delete(oldest.value);
  }

  private rawPoints(entity: EntityHistory, indices: number[], fromMs: number, toMs: number): Points {
    const capacity = this.rawCapacity;
    const first = (entity.rawNext - entity.rawCount + capacity) % capacity;
    const slots: number[] = [];
    for (let i = 0; i < entity.rawCount; i++) {
      const slot = (first + i) % capacity;
      const t = entity.rawTimes[slot];
      if (t > toMs) break;
      if (t >= fromMs) slots.push(slot);
    }
    const points = emptyPoints(indices.length, false);
    for (const slot of slots) points.t.push(entity.rawTimes[slot]);
    indices.forEach((fieldIndex, k) => {
      const column = points.mean[k];
      for (const slot of slots) column.push(entity.rawValues[fieldIndex * capacity + slot]);
    });
    return points;
  }

  private bucketPoints(entity: EntityHistory, indices: number[], fromMs: number, toMs: number): Points {
    const step = this.downsampleStepMs;
    const capacity = this.bucketCapacity;
    // A bucket is returned when its start lies in range; the oldest retained bucket bounds it.
    const firstBucket = Math.max(Math.ceil(fromMs / step), Math.floor(entity.lastTime / step) - capacity + 1);
    const lastBucket = Math.floor(Math.min(toMs, entity.lastTime) / step);
    const points = emptyPoints(indices.length, true);
    for (let bucket = firstBucket; bucket <= lastBucket; bucket++) {
      const slot = bucket % capacity;
      const start = bucket * step;
      const block = entity.blockOf(slot);
      const offset = slot % BUCKETS_PER_BLOCK;
      if (!block || block.times[offset] !== start) continue;
      points.t.push(start);
      indices.forEach((fieldIndex, k) => {
        const at = fieldIndex * block.length + offset;
        points.mean[k].push(block.mean[at]);
        points.min![k].push(block.min[at]);
        points.max![k].push(block.max[at]);
      });
    }
    return points;
  }
}

/** Column-oriented points with NaN for missing, before conversion to the public shape. */
interface Points {
  t: number[];
  mean: number[][];
  min: number[][] | null;
  max: number[][] | null;
}

function emptyPoints(fieldCount: number, withRange: boolean): Points {
  const columns = () => Array.from({ length: fieldCount }, () => [] as number[]);
  return { t: [], mean: columns(), min: withRange ? columns() : null, max: withRange ? columns() : null };
}

function reducePoints(points: Points, fromMs: number, toMs: number, maxPoints: number): Points {
  // Spans are aligned to multiples of their width, so the range can straddle one extra span:
  // sizing for maxPoints - 1 spans keeps the result within maxPoints (at least 2).
  const span = Math.max(1, Math.ceil((toMs - fromMs) / Math.max(1, maxPoints - 1)));
  const fieldCount = points.mean.length;
  const out = emptyPoints(fieldCount, true);
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
      out.min![k].push(counts[k] ? mins[k] : NaN);
      out.max![k].push(counts[k] ? maxs[k] : NaN);
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
      const low = points.min ? points.min[k][i] : value;
      const high = points.max ? points.max[k][i] : value;
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
  const byField = (columns: number[][]) => Object.fromEntries(fields.map((field, k) => [field, column(columns[k])]));
  const result: HistoryQueryResult = { t: points.t, series: byField(points.mean), tier };
  if (points.min && points.max) {
    result.min = byField(points.min);
    result.max = byField(points.max);
  }
  return result;
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
