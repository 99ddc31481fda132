// The FleetStore's side of the tick subscription: the union of what mounted views watch goes to
// the Api once per task, and a summary row never overwrites or duplicates the full snapshot of the same scrape.
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/renderer/src/state/fleet-store';
import { SPARK_POINTS, SparkBook } from '../../src/renderer/src/state/spark-book';
import { summarizeGpu } from '../../src/shared/gpu';
import { fakeApi, gpu, target } from './fake-api';

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('FleetStore.watch', () => {
  it('sends the sorted union of every watcher once per task, and only when it changes', async () => {
    const api = fakeApi({});
    const store = new FleetStore(api);
    const releaseA = store.watch(['n/GPU-2', 'n/GPU-1']);
    const releaseB = store.watch(['n/GPU-1', 'n/GPU-3']);
    await flush();
    expect(api.watchCalls).toEqual([['n/GPU-1', 'n/GPU-2', 'n/GPU-3']]);

    // A route change: one view leaves and the next asks for the same GPUs in the same task.
    releaseA();
    const releaseC = store.watch(['n/GPU-2']);
    await flush();
    expect(api.watchCalls).toHaveLength(1);

    releaseB();
    await flush();
    expect(api.watchCalls.at(-1)).toEqual(['n/GPU-2']);
    releaseC();
    await flush();
    expect(api.watchCalls.at(-1)).toEqual([]);
  });
});

describe('FleetStore ticks with summary rows', () => {
  it('keeps the full snapshot of a scrape over a summary row of the same scrape, and extends sparklines once per scrape', async () => {
    const full = gpu({ observedAt: 2000, readings: { powerWatts: 300, smClockHz: 1.4e9 } });
    const api = fakeApi({ targets: [target()], gpus: [gpu({ observedAt: 1000 })] });
    const store = new FleetStore(api);
    await store.start();
    const tick = (g: typeof full) => ({ at: 0, gpus: [g], removedGpus: [], targets: [], removedTargets: [] });

    store.applyTick(tick(summarizeGpu(full)));
    expect(store.getState().gpus.get(full.key)!.detail).toBe('summary');
    expect(store.getState().sparks.get(full.key)!.t.at(-1)).toBe(2000);
    const points = store.getState().sparks.get(full.key)!.t.length;

    store.applyTick(tick(full));
    expect(store.getState().gpus.get(full.key)).toBe(full);
    store.applyTick(tick(summarizeGpu(full)));
    expect(store.getState().gpus.get(full.key)).toBe(full);
    expect(store.getState().sparks.get(full.key)!.t).toHaveLength(points);

    const newer = summarizeGpu(gpu({ observedAt: 3000 }));
    store.applyTick(tick(newer));
    expect(store.getState().gpus.get(full.key)).toBe(newer);
    expect(store.getState().sparks.get(full.key)!.t.at(-1)).toBe(3000);
    // A replay seeking backwards sends older scrapes: they are shown, not dropped.
    const rewound = summarizeGpu(gpu({ observedAt: 500 }));
    store.applyTick(tick(rewound));
    expect(store.getState().gpus.get(full.key)).toBe(rewound);
  });
});

describe('SparkBook', () => {
  it('keeps the last SPARK_POINTS points oldest first, missing as null, and one object per point', () => {
    const book = new SparkBook();
    book.backfill('n/GPU-1', { t: [1, 2], values: { realUtil: [10, null], powerWatts: [300, 310] } });
    const first = book.get('n/GPU-1')!;
    expect(first.t).toEqual([1, 2]);
    expect(first.values.realUtil).toEqual([10, null]);
    expect(first.values.gpuTempC).toEqual([null, null]);
    expect(book.get('n/GPU-1')).toBe(first);
    for (let i = 0; i < SPARK_POINTS + 5; i++) book.append(gpu({ key: 'n/GPU-1', observedAt: 100 + i, realUtil: i, readings: { powerWatts: 200 + i } }));
    const spark = book.get('n/GPU-1')!;
    expect(spark).not.toBe(first);
    expect(spark.t).toHaveLength(SPARK_POINTS);
    expect(spark.t[0]).toBe(105);
    expect(spark.t.at(-1)).toBe(100 + SPARK_POINTS + 4);
    expect(spark.values.realUtil.at(-1)).toBe(SPARK_POINTS + 4);
    expect(spark.values.powerWatts[0]).toBe(205);
    expect(spark.values.smActive.every((v) => v === null)).toBe(true);
    book.delete('n/GPU-1');
    expect(book.get('n/GPU-1')).toBeUndefined();
  });
});
