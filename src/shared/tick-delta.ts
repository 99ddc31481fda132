// Ticks over Server-Sent Events as changes to the rows sent before (`/api/events?delta=1`, what
// the app's HTTP bridge asks for). A GPU's identity, model, class, health and attribution rarely
// change between scrapes, yet every summary row repeated them: with 10,000 GPUs that was ~700
// bytes a GPU, 300–600 KB a tick, and the browser's main thread spent more time receiving and
// parsing those bytes than on anything else (bench:ui). A row the stream has sent before goes as
// its key, the top-level fields whose JSON differs from the previous row's, and the names of the
// fields that went away; the decoder rebuilds exactly the row the plain stream would carry.
// Streams are one connection each: a new stream (its `hello`) starts both sides afresh.
import type { TargetInfo, Tick } from './api';
import type { GpuSnapshot } from './gpu';

/** Present on a row that carries changes only: the fields removed since the previous row. */
export const DELTA_MARK = '$delta';

type Row = Record<string, unknown>;

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

function encodeRows<T extends object>(rows: readonly T[], id: keyof T & string, sent: Map<string, T>): Row[] {
  return rows.map((row) => {
    const key = (row as Row)[id] as string;
    const previous = sent.get(key) as Row | undefined;
    sent.set(key, row);
    if (!previous) return row as Row;
    const delta: Row = { [id]: key, [DELTA_MARK]: [] };
    const current = row as Row;
    for (const field in current) {
      if (field !== id && current[field] !== undefined && !sameJson(current[field], previous[field])) delta[field] = current[field];
    }
    for (const field in previous) {
      if (previous[field] !== undefined && current[field] === undefined) (delta[DELTA_MARK] as string[]).push(field);
    }
    return delta;
  });
}

function decodeRows<T extends object>(rows: readonly Row[], id: string, received: Map<string, T>): T[] {
  return rows.map((row) => {
    const key = row[id] as string;
    const removed = row[DELTA_MARK] as string[] | undefined;
    let full: Row;
    if (removed === undefined) full = row;
    else {
      const previous = received.get(key);
      // Cannot happen on one connection; a server bug must not pass off a partial row as whole.
      if (!previous) throw new Error(`tick delta for ${key}, which this stream never sent`);
      full = { ...(previous as Row) };
      for (const field in row) if (field !== DELTA_MARK) full[field] = row[field];
      for (const field of removed) delete full[field];
    }
    received.set(key, full as T);
    return full as T;
  });
}

type RowStep = (rows: readonly Row[], id: string, seen: Map<string, Row>) => Row[];

/** One stream's side of the codec: each tick's GPU and target rows through `step`, which remembers the rows of this stream. */
function perStream(step: RowStep): (tick: Tick) => Tick {
  const gpus = new Map<string, Row>();
  const targets = new Map<string, Row>();
  return (tick) => {
    for (const key of tick.removedGpus) gpus.delete(key);
    for (const id of tick.removedTargets) targets.delete(id);
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
