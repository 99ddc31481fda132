// Plausible ranges per canonical unit. A value outside is flagged and excluded, never shown
// and never fed to compute (DCGM.md §1: GPU_UTIL up to 4294967295, sentinel blanks).
import type { CanonicalUnit } from '../../../shared/canonical';

export interface ValueRange {
  min: number;
  max: number;
  /** What to call the range in a message. */
  describe: string;
}

/**
 * DCGM's own "blank" markers sit at the top of each integer type; 2^53 keeps every counter
 * below float64's exact range and rejects them all.
 */
const EXACT_MAX = 2 ** 53;

export const UNIT_RANGES: Readonly<Record<CanonicalUnit, ValueRange>> = {
  ratio: { min: 0, max: 1, describe: 'a fraction 0..1 (0-100%)' },
  W: { min: 0, max: 10_000, describe: 'a power 0-10000 W' },
  J: { min: 0, max: EXACT_MAX, describe: 'a non-negative energy' },
  C: { min: -40, max: 200, describe: 'a temperature -40..200 °C' },
  Hz: { min: 0, max: 1e11, describe: 'a clock 0-100 GHz' },
  bytes: { min: 0, max: EXACT_MAX, describe: 'a non-negative size' },
  'bytes/s': { min: 0, max: 1e14, describe: 'a throughput 0-100 TB/s' },
  count: { min: 0, max: EXACT_MAX, describe: 'a non-negative count' },
  'count/s': { min: 0, max: EXACT_MAX, describe: 'a non-negative rate' },
  code: { min: 0, max: 1_000_000, describe: 'an XID code' },
  flag: { min: 0, max: 1, describe: 'a 0/1 flag' },
  bitmask: { min: 0, max: EXACT_MAX, describe: 'a bitmask below 2^53' },
};

/**
 * Percent fields are rounded by the driver; 100.4% is a rounding artefact, not a bad value,
 * so ratios within this slack above 1 are clamped instead of excluded.
 */
export const RATIO_CLAMP_SLACK = 0.01;

/**
 * Hidden counters (violation time in ns) outgrow 2^53 on long uptimes; only int64's blank
 * markers (from 2^63 - 16 up) are impossible.
 */
export const HIDDEN_COUNTER_RANGE: ValueRange = { min: 0, max: 9.2e18, describe: 'a non-negative counter' };

export function rangeFor(unit: CanonicalUnit | 'hidden-counter'): ValueRange {
  return unit === 'hidden-counter' ? HIDDEN_COUNTER_RANGE : UNIT_RANGES[unit];
}

/**
 * The value as shown (a ratio just past 1 clamped to 1), or undefined when it is outside the
 * range. It runs for every sample, so it allocates nothing and takes the range itself, which
 * callers resolve once per metric name rather than per sample.
 */
export function acceptedValue(range: ValueRange, value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  // UNIT_RANGES.ratio is the one range of unit 'ratio', so identity stands for the unit.
  if (range === UNIT_RANGES.ratio && value > 1 && value <= 1 + RATIO_CLAMP_SLACK) return 1;
  if (value < range.min || value > range.max) return undefined;
  return value;
}
