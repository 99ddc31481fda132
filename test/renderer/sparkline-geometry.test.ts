import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sparkScale, sparkSegments } from '../../src/renderer/src/components/sparkline-geometry';

describe('sparkline geometry', () => {
  it('uses fixed bounds when given and the data range otherwise', () => {
    expect(sparkScale([[10, 20, null, 30]], 0, 100)).toEqual({ lo: 0, hi: 100 });
    expect(sparkScale([[10, 20, null, 30], [5]])).toEqual({ lo: 5, hi: 30 });
    expect(sparkScale([[NaN, Infinity, 7, 9]])).toEqual({ lo: 7, hi: 9 });
  });

  it('centres a flat line instead of drawing it on an edge', () => {
    const scale = sparkScale([[50, 50, 50]])!;
    const [seg] = sparkSegments([50, 50, 50], 3, scale, 120, 28, 1.5);
    expect(seg![1]).toBeCloseTo(14);
  });

  it('gives a flat line of the smallest subnormal a range (its tenth rounds to 0)', () => {
    const scale = sparkScale([[Number.MIN_VALUE, Number.MIN_VALUE]])!;
    expect(scale.hi).toBeGreaterThan(scale.lo);
    for (const seg of sparkSegments([Number.MIN_VALUE, Number.MIN_VALUE], 2, scale, 120, 28, 1.5)) for (const v of seg) expect(Number.isFinite(v)).toBe(true);
  });

  it('has nothing to draw without data and without a fixed range', () => {
    expect(sparkScale([[null, null], []])).toBeNull();
    expect(sparkScale([[]], 0, 100)).toEqual({ lo: 0, hi: 100 });
  });

  it('breaks the line at gaps and places points across the width, newest at the right edge', () => {
    const segs = sparkSegments([0, 100, null, 50, 50], 5, { lo: 0, hi: 100 }, 120, 28, 2);
    expect(segs).toEqual([
      [2, 26, 31, 2],
      [89, 14, 118, 14],
    ]);
  });

  it('shares the x axis between series of different lengths', () => {
    const [seg] = sparkSegments([1, 2], 4, { lo: 0, hi: 2 }, 100, 20, 0);
    expect(seg).toEqual([0, 10, 100 / 3, 0]);
  });

  it('keeps every point inside the padded area, clamping values outside a fixed range', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ noNaN: false }), { nil: null }), { maxLength: 80 }), fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }), (values, min) => {
        const scale = sparkScale([values], min, min === undefined ? undefined : min + 10);
        if (scale === null) return;
        for (const seg of sparkSegments(values, values.length, scale, 120, 28, 1.5)) {
          expect(seg.length % 2).toBe(0);
          for (let i = 0; i < seg.length; i += 2) {
            expect(seg[i]).toBeGreaterThanOrEqual(1.5 - 1e-9);
            expect(seg[i]).toBeLessThanOrEqual(118.5 + 1e-9);
            expect(seg[i + 1]).toBeGreaterThanOrEqual(1.5 - 1e-9);
            expect(seg[i + 1]).toBeLessThanOrEqual(26.5 + 1e-9);
          }
        }
      }),
    );
  });
});
