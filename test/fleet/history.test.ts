import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/core/fleet/history';

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
      fields: ['v'],
      rawWindowMs: 10 * MINUTE,
      rawStepMs: 15_000,
      downsampleWindowMs: 60 * MINUTE,
      downsampleStepMs: MINUTE,
    });
    // 30 minutes at 15 s: values 0..119; minute m holds values 4m..4m+3.
    for (let i = 0; i < 120; i++) store.push('k', i * 15_000, { v: i });
    const recent = store.query('k', ['v'], 25 * MINUTE, 30 * MINUTE);
    expect(recent.tier).toBe('raw');
    expect(recent.t[0]).toBe(25 * MINUTE);

    const old = store.query('k', ['v'], 0, 30 * MINUTE);
    expect(old.tier).toBe('downsampled');
    expect(old.t).toHaveLength(30);
    expect(old.t[3]).toBe(3 * MINUTE);
    expect(old.series.v[3]).toBe(13.5);
    expect(old.min!.v[3]).toBe(12);
    expect(old.max!.v[3]).toBe(15);
    // The bucket in progress is included, so the long view is not a minute behind.
    expect(old.max!.v[29]).toBe(119);
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

  it('allocates the downsampled tier as its window fills, then never more than the configuration says', () => {
    const store = new HistoryStore({
      fields: ['a', 'b', 'c'],
      rawWindowMs: 60 * MINUTE,
      rawStepMs: 15_000,
      downsampleWindowMs: 24 * 60 * MINUTE,
      downsampleStepMs: MINUTE,
    });
    // raw: 241 slots × (8 B time + 3 × 4 B); current bucket: 3 × 8 B sums + 3 × 4 B counts;
    // downsampled: 1441 slots × (8 B + 3 fields × 3 × 4 B), allocated an hour (60 slots) at a time.
    const fixed = 241 * (8 + 12) + 24 + 12;
    const hourBlock = 60 * (8 + 36);
    const expected = fixed + 1441 * (8 + 36);
    expect(store.configuredBytesPerEntity()).toBe(expected);
    expect(store.bytes()).toBe(0);
    store.push('g1', 0, { a: 1 });
    store.push('g2', 0, { a: 1 });
    expect(store.bytes()).toBe(2 * (fixed + hourBlock));
    expect(store.fullBytes()).toBe(2 * expected);
    // Two days of pushes every 15 s: g1 reaches its configured size and stays there.
    let afterOneDay = 0;
    for (let t = 15_000; t < 2 * 86_400_000; t += 15_000) {
      store.push('g1', t, { a: t, b: 1, c: 2 });
      if (t === 86_400_000) afterOneDay = store.bytes();
    }
    expect(afterOneDay).toBe(expected + fixed + hourBlock);
    expect(store.bytes()).toBe(expected + fixed + hourBlock);
    expect(store.configuredMaxBytes()).toBe(10_000 * expected);
    store.remove('g2');
    expect(store.bytes()).toBe(expected);
    expect(store.fullBytes()).toBe(expected);
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
    // Each holds its raw ring and the one downsampled block it has written so far.
    // Default shape, one field: 241 raw slots × (8 + 4) B, 8 + 4 B of sums, 60 buckets × (8 + 3 × 4) B.
    expect(store.bytes()).toBe(3 * (241 * 12 + 12 + 60 * 20));
    expect(store.configuredMaxBytes()).toBe(3 * store.configuredBytesPerEntity());
  });

  it('rejects unknown fields in queries and bad configuration', () => {
    const store = new HistoryStore({ fields: ['v'] });
    expect(() => store.query('k', ['nope'], 0, 1)).toThrow(/no field nope/);
    expect(() => new HistoryStore({ fields: [] })).toThrow();
    expect(() => new HistoryStore({ fields: ['v'], rawStepMs: 0 })).toThrow(/rawStepMs/);
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
          const retained = model.slice(-rawCapacity);
          if (result.tier === 'raw') {
            expect(model.length <= rawCapacity || retained[0].t <= from).toBe(true);
            const expected = retained.filter((p) => p.t >= from && p.t <= to);
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
