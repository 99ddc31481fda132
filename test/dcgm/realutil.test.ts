import { describe, expect, it } from 'vitest';
import { PRESETS, parseWeights, realUtilization } from '../../src/main/core/compute';

// DCGM.md §5 worked example: SM 90, Tensor 50, DRAM 30, GR 40.
const example = { smActive: 0.9, tensorActive: 0.5, dramActive: 0.3, grEngineActive: 0.4 };

describe('realUtilization', () => {
  it.each([
    ['ai', 59.0],
    ['hpc', 61.5],
    ['mem', 54.5],
  ] as const)('gives the worked example for the %s preset', (preset, expected) => {
    const result = realUtilization(example, PRESETS[preset]);
    expect(result.value).toBeCloseTo(expected, 9);
    expect(result.missing).toEqual([]);
  });

  it('falls back to GPU_UTIL for GR only when the GR engine counter is absent', () => {
    const withGpuUtil = { smActive: 0.9, tensorActive: 0.5, dramActive: 0.3, gpuUtil: 0.4 };
    expect(realUtilization(withGpuUtil, PRESETS.ai).value).toBeCloseTo(59.0, 9);
    expect(realUtilization({ ...example, gpuUtil: 1 }, PRESETS.ai).value).toBeCloseTo(59.0, 9);
  });

  it('computes over the inputs present and names the missing ones', () => {
    const result = realUtilization({ smActive: 0.97 }, PRESETS.ai);
    expect(result.value).toBeCloseTo(33.95, 9);
    expect(result.missing).toEqual(['tensorActive', 'dramActive', 'grEngineActive']);
  });

  it('is unknown (null), not 0, with no input at all', () => {
    expect(realUtilization({ powerWatts: 300 }, PRESETS.ai)).toEqual({
      value: null,
      missing: ['smActive', 'tensorActive', 'dramActive', 'grEngineActive'],
    });
  });

  it('does not call an input with weight 0 missing', () => {
    const result = realUtilization({ smActive: 0.5 }, parseWeights('1,0,0,0'));
    expect(result).toEqual({ value: 50, missing: [] });
  });

  it('treats a null reading as missing', () => {
    const result = realUtilization({ smActive: 0.5, tensorActive: null }, PRESETS.ai);
    expect(result.missing).toContain('tensorActive');
  });
});

describe('parseWeights', () => {
  it('normalises custom weights to sum 1', () => {
    const w = parseWeights('2, 1, 1, 0');
    expect(w).toEqual({ sm: 0.5, tensor: 0.25, dram: 0.25, gr: 0 });
    expect(realUtilization(example, parseWeights('0.35,0.35,0.2,0.1')).value).toBeCloseTo(59.0, 9);
    expect(realUtilization(example, parseWeights('35,35,20,10')).value).toBeCloseTo(59.0, 9);
  });

  it.each([
    ['1,2,3', /got 3 value/],
    ['1,2,3,4,5', /got 5 value/],
    ['1,x,3,4', /tensor weight "x" is not a number/],
    ['1,,3,4', /tensor weight "" is not a number/],
    ['1,2,-3,4', /dram weight -3 is negative/],
    ['0,0,0,0', /all weights are 0/],
    ['1,2,3,Infinity', /gr weight "Infinity" is not a number/],
  ])('rejects %s with a clear message', (text, message) => {
    expect(() => parseWeights(text)).toThrow(message);
  });
});
