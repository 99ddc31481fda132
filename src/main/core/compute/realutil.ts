// Real utilization (DCGM.md §5): a weighted score of what the GPU's units really do, in percent.
import type { CanonicalField, Readings } from '../../../shared/canonical';
import type { RealUtilization } from '../../../shared/gpu';
import type { Weights } from './weights';

/** Reads a ratio reading as a percent, or undefined when it is missing. */
export function percentOf(readings: Readings, field: CanonicalField): number | undefined {
  const value = readings[field];
  return typeof value === 'number' && Number.isFinite(value) ? value * 100 : undefined;
}

/**
 * GR is the graphics/compute engine active fraction; NVML's GPU_UTIL stands in for it where
 * the profiling counter is absent (MIG instances lack GPU_UTIL, many exporters lack GR).
 */
export function grPercent(readings: Readings): number | undefined {
  return percentOf(readings, 'grEngineActive') ?? percentOf(readings, 'gpuUtil');
}

interface Input {
  field: CanonicalField;
  weight: keyof Weights;
  percent: (readings: Readings) => number | undefined;
}

/** The inputs in the formula's order, which is also the order `missing` lists them in. */
const INPUTS: readonly Input[] = [
  { field: 'smActive', weight: 'sm', percent: (r) => percentOf(r, 'smActive') },
  { field: 'tensorActive', weight: 'tensor', percent: (r) => percentOf(r, 'tensorActive') },
  { field: 'dramActive', weight: 'dram', percent: (r) => percentOf(r, 'dramActive') },
  { field: 'grEngineActive', weight: 'gr', percent: grPercent },
];

/**
 * The same formula as KempnerPulse over the inputs present, but never silently: `missing`
 * names the absent inputs (so the value is a lower bound) and with none present the value is
 * null. An input whose weight is 0 cannot change the score, so it is never reported missing.
 */
export function realUtilization(readings: Readings, weights: Weights): RealUtilization {
  let sum = 0;
  let present = 0;
  const missing: string[] = [];
  for (const input of INPUTS) {
    const weight = weights[input.weight];
    if (weight === 0) continue;
    const percent = input.percent(readings);
    if (percent === undefined) {
      missing.push(input.field);
    } else {
      sum += weight * percent;
      present += 1;
    }
  }
  if (present === 0) return { value: null, missing };
  return { value: finishScore(sum), missing };
}

/** Clamped to 0-100 and kept to two decimals: finer than any display, and it drops float noise (50.050000000000004). */
function finishScore(sum: number): number {
  const clamped = Math.min(100, Math.max(0, sum));
  return Math.round(clamped * 100) / 100;
}

/**
 * The score with all four inputs (percent) known, added in the same order as realUtilization
 * so that both give the same number for the same readings: classify uses it for completions
 * of the missing inputs.
 */
export function scoreOf(sm: number, tensor: number, dram: number, gr: number, weights: Weights): number {
  let sum = 0;
  sum += weights.sm * sm;
  sum += weights.tensor * tensor;
  sum += weights.dram * dram;
  sum += weights.gr * gr;
  return finishScore(sum);
}
