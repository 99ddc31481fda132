import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTORY_FIELDS } from '../../src/shared/api';
import { CHART_HISTORY_ENCODINGS, chartHistoryOptions } from '../../src/main/core/fleet/chart-history';
import { HistoryStore } from '../../src/main/core/fleet/history';
import { codecFor, fixedPoint, FLOAT32, type FixedPointEncoding } from '../../src/main/core/fleet/history-encoding';
import { ledgerHistoryOptions } from '../../src/main/core/accounting/live-ledger';

const MINUTE = 60_000;
const roundTrip = (encoding: FixedPointEncoding, value: number) => {
  const codec = codecFor(encoding);
  return codec.decode(codec.encode(value));
};

describe('history field encodings', () => {
  it('stores fixed point to the nearest step, reads back the nearest double, and saturates outside the range', () => {
    const percent = fixedPoint(100);
    expect(codecFor(percent).encode(43.22)).toBe(4322);
    expect(roundTrip(percent, 43.22)).toBe(43.22);
    expect(roundTrip(percent, 43.2249)).toBe(43.22);
    expect(roundTrip(percent, 43.2251)).toBe(43.23);
    expect(roundTrip(percent, 100)).toBe(100);
    expect(roundTrip(percent, 0)).toBe(0);
    expect(roundTrip(percent, -3)).toBe(0);
    expect(roundTrip(percent, 1000)).toBe(655.34);
    expect(roundTrip(percent, Number.NaN)).toBeNaN();
    expect(codecFor(percent).encode(Number.NaN)).toBe(0xffff);
    // °C from -100 at 1/100: -5.5 is code 9450; 555.34 is the top of the range.
    const celsius = fixedPoint(100, -100);
    expect(codecFor(celsius).encode(-5.5)).toBe(9450);
    expect(roundTrip(celsius, -5.5)).toBe(-5.5);
    expect(roundTrip(celsius, 83)).toBe(83);
    expect(roundTrip(celsius, 600)).toBe(555.34);
    // Watts at 1/10: 712.34 W is 7123, read back as 712.3.
    expect(roundTrip(fixedPoint(10), 712.34)).toBe(712.3);
    expect(codecFor(fixedPoint(10)).maxAbsError).toBe(0.05);
    expect(codecFor(FLOAT32).bytesPerValue).toBe(4);
    expect(codecFor(percent).bytesPerValue).toBe(2);
  });

  it('keeps every value inside the range within half a step (property)', () => {
    for (const [encoding, low, high] of [
      [fixedPoint(100), 0, 655.34],
      [fixedPoint(10_000), 0, 6.5534],
      [fixedPoint(10), 0, 6553.4],
      [fixedPoint(100, -100), -100, 555.34],
    ] as const) {
      const bound = 0.5 / encoding.perUnit;
      fc.assert(
        fc.property(fc.double({ min: low, max: high, noNaN: true }), (value) => {
          expect(Math.abs(roundTrip(encoding, value) - value)).toBeLessThanOrEqual(bound * (1 + 1e-9));
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('stores raw points and closed buckets in the encoding; the bucket in progress is exact', () => {
    const store = new HistoryStore({
      fields: ['util', 'temp'],
      encodings: { util: fixedPoint(100), temp: fixedPoint(100, -100) },
      rangeFields: ['temp'],
      rawWindowMs: MINUTE,
      rawStepMs: 20_000,
      downsampleWindowMs: 60 * MINUTE,
    });
    // Minute 0: util 10, 10, 11 (mean 10.333…), temp 40.004, 41, missing; minute 1: one point each.
    store.push('k', 0, { util: 10, temp: 40.004 });
    store.push('k', 20_000, { util: 10, temp: 41 });
    store.push('k', 40_000, { util: 11, temp: null });
    store.push('k', 60_000, { util: 43.4951, temp: -0.004 });
    const raw = store.query('k', ['util', 'temp'], 0, 60_000);
    expect(raw.tier).toBe('raw');
    expect(raw.series.util).toEqual([10, 10, 11, 43.5]);
    expect(raw.series.temp).toEqual([40, 41, null, 0]);
    // Push past the raw window so the query falls to the buckets.
    for (let t = 80_000; t <= 180_000; t += 20_000) store.push('k', t, { util: 50, temp: 60 });
    const buckets = store.query('k', ['util', 'temp'], 0, 180_000);
    expect(buckets.tier).toBe('downsampled');
    expect(buckets.t).toEqual([0, MINUTE, 2 * MINUTE, 3 * MINUTE]);
    // Closed minute 0: mean 10.333… stored as 10.33 (error 0.0033 ≤ 0.005); temp mean of 40.004
    // and 41 is 40.502, stored as 40.50; min 40.004 → 40.00, max 41.
    expect(buckets.series.util[0]).toBe(10.33);
    expect(buckets.series.temp[0]).toBe(40.5);
    expect(buckets.min!.temp[0]).toBe(40);
    expect(buckets.max!.temp[0]).toBe(41);
    expect(buckets.min!.util).toBeUndefined();
    // Minute 1: 43.4951, 50, 50 → 47.8317 → 47.83.
    expect(buckets.series.util[1]).toBe(47.83);
    // Minute 3 is in progress: one point, 50 exactly.
    expect(buckets.series.util[3]).toBe(50);
    // A bucket whose only temp was missing stays missing, not 0 or -100.
    const gapStore = new HistoryStore({ fields: ['temp'], encodings: { temp: fixedPoint(100, -100) }, rangeFields: ['temp'], rawWindowMs: MINUTE, rawStepMs: 30_000 });
    for (let t = 0; t <= 5 * MINUTE; t += 30_000) gapStore.push('k', t, { temp: t < MINUTE ? null : 70 });
    const gap = gapStore.query('k', ['temp'], 0, 5 * MINUTE);
    expect(gap.tier).toBe('downsampled');
    expect(gap.series.temp[0]).toBeNull();
    expect(gap.min!.temp[0]).toBeNull();
    expect(gap.series.temp[1]).toBe(70);
  });

  it('gives every chart field an encoding, and sizes the production stores per GPU as computed by hand', () => {
    expect(Object.keys(CHART_HISTORY_ENCODINGS).sort()).toEqual([...HISTORY_FIELDS].sort());
    const chart = new HistoryStore(chartHistoryOptions());
    // 12 fields: 4 float32 (PCIe ×2, NVLink, framebuffer) + 8 fixed point = 32 B a slot.
    // Raw at 15 s: 256 slots × (8 B time + 32) = 10,240; at 5 s: 721 × 40 = 28,840.
    // 1-minute tier: 1,441 × (4 B stamp + 32) = 51,876; bucket in progress: 12 × 4 × 8 B = 384.
    expect(chart.tierBytes(15_000)).toEqual({ raw: 10_240, downsampled: 52_260 });
    expect(chart.tierBytes(5_000)).toEqual({ raw: 28_840, downsampled: 52_260 });
    expect(chart.configuredBytesPerEntity(15_000)).toBe(62_500);
    const ledger = new HistoryStore(ledgerHistoryOptions());
    // realUtil, missing, power in 2 B, energy in 4 B = 10 B a slot.
    // Raw at 15 s: 256 × 18 = 4,608; 1-minute tier: 1,441 × 14 = 20,174; in progress 4 × 32 = 128.
    expect(ledger.tierBytes(15_000)).toEqual({ raw: 4_608, downsampled: 20_302 });
    expect(ledger.configuredBytesPerEntity(15_000)).toBe(24_910);
  });
});
