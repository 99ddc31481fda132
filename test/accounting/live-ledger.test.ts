// The live ledger: held-idle-now per GPU, reports over the engine's own history, and the
// gpu_pulse_held_idle_* gauges.
import { describe, expect, it } from 'vitest';
import { WasteLedger } from '../../src/main/core/accounting/live-ledger';
import type { GpuSnapshot } from '../../src/shared/gpu';

const T0 = Date.UTC(2026, 11, 1, 8);

function snap(key: string, realUtil: number, opts: { ns?: string; pod?: string; energy?: number; missing?: boolean } = {}): GpuSnapshot {
  const [node, uuid] = key.split('/');
  return {
    key,
    node,
    uuid,
    gpuIndex: 0,
    migInstance: null,
    model: 'NVIDIA H100 80GB HBM3',
    sourceId: 't',
    realUtil,
    realUtilMissing: opts.missing ? ['smActive'] : [],
    class: { label: 'idle', bottleneck: 'idle' },
    health: { state: 'OK', reasons: [] },
    attribution: { namespaces: opts.ns ? [opts.ns] : [], pods: opts.pod ? [opts.pod] : [], jobs: [] },
    readings: { powerWatts: 60, ...(opts.energy === undefined ? {} : { energyJoules: opts.energy }) },
    observedAt: 0,
  };
}

describe('WasteLedger', () => {
  it('says which held GPUs are idle now and since when; busy or unallocated GPUs are not', () => {
    let now = T0;
    const ledger = new WasteLedger({ now: () => now });
    for (let s = 0; s <= 600; s += 5) {
      now = T0 + s * 1000;
      ledger.observe(
        [
          snap('n1/GPU-1', s < 120 ? 50 : 1, { ns: 'ml', pod: 'nb-0' }), // idle from 120 s
          snap('n1/GPU-2', 90, { ns: 'ml', pod: 'train-0' }),
          snap('n1/GPU-3', 0), // unallocated
          snap('n1/GPU-4', 2, { ns: 'web', pod: 'x', missing: true }), // a lower bound: not surely idle
        ],
        now,
      );
    }
    expect(ledger.heldIdle()).toEqual([
      { key: 'n1/GPU-1', node: 'n1', uuid: 'GPU-1', gpuIndex: 0, migInstanceId: null, namespace: 'ml', pod: 'nb-0', idleSince: T0 + 120_000, idleSeconds: 480 },
    ]);
    // Gone quiet for more than 5 minutes: no longer "idle now".
    expect(ledger.heldIdle(now + 301_000)).toEqual([]);
  });

  it('reports over its history with the accounting definitions, energy from the counter', () => {
    let now = T0;
    const ledger = new WasteLedger({ now: () => now });
    for (let s = 0; s <= 600; s += 5) {
      now = T0 + s * 1000;
      // 5e9 J since boot (beyond float32's joule resolution), +300 J every 5 s.
      ledger.observe([snap('n1/GPU-1', 1, { ns: 'ml', energy: 5e9 + s * 60 }), snap('n1/GPU-2', 1, { energy: 1000 + s * 60 })], now);
    }
    const report = ledger.report({ by: 'namespace', startMs: T0 + 60_000, endMs: T0 + 600_000 });
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ owner: 'ml', gpus: 1, gpuHours: 0.15, idleGpuHours: 0.15, meanRealUtil: 0.01, energySource: 'counter' });
    // 540 s × 60 W = 32,400 J = 0.009 kWh.
    expect(report.rows[0].energyKWh).toBeCloseTo(0.009, 6);
    expect(report.unallocated.gpuHours).toBe(0.15);
  });

  it('publishes gpu_pulse_held_idle_gpus and gpu_pulse_held_idle_seconds', async () => {
    let now = T0;
    const ledger = new WasteLedger({ now: () => now });
    for (let s = 0; s <= 60; s += 5) {
      now = T0 + s * 1000;
      ledger.observe([snap('n1/GPU-1', 1, { ns: 'ml', pod: 'nb-0' }), snap('n1/GPU-2', 0, { ns: 'ml', pod: 'nb-0' })], now);
    }
    const text = await ledger.registry.metrics();
    expect(text).toContain('gpu_pulse_held_idle_gpus{namespace="ml",pod="nb-0"} 2');
    expect(text).toContain('gpu_pulse_held_idle_seconds{namespace="ml",pod="nb-0",node="n1",uuid="GPU-1",gpu="0",mig_instance=""} 60');
  });

  it('counts its rings in bytes: small for a new GPU, the full size projected from the interval seen', () => {
    let now = T0;
    const ledger = new WasteLedger({ now: () => now });
    ledger.observe([snap('n1/GPU-1', 50), snap('n1/GPU-2', 10)], now);
    // Per GPU: a 16-slot raw ring × (8 B time + 2 + 2 + 4 + 2 B) = 288, bucket in progress 4 × 32 = 128.
    expect(ledger.historyBytes()).toBe(2 * 416);
    // One point: projected at the 5 s sizing, 721 × 18 + 1,441 × (4 + 10) + 128 = 33,280.
    expect(ledger.historyFullBytes()).toBe(2 * 33_280);
    for (let s = 15; s <= 120; s += 15) {
      now = T0 + s * 1000;
      ledger.observe([snap('n1/GPU-1', 50), snap('n1/GPU-2', 10)], now);
    }
    // Every 15 s: 256 raw slots once full, 256 × 18 + 20,174 + 128 = 24,910.
    expect(ledger.historyFullBytes()).toBe(2 * 24_910);
  });
});
