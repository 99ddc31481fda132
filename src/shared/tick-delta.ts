// Ticks over Server-Sent Events as changes to the rows sent before (`/api/events?delta=1`, what
// the app's HTTP bridge asks for). A GPU's identity, model, class, health and attribution rarely
// change between scrapes, yet every summary row repeated them: with 10,000 GPUs that was ~700
// bytes a GPU, 300–600 KB a tick, and the browser's main thread spent more time receiving and
// parsing those bytes than on anything else (bench:ui). A row the stream has sent before goes as
// its number on the stream (`"#"`: rows are numbered in the order they were first sent whole, on
// both sides, so a 60-character GPU key becomes a few digits), the top-level fields whose JSON
// differs from the previous row's, and the names of the fields that went away (`"$delta"`, left
// out when none did). A field that is an object on both rows (a GPU's `readings`, `health`) goes
// as its own members that changed, with `"$delta"` naming those removed: a scrape changes a few
// readings, not the memory total or the power limit. The decoder rebuilds exactly the row the
// plain stream would carry. Streams are one connection each: a new stream (its `hello`) starts
// both sides afresh.
import type { TargetInfo, Tick } from './api';
import type { GpuSnapshot } from './gpu';

/** On a row or a nested object that carries changes: the fields removed since the previous one (absent when none were). */
export const DELTA_MARK = '$delta';
/** On a row that carries changes only: the row's number on this stream. */
export const ROW_NUMBER = '#';

type Row = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Equal as JSON: what JSON.stringify would write for both is the same (undefined members omitted). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameJson(v === undefined ? null : v, other[i] === undefined ? null : other[i]));
  }
  const x = a as Row;
  const y = b as Row;
  let count = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    count += 1;
    if (!sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) count -= 1;
  return count === 0;
}

/** The members of `current` that differ from `previous`'s, and `$delta` naming those it lost; null when equal. */
function diff(current: Row, previous: Row, nested: boolean): Row | null {
  let out: Row | null = null;
  for (const field in current) {
    const value = current[field];
    if (value === undefined || sameJson(value, previous[field])) continue;
    const before = previous[field];
    out ??= {};
    out[field] = nested && isPlainObject(value) && isPlainObject(before) ? diff(value, before, false) : value;
  }
  for (const field in previous) {
    if (previous[field] === undefined || current[field] !== undefined) continue;
    out ??= {};
    ((out[DELTA_MARK] ??= []) as string[]).push(field);
  }
  return out;
}

/** `previous` with the changes of `delta` (as diff made them) applied; a new object. */
function patch(previous: Row, delta: Row, nested: boolean): Row {
  const out: Row = { ...previous };
  for (const field in delta) {
    if (field === DELTA_MARK || field === ROW_NUMBER) continue;
    const value = delta[field];
    const before = previous[field];
    out[field] = nested && isPlainObject(value) && isPlainObject(before) ? patch(before, value, false) : value;
  }
  const removed = delta[DELTA_MARK] as string[] | undefined;
  if (removed) for (const field of removed) delete out[field];
  return out;
}

/** What one side of a stream remembers of a kind of row: the last row of each key and the keys' numbers. */
interface Seen {
  rows: Map<string, Row>;
  numbers: Map<string, number>;
  keys: Map<number, string>;
  next: number;
}

const emptySeen = (): Seen => ({ rows: new Map(), numbers: new Map(), keys: new Map(), next: 0 });

function forget(seen: Seen, key: string): void {
  seen.rows.delete(key);
  const n = seen.numbers.get(key);
  if (n === undefined) return;
  seen.numbers.delete(key);
  seen.keys.delete(n);
}

/** Both sides number a key when its row goes (or comes) whole. */
function remember(seen: Seen, key: string): void {
  const n = seen.next++;
  seen.numbers.set(key, n);
  seen.keys.set(n, key);
}

function encodeRows(rows: readonly Row[], id: string, seen: Seen): Row[] {
  return rows.map((row) => {
    const key = row[id] as string;
    const previous = seen.rows.get(key);
    seen.rows.set(key, row);
    if (!previous) {
      remember(seen, key);
      return row;
    }
    return { [ROW_NUMBER]: seen.numbers.get(key)!, ...diff(row, previous, true) };
  });
}

function decodeRows(rows: readonly Row[], id: string, seen: Seen): Row[] {
  return rows.map((row) => {
    const n = row[ROW_NUMBER] as number | undefined;
    let full: Row;
    if (n === undefined) {
      full = row;
      const key = row[id] as string;
      forget(seen, key);
      remember(seen, key);
    } else {
      const key = seen.keys.get(n);
      const previous = key === undefined ? undefined : seen.rows.get(key);
      // Cannot happen on one connection; a server bug must not pass off a partial row as whole.
      if (key === undefined || !previous) throw new Error(`tick delta for row #${n}, which this stream never sent`);
      full = patch(previous, row, true);
    }
    seen.rows.set(full[id] as string, full);
    return full;
  });
}

type RowStep = (rows: readonly Row[], id: string, seen: Seen) => Row[];

/** One stream's side of the codec: each tick's GPU and target rows through `step`, which remembers the rows of this stream. */
function perStream(step: RowStep): (tick: Tick) => Tick {
  const gpus = emptySeen();
  const targets = emptySeen();
  return (tick) => {
    for (const key of tick.removedGpus) forget(gpus, key);
    for (const id of tick.removedTargets) forget(targets, id);
    if (tick.gpus.length === 0 && tick.targets.length === 0) return tick;
    return {
      ...tick,
      gpus: step(tick.gpus as unknown as Row[], 'key', gpus) as unknown as GpuSnapshot[],
      targets: step(tick.targets as unknown as Row[], 'id', targets) as unknown as TargetInfo[],
    };
  };
}

/** One stream's encoder: ticks in, ticks with delta rows out (JSON-ready). */
export function createTickEncoder(): (tick: Tick) => Tick {
  return perStream(encodeRows);
}

/** One stream's decoder: the parsed ticks of an encoder, back to whole rows. */
export function createTickDecoder(): (tick: Tick) => Tick {
  return perStream(decodeRows);
}
