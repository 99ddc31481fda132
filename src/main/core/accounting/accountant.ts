// The accounting definitions of issue 19, once, for every source. Samples stream in GPU by GPU
// in time order; each GPU keeps only its previous sample, so memory grows with the GPUs and the
// owner changes, never with the length of the window.
//
// - The interval from a GPU's sample t_i to its next sample t_{i+1} carries sample i's owner and
//   state when the gap is at most 5 minutes (Prometheus' staleness); a longer gap is no data.
//   A window [start, end] clips intervals to it.
// - State: idle when the real utilization is below the threshold with every input present;
//   busy when it (a lower bound when inputs are missing) is at or above it; unknown otherwise.
// - Energy: the GPU energy counter's increase over the interval (a drop is a reset: the counter
//   restarted from 0, so the increase is its new value), scaled to the clipped part; without a
//   counter at both ends, sample i's power × the clipped time.
import type { EnergySource, ReportGroupBy, WasteReport, WasteRow } from '../../../shared/waste';
import { DEFAULT_IDLE_BELOW } from '../../../shared/waste';
import { ownerOf } from './owner';
import type { AccountedGpu, AccountingSample } from './types';

/** Prometheus' lookback: a sample is current for 5 minutes, so longer gaps are no data. */
export const MAX_GAP_MS = 5 * 60_000;
const MS_PER_HOUR = 3_600_000;
const J_PER_KWH = 3_600_000;

export interface AccountingOptions {
  by: ReportGroupBy;
  /** Fraction 0..1; default 0.05. */
  idleBelow?: number;
  /** Unix ms window; without one, everything the samples cover. */
  startMs?: number;
  endMs?: number;
  pricePerGpuHour?: number | null;
}

export type IntervalState = 'idle' | 'busy' | 'unknown';

/** The state an interval takes from its first sample's real utilization (percent). */
export function intervalState(realUtil: number | null, missing: boolean, idleBelow: number): IntervalState {
  if (realUtil === null) return 'unknown';
  if (realUtil >= idleBelow * 100) return 'busy';
  return missing ? 'unknown' : 'idle';
}

class RowTotals {
  gpuMs = 0;
  idleMs = 0;
  unknownMs = 0;
  /** Σ utilization (0..1) × ms over intervals with every input, and those intervals' ms. */
  utilMsSum = 0;
  utilMs = 0;
  energyJ = 0;
  counterUsed = false;
  powerUsed = false;
  /** Continuous holds of one GPU, flat [lo, hi, lo, hi, ...]: for the most GPUs held at once. */
  holds: number[] = [];
  longestIdle: { gpu: string; startMs: number; ms: number } | null = null;

  constructor(readonly owner: string | null) {}
}

interface Run {
  row: RowTotals;
  lo: number;
  hi: number;
}

interface GpuTrack {
  gpu: AccountedGpu;
  prev: AccountingSample | null;
  prevOwner: string | null;
  prevState: IntervalState;
  hold: Run | null;
  idle: Run | null;
}

export class Accountant {
  private readonly idleBelow: number;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly rows = new Map<string, RowTotals>();
  private readonly unallocated = new RowTotals(null);
  private readonly tracks = new Map<string, GpuTrack>();
  private firstMs = Infinity;
  private lastMs = -Infinity;

  constructor(private readonly opts: AccountingOptions) {
    this.idleBelow = opts.idleBelow ?? DEFAULT_IDLE_BELOW;
    this.startMs = opts.startMs ?? -Infinity;
    this.endMs = opts.endMs ?? Infinity;
  }

  /** One sample of one GPU; a GPU's samples must come in time order (a repeated time is ignored). */
  add(gpu: AccountedGpu, sample: AccountingSample): void {
    let track = this.tracks.get(gpu.key);
    if (!track) {
      track = { gpu, prev: null, prevOwner: null, prevState: 'unknown', hold: null, idle: null };
      this.tracks.set(gpu.key, track);
    }
    const prev = track.prev;
    if (prev !== null && sample.t <= prev.t) return;
    if (sample.t < this.firstMs) this.firstMs = sample.t;
    if (sample.t > this.lastMs) this.lastMs = sample.t;
    if (prev !== null && sample.t - prev.t <= MAX_GAP_MS) this.account(track, prev, sample);
    track.gpu = gpu;
    track.prev = sample;
    track.prevOwner = ownerOf(this.opts.by, gpu, sample);
    track.prevState = intervalState(sample.realUtil, sample.realUtilMissing, this.idleBelow);
  }

  private rowFor(owner: string | null): RowTotals {
    if (owner === null) return this.unallocated;
    let row = this.rows.get(owner);
    if (!row) this.rows.set(owner, (row = new RowTotals(owner)));
    return row;
  }

  /** The interval [prev.t, next.t], carrying prev's owner and state, clipped to the window. */
  private account(track: GpuTrack, prev: AccountingSample, next: AccountingSample): void {
    const lo = Math.max(prev.t, this.startMs);
    const hi = Math.min(next.t, this.endMs);
    if (hi <= lo) return;
    const ms = hi - lo;
    const row = this.rowFor(track.prevOwner);
    row.gpuMs += ms;
    const state = track.prevState;
    if (state === 'idle') row.idleMs += ms;
    else if (state === 'unknown') row.unknownMs += ms;
    if (!prev.realUtilMissing && prev.realUtil !== null) {
      row.utilMsSum += (prev.realUtil / 100) * ms;
      row.utilMs += ms;
    }
    this.addEnergy(row, prev, next, ms / (next.t - prev.t), ms);
    track.hold = extend(track.hold, row, lo, hi, (run) => run.row.holds.push(run.lo, run.hi));
    if (state === 'idle') {
      track.idle = extend(track.idle, row, lo, hi, (run) => this.closeIdle(track, run));
    } else if (track.idle) {
      this.closeIdle(track, track.idle);
      track.idle = null;
    }
  }

  private addEnergy(row: RowTotals, prev: AccountingSample, next: AccountingSample, fraction: number, ms: number): void {
    if (prev.energyJoules !== null && next.energyJoules !== null) {
      const increase = next.energyJoules >= prev.energyJoules ? next.energyJoules - prev.energyJoules : next.energyJoules;
      row.energyJ += increase * fraction * prev.energyShare;
      row.counterUsed = true;
    } else if (prev.powerWatts !== null) {
      row.energyJ += prev.powerWatts * (ms / 1000) * prev.energyShare;
      row.powerUsed = true;
    }
  }

  private closeIdle(track: GpuTrack, run: Run): void {
    const ms = run.hi - run.lo;
    const best = run.row.longestIdle;
    if (best === null || ms > best.ms) run.row.longestIdle = { gpu: track.gpu.key, startMs: run.lo, ms };
  }

  finish(): WasteReport {
    for (const track of this.tracks.values()) {
      if (track.hold) track.hold.row.holds.push(track.hold.lo, track.hold.hi);
      if (track.idle) this.closeIdle(track, track.idle);
      track.hold = track.idle = null;
    }
    const price = this.opts.pricePerGpuHour ?? null;
    const rows = [...this.rows.values()]
      .map((row) => toRow(row, price))
      .sort((a, b) => b.idleGpuHours - a.idleGpuHours || b.gpuHours - a.gpuHours || (a.owner! < b.owner! ? -1 : a.owner! > b.owner! ? 1 : 0));
    const start = Number.isFinite(this.startMs) ? this.startMs : this.firstMs;
    const end = Number.isFinite(this.endMs) ? this.endMs : this.lastMs;
    return {
      start: isoOrNull(start),
      end: isoOrNull(end),
      by: this.opts.by,
      idleBelow: this.idleBelow,
      rows,
      unallocated: toRow(this.unallocated, price),
    };
  }
}

/** `run` grown by [lo, hi] when it is the same row and continues it; else `close` it and start anew. */
function extend(run: Run | null, row: RowTotals, lo: number, hi: number, close: (run: Run) => void): Run {
  if (run && run.row === row && run.hi === lo) {
    run.hi = hi;
    return run;
  }
  if (run) close(run);
  return { row, lo, hi };
}

/** Most holds overlapping at once; a hold ending where another starts is a hand-over, not two. */
function mostAtOnce(holds: number[]): number {
  const events: Array<[number, number]> = [];
  for (let i = 0; i < holds.length; i += 2) events.push([holds[i], 1], [holds[i + 1], -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (now += delta));
  return most;
}

function toRow(row: RowTotals, price: number | null): WasteRow {
  const gpuHours = row.gpuMs / MS_PER_HOUR;
  const source: EnergySource | null = row.counterUsed && row.powerUsed ? 'mixed' : row.counterUsed ? 'counter' : row.powerUsed ? 'power' : null;
  return {
    owner: row.owner,
    gpus: mostAtOnce(row.holds),
    gpuHours: round(gpuHours, 6),
    idleGpuHours: round(row.idleMs / MS_PER_HOUR, 6),
    unknownGpuHours: round(row.unknownMs / MS_PER_HOUR, 6),
    meanRealUtil: row.utilMs > 0 ? round(row.utilMsSum / row.utilMs, 4) : null,
    energyKWh: source === null ? null : round(row.energyJ / J_PER_KWH, 6),
    energySource: source,
    cost: price === null ? null : round(gpuHours * price, 4),
    longestIdle: row.longestIdle && {
      gpu: row.longestIdle.gpu,
      start: new Date(row.longestIdle.startMs).toISOString(),
      hours: round(row.longestIdle.ms / MS_PER_HOUR, 6),
    },
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function isoOrNull(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
