import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/core/fleet/history';
import { fixedPoint } from '../../src/main/core/fleet/history-encoding';

const MINUTE = 60_000;

describe('HistoryStore', () => {
  it('returns raw points in range, with missing values as null', () => {
    const store = new HistoryStore({ fields: ['power', 'temp'], rawWindowMs: 10 * MINUTE, rawStepMs: 15_000 });
    for (let i = 0; i < 10; i++) {
      store.push('gpu-a', 1_000_000 + i * 15_000, { power: 100 + i, temp: i % 3 === 0 ? null : 50 + i });
    }
    const result = store.query('gpu-a', ['temp', 'power'], 1_000_000 + 30_000, 1_000_000 + 90_000);
    expect(result.tier).toBe('raw');
    expect(result.t).toEqual([1_030_000, 1_045_000, 1_060_000, 1_075_000, 1_090_000]);
    expect(result.series.power).toEqual([102, 103, 104, 105, 106]);
    expect(result.series.temp).toEqual([52, null, 54, 55, null]);
    expect(result.min).toBeUndefined();
  });

  it('treats absent fields and NaN as missing, not zero', () => {
    const store = new HistoryStore({ fields: ['a', 'b'] });
    store.push('k', 1000, { a: Number.NaN });
    expect(store.query('k', ['a', 'b'], 0, 2000).series).toEqual({ a: [null], b: [null] });
  });

  it('ignores pushes that are not later than the previous one', () => {
    const store = new HistoryStore({ fields: ['v'] });
    expect(store.push('k', 2000, { v: 1 })).toBe(true);
    expect(store.push('k', 2000, { v: 2 })).toBe(false);
    expect(store.push('k', 1000, { v: 3 })).toBe(false);
    expect(store.push('k', Infinity, { v: 4 })).toBe(false);
    expect(store.push('k', Number.NaN, { v: 5 })).toBe(false);
    expect(store.query('k', ['v'], 0, 5000).series.v).toEqual([1]);
  });

  it('keeps only the raw window and answers older ranges from the 1-minute tier', () => {
    const store = new HistoryStore({
      fields: ['v', 'w'],
      rangeFields: ['v'],
      rawWindowMs: 10 * MINUTE,
      rawStepMs: 15_000,
      downsampleWindowMs: 60 * MINUTE,
      downsampleStepMs: MINUTE,
    });
    // 30 minutes at 15 s: values 0..119; minute m holds values 4m..4m+3.
    for (let i = 0; i < 120; i++) store.push('k', i * 15_000, { v: i, w: 2 * i });
    const recent = store.query('k', ['v'], 25 * MINUTE, 30 * MINUTE);
    expect(recent.tier).toBe('raw');
    expect(recent.t[0]).toBe(25 * MINUTE);

    const old = store.query('k', ['v', 'w'], 0, 30 * MINUTE);
    expect(old.tier).toBe('downsampled');
    expect(old.t).toHaveLength(30);
    expect(old.t[3]).toBe(3 * MINUTE);
    expect(old.series.v[3]).toBe(13.5);
    expect(old.series.w[3]).toBe(27);
    expect(old.min!.v[3]).toBe(12);
    expect(old.max!.v[3]).toBe(15);
    // Only range fields carry a min and max in the downsampled tier.
    expect(Object.keys(old.min!)).toEqual(['v']);
    // The bucket in progress is included, so the long view is not a minute behind.
    expect(old.max!.v[29]).toBe(119);
    expect(old.series.w[29]).toBe(235); // (232 + 234 + 236 + 238) / 4
  });

  it('answers the downsampled tier without min and max when no field keeps them', () => {
    const store = new HistoryStore({ fields: ['v'], rawWindowMs: MINUTE, rawStepMs: 30_000, downsampleWindowMs: 60 * MINUTE });
    for (let i = 0; i < 20; i++) store.push('k', i * 30_000, { v: i });
    const result = store.query('k', ['v'], 0, 10 * MINUTE);
    expect(result.tier).toBe('downsampled');
    expect(result.series.v).toEqual([0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5]);
    expect(result.min).toBeUndefined();
    // Reduced to fewer points, means of means; still no band it could not know.
    const reduced = store.query('k', ['v'], 0, 10 * MINUTE, 3);
    expect(reduced.t).toEqual([0, 5 * MINUTE]);
    expect(reduced.series.v).toEqual([4.5, 14.5]);
    expect(reduced.min).toBeUndefined();
  });

  it('drops downsampled buckets older than their window and skips gaps', () => {
    const store = new HistoryStore({
      fields: ['v'],
      rawWindowMs: MINUTE,
      rawStepMs: 30_000,
      downsampleWindowMs: 5 * MINUTE,
      downsampleStepMs: MINUTE,
    });
    for (let m = 0; m < 10; m++) {
      if (m === 7) continue; // a gap: no data in minute 7
      store.push('k', m * MINUTE, { v: m });
      store.push('k', m * MINUTE + 30_000, { v: m });
    }
    const result = store.query('k', ['v'], 0, 10 * MINUTE);
    expect(result.tier).toBe('downsampled');
    // Five full minutes plus the minute in progress (9); 7 had no data; 0-3 were overwritten.
    expect(result.t.map((t) => t / MINUTE)).toEqual([4, 5, 6, 8, 9]);
    expect(result.series.v).toEqual([4, 5, 6, 8, 9]);
  });

  it('keeps the bucket ring right across many laps: a slot answers only for the bucket it holds', () => {
    // 6 slots (5 minutes + 1); minute m lands in slot m % 6. Push minutes 0..20, skipping 14 and 15:
    // slots 2 and 3 then still hold minutes 8 and 9 (laps ago), which must not be answered as 14 and 15.
    const store = new HistoryStore({ fields: ['v'], rawWindowMs: MINUTE, rawStepMs: 30_000, downsampleWindowMs: 5 * MINUTE });
    for (let m = 0; m <= 20; m++) {
      if (m === 14 || m === 15) continue;
      store.push('k', m * MINUTE, { v: m });
      store.push('k', m * MINUTE + 30_000, { v: m + 0.5 });
    }
    const result = store.query('k', ['v'], 0, 30 * MINUTE);
    expect(result.tier).toBe('downsampled');
    expect(result.t.map((t) => t / MINUTE)).toEqual([16, 17, 18, 19, 20]);
    expect(result.series.v).toEqual([16.25, 17.25, 18.25, 19.25, 20.25]);
    // Only minutes 15..20 are inside the ring's reach when the last push is in minute 20.
    const gap = new HistoryStore({ fields: ['v'], rawWindowMs: MINUTE, rawStepMs: 30_000, downsampleWindowMs: 5 * MINUTE });
    for (let m = 0; m <= 13; m++) {
      gap.push('k', m * MINUTE, { v: m });
      gap.push('k', m * MINUTE + 30_000, { v: m });
    }
    gap.push('k', 20 * MINUTE, { v: 20 });
    gap.push('k', 20 * MINUTE + 30_000, { v: 20 });
    // Minute 13 closed into slot 1; 20 is in progress. 14..19 were never written: 13 is out of reach.
    expect(gap.query('k', ['v'], 0, 30 * MINUTE).t.map((t) => t / MINUTE)).toEqual([20]);
  });

  it('reduces to at most maxPoints with mean, min and max of each span', () => {
    const store = new HistoryStore({ fields: ['v'], rawWindowMs: 60 * MINUTE, rawStepMs: 1000 });
    for (let i = 0; i < 600; i++) store.push('k', i * 1000, { v: i % 10 });
    const result = store.query('k', ['v'], 0, 599_000, 60);
    expect(result.t.length).toBeLessThanOrEqual(60);
    expect(result.t.length).toBeGreaterThan(50);
    expect(result.min!.v.every((v) => v === 0)).toBe(true);
    expect(result.max!.v.every((v) => v === 9)).toBe(true);
    expect(result.series.v[1]).toBe(4.5);
  });

  it('grows the raw ring to what its window needs at the interval seen, never past the configured size', () => {
    // 1 h window sized for 5 s (721 slots at most), pushed every 15 s: 16, 32, 64, 128, 256 slots.
    const store = new HistoryStore({ fields: ['v'], rawWindowMs: 60 * MINUTE, rawStepMs: 5_000, downsampleWindowMs: 60 * MINUTE });
    const rawBytes = (slots: number) => slots * (8 + 4);
    const open = 32; // float64 sum, min, max and count for the bucket in progress
    const block = 61 * (4 + 4); // the whole hour + 1 buckets in one block: a 4-byte stamp and a float32 mean each
    store.push('k', 0, { v: 0 });
    expect(store.bytes()).toBe(rawBytes(16) + open);
    for (let i = 1; i < 16; i++) store.push('k', i * 15_000, { v: i });
    expect(store.bytes()).toBe(rawBytes(16) + open + block); // full, nothing dropped yet
    store.push('k', 16 * 15_000, { v: 16 });
    expect(store.bytes()).toBe(rawBytes(32) + open + block);
    expect(store.query('k', ['v'], 0, Infinity).series.v).toEqual(Array.from({ length: 17 }, (_, i) => i));
    // Four hours: the ring settles at 256 slots (63.75 min at 15 s) and covers the hour.
    for (let i = 17; i < 960; i++) store.push('k', i * 15_000, { v: i });
    const hour = store.query('k', ['v'], 959 * 15_000 - 60 * MINUTE, Infinity);
    expect(hour.tier).toBe('raw');
    expect(hour.t).toHaveLength(241);
    expect(store.query('k', ['v'], 0, Infinity).tier).toBe('downsampled');
    expect(store.bytes()).toBe(rawBytes(256) + open + block);
    expect(store.fullBytes()).toBe(rawBytes(256) + open + block);
    expect(store.rawSlotsAt(15_000)).toBe(256);
    expect(store.rawSlotsAt(30_000)).toBe(128);
    expect(store.rawSlotsAt(5_000)).toBe(721);
    expect(store.rawSlotsAt(1_000)).toBe(721);
    // Pushed every second, the ring stops at 721 slots: 12 minutes.
    const fast = new HistoryStore({ fields: ['v'], rawWindowMs: 60 * MINUTE, rawStepMs: 5_000 });
    for (let i = 0; i < 1000; i++) fast.push('k', i * 1000, { v: i });
    const last12 = fast.query('k', ['v'], 0, Infinity);
    expect(last12.tier).toBe('downsampled');
    expect(fast.query('k', ['v'], 279_000, Infinity).t).toHaveLength(721);
  });

  it('allocates the downsampled tier as its window fills, then never more than the configuration says', () => {
    const store = new HistoryStore({
      fields: ['a', 'b', 'c'],
      rawWindowMs: 60 * MINUTE,
      rawStepMs: 15_000,
      downsampleWindowMs: 24 * 60 * MINUTE,
      downsampleStepMs: MINUTE,
    });
    // raw: at most 241 slots × (8 B time + 3 × 4 B), starting at 16; the bucket in progress:
    // 3 × 4 × 8 B; downsampled: 1441 slots × (4 B stamp + 3 × 4 B mean), 4 hours (240 slots)
    // at a time, the first when the first minute closes.
    const open = 3 * 32;
    const firstRaw = 16 * 20;
    const full = 241 * 20 + open + 1441 * 16;
    expect(full).toBe(27_972);
    expect(store.configuredBytesPerEntity()).toBe(full);
    expect(store.tierBytes()).toEqual({ raw: 4820, downsampled: 1441 * 16 + open });
    expect(store.bytes()).toBe(0);
    store.push('g1', 0, { a: 1 });
    store.push('g2', 0, { a: 1 });
    expect(store.bytes()).toBe(2 * (firstRaw + open));
    // One point each: projected at the configured step.
    expect(store.fullBytes()).toBe(2 * full);
    // Two days of pushes every 15 s: g1 reaches its configured size a day and a minute in (when
    // the 1,441st bucket closes) and stays there.
    let afterOneDay = 0;
    let afterTwoMinutes = 0;
    for (let t = 15_000; t < 2 * 86_400_000; t += 15_000) {
      store.push('g1', t, { a: t, b: 1, c: 2 });
      if (t === 2 * MINUTE) afterTwoMinutes = store.bytes();
      if (t === 86_400_000 + MINUTE) afterOneDay = store.bytes();
    }
    // Two minutes in: 9 points in the first raw ring, minute 0 closed into the first 4-hour block.
    expect(afterTwoMinutes).toBe(2 * (firstRaw + open) + 240 * 16);
    expect(afterOneDay).toBe(full + firstRaw + open);
    expect(store.bytes()).toBe(full + firstRaw + open);
    expect(store.configuredMaxBytes()).toBe(10_000 * full);
    store.remove('g2');
    expect(store.bytes()).toBe(full);
    expect(store.fullBytes()).toBe(full);
    expect(store.query('g2', ['a'], 0, Infinity).t).toEqual([]);
    store.remove('g1');
    expect(store.bytes()).toBe(0);
  });

  it('bounds the number of entities, dropping the least recently updated', () => {
    const store = new HistoryStore({ fields: ['v'], maxEntities: 3 });
    store.push('a', 1, { v: 1 });
    store.push('b', 1, { v: 1 });
    store.push('c', 1, { v: 1 });
    store.push('a', 2, { v: 2 });
    store.push('d', 1, { v: 1 });
    expect(['a', 'b', 'c', 'd'].filter((key) => store.has(key))).toEqual(['a', 'c', 'd']);
    // Each holds its first raw ring (16 slots × (8 + 4) B) and its bucket in progress (32 B);
    // no bucket has closed, so no downsampled block is allocated yet.
    expect(store.bytes()).toBe(3 * (16 * 12 + 32));
    expect(store.configuredMaxBytes()).toBe(3 * store.configuredBytesPerEntity());
  });

  it('rejects unknown fields in queries and bad configuration', () => {
    const store = new HistoryStore({ fields: ['v'] });
    expect(() => store.query('k', ['nope'], 0, 1)).toThrow(/no field nope/);
    expect(() => new HistoryStore({ fields: [] })).toThrow();
    expect(() => new HistoryStore({ fields: ['v'], rawStepMs: 0 })).toThrow(/rawStepMs/);
    expect(() => new HistoryStore({ fields: ['v'], rangeFields: ['w'] })).toThrow(/no field w/);
    expect(() => new HistoryStore({ fields: ['v'], encodings: { w: fixedPoint(10) } })).toThrow(/no field w/);
    expect(() => fixedPoint(0)).toThrow();
  });

  it('matches a plain-array model for any push sequence (property)', () => {
    const step = 1000;
    const rawCapacity = 11; // 10 s window at 1 s steps
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 5000 }), value: fc.option(fc.integer({ min: -1000, max: 1000 })) }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 0, max: 400_000 }),
        (pushes, a, b) => {
          const store = new HistoryStore({
            fields: ['v'],
            rangeFields: ['v'],
            rawWindowMs: 10 * step,
            rawStepMs: step,
            downsampleWindowMs: 10 * MINUTE,
            downsampleStepMs: 10_000,
          });
          const model: { t: number; v: number | null }[] = [];
          let t = 0;
          for (const push of pushes) {
            t += push.gap;
            store.push('k', t, { v: push.value });
            model.push({ t, v: push.value });
          }
          const [from, to] = a <= b ? [a, b] : [b, a];
          const result = store.query('k', ['v'], from, to);
          // The ring drops a point only when the rest still covers the window or it is at its
          // configured size: a range inside the window is raw unless the last rawCapacity points
          // do not reach back to it.
          const lastT = model[model.length - 1].t;
          if (from >= lastT - 10 * step && (model.length <= rawCapacity || model[model.length - rawCapacity].t <= from)) {
            expect(result.tier).toBe('raw');
          }
          expect(store.bytes()).toBeLessThanOrEqual(store.configuredBytesPerEntity());
          if (result.tier === 'raw') {
            // Raw answers only when it holds every point in range.
            const expected = model.filter((p) => p.t >= from && p.t <= to);
            expect(result.t).toEqual(expected.map((p) => p.t));
            expect(result.series.v).toEqual(expected.map((p) => p.v));
          } else {
            // Every bucket returned summarises exactly the model points inside it.
            result.t.forEach((start, i) => {
              const inside = model.filter((p) => p.t >= start && p.t < start + 10_000 && p.v !== null).map((p) => p.v!);
              if (inside.length === 0) {
                expect(result.series.v[i]).toBeNull();
                return;
              }
              expect(result.min!.v[i]).toBe(Math.min(...inside));
              expect(result.max!.v[i]).toBe(Math.max(...inside));
              expect(result.series.v[i]).toBeCloseTo(inside.reduce((s, v) => s + v, 0) / inside.length, 3);
            });
            // And no retained bucket in range is left out.
            const lastBucket = Math.floor(t / 10_000);
            const expectedStarts = new Set(
              model
                .map((p) => Math.floor(p.t / 10_000))
                .filter((bucket) => bucket > lastBucket - 61 && bucket * 10_000 >= from && bucket * 10_000 <= to)
                .map((bucket) => bucket * 10_000),
            );
            expect(result.t).toEqual([...expectedStarts].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
