// Rates from cumulative counters (DCGM.md §3). Pure: the caller keeps one CounterTrack per
// entity and counter and passes it back in.
import type { CanonicalField } from '../../../shared/canonical';

/** Counter (canonical or hidden) -> the rate reading derived from it. */
export interface RateRule {
  counter: string;
  rate: CanonicalField;
  /** Multiplies (Δcounter per second) into the rate's unit. */
  perSecondScale: number;
}

export const RATE_RULES: readonly RateRule[] = [
  { counter: 'energyJoules', rate: 'avgPowerWatts', perSecondScale: 1 },
  { counter: 'pcieReplayTotal', rate: 'pcieReplayPerSec', perSecondScale: 1 },
  // ns throttled per second of wall time = fraction of time throttled.
  { counter: 'powerViolationNs', rate: 'powerThrottleRatio', perSecondScale: 1e-9 },
  { counter: 'thermalViolationNs', rate: 'thermalThrottleRatio', perSecondScale: 1e-9 },
];

/**
 * The exporter refreshes values every collect interval (30 s by default), so a scrape often
 * sees an unchanged counter that is really still moving. An unchanged value repeats the last
 * rate; only after this long without a change is the counter taken to have stopped (rate 0).
 * Just over two default collect intervals.
 */
export const COUNTER_STOPPED_AFTER_MS = 65_000;

export interface CounterTrack {
  /** The value and the time it was first seen: the baseline of the next rate. */
  value: number;
  at: number;
  lastRate: number | null;
}

export interface CounterStep {
  track: CounterTrack;
  /** Per second, in the counter's unit; null when unknown (first sight, reset). */
  perSecond: number | null;
  reset: boolean;
}

export function advanceCounter(track: CounterTrack | undefined, value: number, at: number): CounterStep {
  if (track === undefined) return { track: { value, at, lastRate: null }, perSecond: null, reset: false };
  const next = { ...track };
  const perSecond = stepCounter(next, value, at);
  return { track: next, perSecond, reset: value < track.value };
}

/**
 * advanceCounter on a track the caller owns: it is updated in place and the rate per second
 * (null when unknown) returned. The pipeline keeps one track per entity and counter and steps
 * it every scrape, so this saves two objects per counter per GPU per scrape.
 */
export function stepCounter(track: CounterTrack, value: number, at: number): number | null {
  if (value < track.value) {
    // Driver reload or GPU reset: the counter restarted, so Δ over this interval is unknown.
    track.value = value;
    track.at = at;
    track.lastRate = null;
    return null;
  }
  const elapsedMs = at - track.at;
  if (value === track.value) {
    // The baseline stays where the value was first seen, so the next change spreads over the
    // whole interval it took.
    track.lastRate = elapsedMs >= COUNTER_STOPPED_AFTER_MS ? 0 : track.lastRate;
    return track.lastRate;
  }
  if (elapsedMs <= 0) return track.lastRate;
  track.lastRate = ((value - track.value) * 1000) / elapsedMs;
  track.value = value;
  track.at = at;
  return track.lastRate;
}
