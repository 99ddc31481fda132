// A page's tick stream: full snapshots for the GPUs it watches, summary rows for the rest, and a
// newly watched GPU in full at once.
import { describe, expect, it } from 'vitest';
import { openTickStream } from '../../src/main/core/tick-stream';
import { SUMMARY_READINGS, summarizeGpu, type GpuSnapshot } from '../../src/shared/gpu';
import type { Tick } from '../../src/shared/api';
import { gpu } from '../renderer/fake-api';

function fullGpu(key: string, observedAt = 1000): GpuSnapshot {
  return gpu({
    key,
    observedAt,
    readings: { smActive: 0.9, tensorActive: 0.5, dramActive: 0.3, powerWatts: 500, powerLimitWatts: 700, gpuTempC: 60, fbUsedBytes: 2 ** 34, fbTotalBytes: 2 ** 36, pcieTxBytesPerSec: 1e9, nvlinkTotalBytesPerSec: 2e9, smClockHz: 1.98e9, xidLast: 0 },
    raw: { DCGM_FI_DEV_NEW_THING: 3 },
  });
}

function fakeBackend(current: GpuSnapshot[]) {
  const listeners = new Set<(tick: Tick) => void>();
  return {
    current,
    getGpus: async () => current,
    onTick(listener: (tick: Tick) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(gpus: GpuSnapshot[]) {
      for (const listener of listeners) listener({ at: 1, gpus, removedGpus: [], targets: [], removedTargets: [] });
    },
    listenerCount: () => listeners.size,
  };
}

describe('summarizeGpu', () => {
  it('keeps identity, class, health, attribution and the card readings, drops the rest and says so', () => {
    const full = fullGpu('n/GPU-1');
    const summary = summarizeGpu(full);
    expect(summary.detail).toBe('summary');
    expect(summary.raw).toBeUndefined();
    expect(Object.keys(summary.readings).sort()).toEqual([...SUMMARY_READINGS].sort());
    expect(summary.readings.powerWatts).toBe(500);
    const { readings: _r, raw: _raw, detail: _d, ...identity } = summary;
    const { readings: _r2, raw: _raw2, ...fullIdentity } = full;
    expect(identity).toEqual(fullIdentity);
    expect(full.readings.smClockHz).toBe(1.98e9); // the source is not touched
  });

  it('leaves out readings the exporter did not provide instead of inventing them', () => {
    expect(Object.keys(summarizeGpu(gpu({ readings: { powerWatts: 10 } })).readings)).toEqual(['powerWatts']);
  });
});

describe('openTickStream', () => {
  it('sends summary rows for unwatched GPUs and full snapshots for watched ones', async () => {
    const a = fullGpu('n/GPU-a');
    const b = fullGpu('n/GPU-b');
    const backend = fakeBackend([a, b]);
    const sent: Tick[] = [];
    const stream = openTickStream(backend, (tick) => sent.push(tick));

    backend.emit([a, b]);
    expect(sent[0]!.gpus.map((g) => g.detail)).toEqual(['summary', 'summary']);

    await stream.watch(['n/GPU-b']);
    // The newly watched GPU comes in full at once, without waiting for its next scrape.
    expect(sent).toHaveLength(2);
    expect(sent[1]!.gpus).toEqual([b]);

    backend.emit([a, b]);
    expect(sent[2]!.gpus[0]!.detail).toBe('summary');
    expect(sent[2]!.gpus[1]).toBe(b);

    // Watching a set that only shrinks sends nothing extra; the released GPU falls back to summary rows.
    await stream.watch([]);
    expect(sent).toHaveLength(3);
    backend.emit([b]);
    expect(sent[3]!.gpus[0]!.detail).toBe('summary');
  });

  it('sends only the newly watched GPUs that exist, in full', async () => {
    const a = fullGpu('n/GPU-a');
    const b = fullGpu('n/GPU-b');
    const backend = fakeBackend([a, b]);
    const sent: Tick[] = [];
    const stream = openTickStream(backend, (tick) => sent.push(tick));
    await stream.watch(['n/GPU-a']);
    await stream.watch(['n/GPU-a', 'n/GPU-b', 'n/gone']);
    expect(sent.map((t) => t.gpus.map((g) => g.key))).toEqual([['n/GPU-a'], ['n/GPU-b']]);
  });

  it('makes one summary row per snapshot however many streams send it', () => {
    const a = fullGpu('n/GPU-a');
    const backend = fakeBackend([a]);
    const first: Tick[] = [];
    const second: Tick[] = [];
    openTickStream(backend, (tick) => first.push(tick));
    openTickStream(backend, (tick) => second.push(tick));
    backend.emit([a]);
    expect(first[0]!.gpus[0]).toBe(second[0]!.gpus[0]);
    // A new scrape is a new snapshot object and gets a new row.
    backend.emit([fullGpu('n/GPU-a', 2000)]);
    expect(first[1]!.gpus[0]!.observedAt).toBe(2000);
  });

  it('stops sending and unsubscribes when closed', async () => {
    const a = fullGpu('n/GPU-a');
    const backend = fakeBackend([a]);
    const sent: Tick[] = [];
    const stream = openTickStream(backend, (tick) => sent.push(tick));
    stream.close();
    expect(backend.listenerCount()).toBe(0);
    await stream.watch(['n/GPU-a']);
    backend.emit([a]);
    expect(sent).toHaveLength(0);
  });
});
