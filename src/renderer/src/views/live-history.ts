// History for a set of GPUs and fields over a window: fetched once from getHistory, then kept
// live by appending each new snapshot the FleetStore receives (one point per scrape, keyed by
// observedAt so a tick that repeats a scrape adds nothing). The GPUs are watched while the view
// is mounted, so their ticks carry full snapshots. Points older than the window are dropped, so
// memory stays bounded by the window, not by how long the view stays open.
import { useEffect, useReducer, useRef, useState } from 'react';
import type { HistoryField, HistoryResponse, PulseApi } from '../../../shared/api';
import type { FleetState, FleetStore } from '../state/fleet-store';
import { readingOf } from './field-format';

export interface SeriesBuffer {
  t: number[];
  values: Partial<Record<HistoryField, (number | null)[]>>;
}

export type LiveHistoryStatus = { state: 'loading' } | { state: 'ready' } | { state: 'error'; message: string };

export interface LiveHistory {
  status: LiveHistoryStatus;
  /** Per GPU key; a key the service has no history for starts empty and fills from ticks. */
  series: ReadonlyMap<string, SeriesBuffer>;
  /** Bumped on every append, for memoisation by callers. */
  version: number;
}

export const HISTORY_WINDOWS = [
  { label: '5 min', ms: 5 * 60_000 },
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 h', ms: 60 * 60_000 },
] as const;
export const DEFAULT_WINDOW_MS = 15 * 60_000;

export function buffersFromResponse(response: HistoryResponse, keys: readonly string[], fields: readonly HistoryField[]): Map<string, SeriesBuffer> {
  const buffers = new Map<string, SeriesBuffer>();
  for (const key of keys) {
    const series = response.series[key];
    const buffer: SeriesBuffer = { t: series ? [...series.t] : [], values: {} };
    for (const field of fields) {
      const values = series?.values[field];
      buffer.values[field] = values ? [...values] : buffer.t.map(() => null);
    }
    buffers.set(key, buffer);
  }
  return buffers;
}

/** Append the store's newer snapshots and trim to the window; true when anything changed. */
export function appendSnapshots(buffers: Map<string, SeriesBuffer>, state: FleetState, fields: readonly HistoryField[], windowMs: number): boolean {
  let changed = false;
  for (const [key, buffer] of buffers) {
    const gpu = state.gpus.get(key);
    const last = buffer.t[buffer.t.length - 1];
    // A summary row lacks most fields; the full snapshot of the same scrape follows the watch.
    if (!gpu || gpu.detail === 'summary' || (last !== undefined && gpu.observedAt <= last)) continue;
    buffer.t.push(gpu.observedAt);
    for (const field of fields) (buffer.values[field] ??= []).push(readingOf(gpu, field));
    trimToWindow(buffer, gpu.observedAt - windowMs);
    changed = true;
  }
  return changed;
}

function trimToWindow(buffer: SeriesBuffer, oldest: number): void {
  let drop = 0;
  while (drop < buffer.t.length && buffer.t[drop]! < oldest) drop++;
  if (drop === 0) return;
  buffer.t.splice(0, drop);
  for (const values of Object.values(buffer.values)) values?.splice(0, drop);
}

export function useLiveHistory(api: PulseApi, store: FleetStore, keys: readonly string[], fields: readonly HistoryField[], windowMs: number): LiveHistory {
  const [status, setStatus] = useState<LiveHistoryStatus>({ state: 'loading' });
  const buffers = useRef<Map<string, SeriesBuffer>>(new Map());
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  // Arrays from props change identity on every render; the request only changes with content.
  const keysKey = keys.join('\n');
  const fieldsKey = fields.join(',');

  useEffect(() => {
    const requestKeys = keysKey ? keysKey.split('\n') : [];
    const requestFields = (fieldsKey ? fieldsKey.split(',') : []) as HistoryField[];
    let live = true;
    let ready = false;
    buffers.current = new Map();
    setStatus({ state: 'loading' });
    const unwatch = store.watch(requestKeys);
    const unsubscribe = store.subscribe(() => {
      if (ready && appendSnapshots(buffers.current, store.getState(), requestFields, windowMs)) bump();
    });
    api.getHistory({ keys: requestKeys, fields: requestFields, windowMs }).then(
      (response) => {
        if (!live) return;
        buffers.current = buffersFromResponse(response, requestKeys, requestFields);
        // A scrape that landed while the request was in flight is in the store already.
        appendSnapshots(buffers.current, store.getState(), requestFields, windowMs);
        ready = true;
        setStatus({ state: 'ready' });
        bump();
      },
      (err: unknown) => {
        if (live) setStatus({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
      unwatch();
      unsubscribe();
    };
  }, [api, store, keysKey, fieldsKey, windowMs]);

  return { status, series: buffers.current, version };
}
