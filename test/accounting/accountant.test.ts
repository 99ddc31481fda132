// The accounting definitions of issue 19, each with figures worked out by hand.
import { describe, expect, it } from 'vitest';
import { Accountant, intervalState, type AccountingOptions } from '../../src/main/core/accounting/accountant';
import type { AccountedGpu, AccountingSample } from '../../src/main/core/accounting/types';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const H = 3600;

function gpu(key: string, node = 'node-a', model: string | null = 'NVIDIA H100 80GB HBM3'): AccountedGpu {
  return { key, node, model };
}

interface S {
  ns?: string;
  pod?: string;
  job?: string;
  util?: number | null;
  missing?: boolean;
  energy?: number | null;
  power?: number | null;
  share?: number;
}

/** A sample `sec` seconds after T0. */
function at(sec: number, s: S = {}): AccountingSample {
  return {
    t: T0 + sec * 1000,
    attribution: { namespaces: s.ns ? [s.ns] : [], pods: s.pod ? [s.pod] : [], jobs: s.job ? [s.job] : [] },
    realUtil: s.util === undefined ? 0 : s.util,
    realUtilMissing: s.missing ?? false,
    energyJoules: s.energy ?? null,
    powerWatts: s.power ?? null,
    energyShare: s.share ?? 1,
  };
}

function report(feed: Array<[AccountedGpu, AccountingSample]>, opts: Partial<AccountingOptions> = {}) {
  const accountant = new Accountant({ by: 'namespace', ...opts });
  for (const [g, s] of feed) accountant.add(g, s);
  return accountant.finish();
}

const row = (r: ReturnType<typeof report>, owner: string) => r.rows.find((x) => x.owner === owner)!;

describe('state of an interval (threshold 5 %)', () => {
  it('idle below the threshold with every input, busy at or above it, unknown otherwise', () => {
    expect(intervalState(4.99, false, 0.05)).toBe('idle');
    expect(intervalState(5, false, 0.05)).toBe('busy');
    // A lower bound at or above the threshold is surely busy; below it, it could be anything.
    expect(intervalState(12, true, 0.05)).toBe('busy');
    expect(intervalState(3, true, 0.05)).toBe('unknown');
    expect(intervalState(null, true, 0.05)).toBe('unknown');
    expect(intervalState(7, false, 0.1)).toBe('idle');
  });
});

describe('Accountant', () => {
  it('gives each interval its first sample owner and state; the last sample carries no time', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml', util: 2 })],
      [g, at(60, { ns: 'ml', util: 50 })],
      [g, at(120, { ns: 'ml', util: 1 })],
    ]);
    const ml = row(r, 'ml');
    expect(ml.gpus).toBe(1);
    // 120 s held, the first 60 s idle (2 %), the next 60 s busy (50 %).
    expect(ml.gpuHours).toBeCloseTo(120 / H, 6);
    expect(ml.idleGpuHours).toBeCloseTo(60 / H, 6);
    expect(ml.unknownGpuHours).toBe(0);
    // (0.02 × 60 + 0.50 × 60) / 120 = 0.26
    expect(ml.meanRealUtil).toBe(0.26);
    expect(ml.energyKWh).toBeNull();
    expect(ml.energySource).toBeNull();
    expect(ml.cost).toBeNull();
    expect(ml.longestIdle).toEqual({ gpu: 'node-a/GPU-1', start: new Date(T0).toISOString(), hours: round6(60 / H) });
    expect(r.start).toBe(new Date(T0).toISOString());
    expect(r.end).toBe(new Date(T0 + 120_000).toISOString());
    expect(r.by).toBe('namespace');
    expect(r.idleBelow).toBe(0.05);
  });

  it('counts a gap of up to 5 minutes and drops a longer one as no data', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml', util: 0 })],
      [g, at(300, { ns: 'ml', util: 0 })], // exactly 5 min: counted
      [g, at(601, { ns: 'ml', util: 0 })], // 301 s: no data
      [g, at(661, { ns: 'ml', util: 0 })], // 60 s: counted
    ]);
    const ml = row(r, 'ml');
    expect(ml.gpuHours).toBeCloseTo(360 / H, 6);
    expect(ml.idleGpuHours).toBeCloseTo(360 / H, 6);
    // The gap breaks the idle stretch: the longest is the first 300 s, not 661 s.
    expect(ml.longestIdle).toEqual({ gpu: 'node-a/GPU-1', start: new Date(T0).toISOString(), hours: round6(300 / H) });
    // Not two GPUs: the two holds of one GPU do not overlap.
    expect(ml.gpus).toBe(1);
  });

  it('clips intervals, their energy and idle stretches to the window', () => {
    const g = gpu('node-a/GPU-1');
    const r = report(
      [
        [g, at(0, { ns: 'ml', util: 1, energy: 0 })],
        [g, at(60, { ns: 'ml', util: 80, energy: 6000 })],
        [g, at(120, { ns: 'ml', util: 1, energy: 12000 })],
      ],
      { startMs: T0 + 30_000, endMs: T0 + 90_000 },
    );
    const ml = row(r, 'ml');
    // [0,60] -> [30,60] idle; [60,120] -> [60,90] busy.
    expect(ml.gpuHours).toBeCloseTo(60 / H, 6);
    expect(ml.idleGpuHours).toBeCloseTo(30 / H, 6);
    // Half of each interval's 6000 J: 6000 J = 6000 / 3.6e6 kWh.
    expect(ml.energyKWh).toBeCloseTo(6000 / 3.6e6, 6);
    expect(ml.energySource).toBe('counter');
    // (0.01 × 30 + 0.80 × 30) / 60 = 0.405
    expect(ml.meanRealUtil).toBe(0.405);
    expect(ml.longestIdle).toEqual({ gpu: 'node-a/GPU-1', start: new Date(T0 + 30_000).toISOString(), hours: round6(30 / H) });
    expect(r.start).toBe(new Date(T0 + 30_000).toISOString());
    expect(r.end).toBe(new Date(T0 + 90_000).toISOString());
  });

  it('takes intervals with missing inputs as busy or unknown and leaves them out of the mean', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml', util: 3, missing: true })], // unknown
      [g, at(60, { ns: 'ml', util: 10, missing: true })], // busy (lower bound 10 %)
      [g, at(120, { ns: 'ml', util: null, missing: true })], // unknown (no input at all)
      [g, at(180, { ns: 'ml', util: 40 })], // busy, complete
      [g, at(240, { ns: 'ml', util: 0 })],
    ]);
    const ml = row(r, 'ml');
    expect(ml.gpuHours).toBeCloseTo(240 / H, 6);
    expect(ml.unknownGpuHours).toBeCloseTo(120 / H, 6);
    expect(ml.idleGpuHours).toBe(0);
    // Only [180,240] has every input: mean 0.40.
    expect(ml.meanRealUtil).toBe(0.4);
    expect(ml.longestIdle).toBeNull();
  });

  it('gives null meanRealUtil when no interval had every input', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml', util: 30, missing: true })],
      [g, at(60, { ns: 'ml', util: 30, missing: true })],
    ]);
    expect(row(r, 'ml').meanRealUtil).toBeNull();
  });

  it('handles an energy counter reset as a restart from 0', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml', util: 50, energy: 1000 })],
      [g, at(60, { ns: 'ml', util: 50, energy: 2000 })],
      [g, at(120, { ns: 'ml', util: 50, energy: 500 })], // reset: 500 J since
      [g, at(180, { ns: 'ml', util: 50, energy: 900 })],
    ]);
    // 1000 + 500 + 400 = 1900 J
    // kWh are given to 6 decimals (a milliwatt-hour).
    expect(row(r, 'ml').energyKWh).toBe(round6(1900 / 3.6e6));
  });

  it('uses power × time where a GPU has no counter, and says which', () => {
    const a = gpu('node-a/GPU-1');
    const b = gpu('node-a/GPU-2');
    const r = report([
      [a, at(0, { ns: 'ml', util: 50, power: 300 })],
      [a, at(60, { ns: 'ml', util: 50, power: 100 })],
      [b, at(0, { ns: 'web', util: 50, energy: 0, power: 999 })],
      [b, at(60, { ns: 'web', util: 50, energy: 36_000, power: 999 })],
    ]);
    // The interval carries its first sample's power: 300 W × 60 s = 18 kJ = 0.005 kWh.
    expect(row(r, 'ml').energyKWh).toBeCloseTo(0.005, 9);
    expect(row(r, 'ml').energySource).toBe('power');
    // The counter wins over power: 36 kJ = 0.01 kWh.
    expect(row(r, 'web').energyKWh).toBeCloseTo(0.01, 9);
    expect(row(r, 'web').energySource).toBe('counter');
    const mixed = report(
      [
        [a, at(0, { ns: 'ml', power: 300 })],
        [a, at(60, { ns: 'ml', power: 300 })],
        [b, at(0, { ns: 'ml', energy: 0 })],
        [b, at(60, { ns: 'ml', energy: 36_000 })],
      ],
    );
    expect(row(mixed, 'ml').energySource).toBe('mixed');
    expect(row(mixed, 'ml').energyKWh).toBeCloseTo(0.015, 9);
  });

  it('follows an owner change mid-window and counts most GPUs held at once', () => {
    const g1 = gpu('node-a/GPU-1');
    const g2 = gpu('node-a/GPU-2');
    const r = report([
      [g1, at(0, { ns: 'a', util: 0 })],
      [g1, at(60, { ns: 'a', util: 0 })],
      [g1, at(120, { ns: 'b', util: 90 })], // the pod of b starts on GPU 1
      [g1, at(180, { ns: 'b', util: 90 })],
      [g1, at(240, { ns: 'b', util: 90 })],
      [g2, at(60, { ns: 'a', util: 0 })],
      [g2, at(120, { ns: 'a', util: 0 })],
      [g2, at(180, { util: 0 })], // released: unallocated
      [g2, at(240, { util: 0 })],
    ]);
    const a = row(r, 'a');
    const b = row(r, 'b');
    expect(a.gpuHours).toBeCloseTo(240 / H, 6); // GPU 1 [0,120] + GPU 2 [60,180]
    expect(a.idleGpuHours).toBeCloseTo(240 / H, 6);
    expect(a.gpus).toBe(2); // both during [60,120]
    expect(b.gpuHours).toBeCloseTo(120 / H, 6);
    expect(b.gpus).toBe(1);
    expect(b.idleGpuHours).toBe(0);
    expect(r.unallocated.owner).toBeNull();
    expect(r.unallocated.gpuHours).toBeCloseTo(60 / H, 6);
    expect(r.unallocated.gpus).toBe(1);
    // The most idle owner first.
    expect(r.rows.map((x) => x.owner)).toEqual(['a', 'b']);
    // Idle stretches are per owner and GPU: 120 s of GPU 1 (or GPU 2), the first found.
    expect(a.longestIdle).toEqual({ gpu: 'node-a/GPU-1', start: new Date(T0).toISOString(), hours: round6(120 / H) });
  });

  it('counts a hand-over between two GPUs of one owner as one GPU held', () => {
    const g1 = gpu('node-a/GPU-1');
    const g2 = gpu('node-a/GPU-2');
    const r = report([
      [g1, at(0, { ns: 'a' })],
      [g1, at(60, {})],
      [g2, at(60, { ns: 'a' })],
      [g2, at(120, {})],
    ]);
    expect(row(r, 'a').gpus).toBe(1);
    expect(row(r, 'a').gpuHours).toBeCloseTo(120 / H, 6);
  });

  it('groups by pod, job, node and model', () => {
    const g1 = gpu('node-a/GPU-1', 'node-a', 'A100');
    const g2 = gpu('node-b/GPU-2', 'node-b', null);
    const feed: Array<[AccountedGpu, AccountingSample]> = [
      [g1, at(0, { ns: 'ml', pod: 'train-0', job: '4711' })],
      [g1, at(60, { ns: 'ml', pod: 'train-0', job: '4711' })],
      [g2, at(0, {})],
      [g2, at(60, {})],
    ];
    expect(report(feed, { by: 'pod' }).rows.map((x) => x.owner)).toEqual(['ml/train-0']);
    expect(report(feed, { by: 'job' }).rows.map((x) => x.owner)).toEqual(['4711']);
    expect(report(feed, { by: 'node' }).rows.map((x) => x.owner).sort()).toEqual(['node-a', 'node-b']);
    const byModel = report(feed, { by: 'model' });
    expect(byModel.rows.map((x) => x.owner)).toEqual(['A100']);
    expect(byModel.unallocated.gpuHours).toBeCloseTo(60 / H, 6);
  });

  it('prices GPU-hours and honours --idle-below', () => {
    const g = gpu('node-a/GPU-1');
    const feed: Array<[AccountedGpu, AccountingSample]> = [
      [g, at(0, { ns: 'ml', util: 8 })],
      [g, at(2 * H, { ns: 'ml', util: 8 })],
    ];
    // A 2 h gap is no data: use 5-minute steps instead.
    const steps: Array<[AccountedGpu, AccountingSample]> = [];
    for (let s = 0; s <= 2 * H; s += 300) steps.push([g, at(s, { ns: 'ml', util: 8 })]);
    expect(report(feed).rows).toEqual([]);
    const r = report(steps, { pricePerGpuHour: 2.5, idleBelow: 0.1 });
    expect(row(r, 'ml').gpuHours).toBe(2);
    expect(row(r, 'ml').idleGpuHours).toBe(2); // 8 % < 10 %
    expect(row(r, 'ml').cost).toBe(5);
    expect(r.unallocated.cost).toBe(0);
    expect(row(report(steps), 'ml').idleGpuHours).toBe(0); // 8 % ≥ 5 %
  });

  it('ignores a repeated sample time of a GPU', () => {
    const g = gpu('node-a/GPU-1');
    const r = report([
      [g, at(0, { ns: 'ml' })],
      [g, at(60, { ns: 'ml' })],
      [g, at(60, { ns: 'other' })],
      [g, at(120, { ns: 'ml' })],
    ]);
    expect(r.rows.map((x) => [x.owner, x.gpuHours])).toEqual([['ml', round6(120 / H)]]);
  });
});

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
