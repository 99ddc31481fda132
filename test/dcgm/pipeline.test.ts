import { describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { families } from './helpers';

const ctx = { sourceId: 'test', fallbackNode: 'target:9400', observedAt: 1_000_000 };

describe('createDcgmPipeline on the KempnerPulse Prometheus fixture, as families', () => {
  // The same series as ../shared/kempnerpulse/prometheus_sample.prom: Hostname only on GPU 0's
  // SM series, modelName only on some.
  const input = families([
    ['DCGM_FI_PROF_SM_ACTIVE', { gpu: '0', UUID: 'GPU-aaa', modelName: 'NVIDIA H100 80GB HBM3', Hostname: 'node01' }, 0.95],
    ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', { gpu: '0', UUID: 'GPU-aaa', modelName: 'NVIDIA H100 80GB HBM3' }, 0.48],
    ['DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: 'GPU-aaa' }, 351.0],
    ['DCGM_FI_PROF_SM_ACTIVE', { gpu: '1', UUID: 'GPU-bbb', modelName: 'NVIDIA H100 80GB HBM3' }, 0.97],
    ['DCGM_FI_DEV_FB_USED', { gpu: '1', UUID: 'GPU-bbb' }, 12050],
    ['some_bare_metric', {}, 42],
  ]);

  it('gives one reading per GPU with the golden score and class (DCGM.md §8)', () => {
    const { gpus, extras } = createDcgmPipeline().ingest(input, ctx);
    expect(gpus).toHaveLength(2);
    const [gpu0, gpu1] = gpus;
    expect(gpu0.node).toBe('node01');
    expect(gpu0.model).toBe('NVIDIA H100 80GB HBM3');
    expect(gpu0.realUtil).toBeCloseTo(50.05, 6);
    expect(gpu0.class.label).toBe('tensor compute');
    expect(gpu0.readings.powerWatts).toBe(351);
    expect(gpu1.node).toBe('target:9400');
    expect(gpu1.realUtil).toBeCloseTo(33.95, 6);
    expect(gpu1.class).toEqual({ label: 'unknown (no tensor or FP64 counters)', bottleneck: 'compute' });
    expect(gpu1.readings.fbUsedBytes).toBe(12050 * 1024 * 1024);
    expect(gpu1.realUtilMissing).toEqual(['tensorActive', 'dramActive', 'grEngineActive']);
    expect(extras).toEqual([]);
  });
});
