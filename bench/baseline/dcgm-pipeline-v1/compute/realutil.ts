// Real utilization (DCGM.md §5): a weighted score of what the GPU's units really do, in percent.
import type { CanonicalField, Readings } from '../../../../src/shared/canonical';
import type { RealUtilization } from '../../../../src/shared/gpu';
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

/**
 * The same formula as KempnerPulse over the inputs present, but never silently: `missing`
 * names the absent inputs (so the value is a lower bound) and with none present the value is
 * null. An input whose weight is 0 cannot change the score, so it is never reported missing.
 */
export function realUtilization(readings: Readings, weights: Weights): RealUtilization {
  const inputs: [CanonicalField, number, number | undefined][] = [
    ['smActive', weights.sm, percentOf(readings, 'smActive')],
    ['tensorActive', weights.tensor, percentOf(readings, 'tensorActive')],
    ['dramActive', weights.dram, percentOf(readings, 'dramActive')],
    ['grEngineActive', weights.gr, grPercent(readings)],
  ];
  let sum = 0;
  let present = 0;
  const missing: string[] = [];
  for (const [field, weight, percent] of inputs) {
    if (weight === 0) continue;
    if (percent === undefined) {
      missing.push(field);
    } else {
      sum += weight * percent;
      present += 1;
    }
  }
  if (present === 0) return { value: null, missing };
  // Two decimals: finer than any display, and it drops float noise (50.050000000000004).
  const clamped = Math.min(100, Math.max(0, sum));
  return { value: Math.round(clamped * 100) / 100, missing };
}
