import { describe, expect, it } from 'vitest';
import { createDcgmPipeline, METRIC_ALIASES } from '../../src/main/core/dcgm';
import type { Labels } from '../../src/main/core/exposition/types';
import { CANONICAL_FIELDS } from '../../src/shared/canonical';
import { families } from './helpers';

const ctx = { sourceId: 'src', fallbackNode: 'target-a:9400', observedAt: 1_700_000_000_000 };
const ingest = (rows: [string, Labels, number][], c = ctx) => createDcgmPipeline().ingest(families(rows), c);

const gpu = (index: number, uuid: string, extra: Labels = {}): Labels => ({
  gpu: String(index),
  UUID: uuid,
  device: `nvidia${index}`,
  modelName: 'NVIDIA A100-SXM4-40GB',
  Hostname: 'node-a',
  ...extra,
});

describe('identity', () => {
  it('keeps 7 MIG instances of one A100 as 7 readings under one GPU, power not summed', () => {
    const rows: [string, Labels, number][] = [];
    for (let i = 0; i < 7; i++) {
      const labels = gpu(0, 'GPU-a100', { GPU_I_PROFILE: '1g.5gb', GPU_I_ID: String(7 + i) });
      rows.push(['DCGM_FI_DEV_POWER_USAGE', labels, 250]);
      rows.push(['DCGM_FI_PROF_GR_ENGINE_ACTIVE', labels, 0.1 * i]);
      rows.push(['DCGM_FI_DEV_GPU_TEMP', labels, 50]);
    }
    const { gpus } = ingest(rows);
    expect(gpus).toHaveLength(7);
    expect(new Set(gpus.map((g) => g.key)).size).toBe(7);
    for (const [i, g] of gpus.entries()) {
      expect(g.uuid).toBe('GPU-a100');
      expect(g.gpuIndex).toBe(0);
      expect(g.migInstance).toEqual({ id: String(7 + i), profile: '1g.5gb' });
      expect(g.parentKey).toBe('node-a/GPU-a100');
      expect(g.readings.powerWatts).toBe(250); // repeated per instance, never 250 × 7
      expect(g.readings.grEngineActive).toBeCloseTo(0.1 * i, 9);
    }
  });

  it('tells two hosts with the same GPU indices apart', () => {
    const { gpus } = ingest([
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-1', Hostname: 'host-1' }, 40],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-2', Hostname: 'host-2' }, 41],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '1', UUID: 'GPU-3', hostname: 'host-1' }, 42],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '1', UUID: 'GPU-4', hostname: 'host-2' }, 43],
    ]);
    expect(gpus.map((g) => [g.node, g.gpuIndex, g.readings.gpuTempC])).toEqual([
      ['host-1', 0, 40],
      ['host-2', 0, 41],
      ['host-1', 1, 42],
      ['host-2', 1, 43],
    ]);
    expect(new Set(gpus.map((g) => g.key)).size).toBe(4);
  });

  it('keeps the same UUID on two hosts apart (identity is node + UUID)', () => {
    const { gpus } = ingest([
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-same', Hostname: 'host-1' }, 40],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-same', Hostname: 'host-2' }, 41],
    ]);
    expect(gpus.map((g) => g.key)).toEqual(['host-1/GPU-same', 'host-2/GPU-same']);
  });

  it('takes the node from the Prometheus target, then the source, when there is no host label', () => {
    const { gpus } = ingest([
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-1', instance: '10.0.0.5:9400', job: 'dcgm' }, 40],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', uuid: 'GPU-2' }, 41],
    ]);
    expect(gpus.map((g) => g.node)).toEqual(['10.0.0.5:9400', 'target-a:9400']);
    expect(gpus[1].uuid).toBe('GPU-2');
  });

  it('folds series duplicated per hpc_job into one reading that lists the jobs', () => {
    const { gpus } = ingest([
      ['DCGM_FI_PROF_SM_ACTIVE', gpu(0, 'GPU-x', { hpc_job: '1234' }), 0.8],
      ['DCGM_FI_PROF_SM_ACTIVE', gpu(0, 'GPU-x', { hpc_job: '5678' }), 0.8],
      ['DCGM_FI_DEV_POWER_USAGE', gpu(0, 'GPU-x', { hpc_job: '1234' }), 300],
      ['DCGM_FI_DEV_POWER_USAGE', gpu(0, 'GPU-x', { hpc_job: '5678' }), 300],
    ]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0].attribution).toEqual({ pods: [], namespaces: [], jobs: ['1234', '5678'] });
    expect(gpus[0].readings.powerWatts).toBe(300);
  });

  it('folds per-pod and vgpu (time-slicing) series and attributes the pods', () => {
    const { gpus } = ingest([
      ['DCGM_FI_DEV_GPU_UTIL', gpu(0, 'GPU-x', { vgpu: '0', pod: 'train-a', namespace: 'ml', container: 'c' }), 70],
      ['DCGM_FI_DEV_GPU_UTIL', gpu(0, 'GPU-x', { vgpu: '1', pod: 'train-b', namespace: 'ml', container: 'c' }), 70],
      ['DCGM_FI_DEV_GPU_UTIL', gpu(1, 'GPU-y', { pod: '', namespace: '' }), 0],
    ]);
    expect(gpus).toHaveLength(2);
    expect(gpus[0].attribution).toEqual({ pods: ['train-a', 'train-b'], namespaces: ['ml'], jobs: [] });
    expect(gpus[1].attribution).toEqual({ pods: [], namespaces: [], jobs: [] });
  });

  it('through a Prometheus server, attributes the exported_ pod, not the exporter pod', () => {
    const labels = { ...gpu(0, 'GPU-x'), instance: '10.0.0.5:9400', pod: 'dcgm-exporter-abc', namespace: 'gpu-operator' };
    const { gpus } = ingest([
      ['DCGM_FI_DEV_GPU_UTIL', { ...labels, exported_pod: 'train-a', exported_namespace: 'ml' }, 50],
      ['DCGM_FI_DEV_GPU_UTIL', gpu(1, 'GPU-y', { instance: '10.0.0.5:9400', pod: 'dcgm-exporter-abc' }), 0],
    ]);
    expect(gpus[0].attribution).toEqual({ pods: ['train-a'], namespaces: ['ml'], jobs: [] });
    expect(gpus[0].node).toBe('node-a');
    expect(gpus[1].attribution.pods).toEqual([]);
  });

  it('accepts the 1.x pod_name / pod_namespace labels', () => {
    const { gpus } = ingest([['dcgm_gpu_utilization', { gpu: '0', uuid: 'GPU-x', pod_name: 'p', pod_namespace: 'ns' }, 10]]);
    expect(gpus[0].attribution).toEqual({ pods: ['p'], namespaces: ['ns'], jobs: [] });
    expect(gpus[0].readings.gpuUtil).toBeCloseTo(0.1, 9);
  });

  it('keeps NvLink, NvSwitch and CPU entities out of the GPU list, as node extras', () => {
    const { gpus, extras } = ingest([
      ['DCGM_FI_DEV_GPU_TEMP', gpu(0, 'GPU-x'), 40],
      ['DCGM_FI_DEV_NVLINK_BANDWIDTH_L0', { gpu: '0', gpu_uuid: 'GPU-x', nvlink: '3', Hostname: 'node-a' }, 5],
      ['DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT', { nvswitch: '2', Hostname: 'node-a' }, 39],
      ['DCGM_FI_DEV_CPU_UTIL_TOTAL', { cpu: '0', Hostname: 'node-a' }, 0.4],
      ['DCGM_FI_DEV_CPU_TEMP_CURRENT', { cpu: '0', cpucore: '5', Hostname: 'node-a' }, 55],
    ]);
    expect(gpus).toHaveLength(1);
    expect(extras.map((e) => [e.node, e.kind, e.id, e.value])).toEqual([
      ['node-a', 'nvlink', 'GPU-x/nvlink3', 5],
      ['node-a', 'nvswitch', '2', 39],
      ['node-a', 'cpu', '0', 0.4],
      ['node-a', 'cpu', '5', 55],
    ]);
  });
});

describe('alias table', () => {
  it('maps every row to a canonical field or a hidden counter with a positive scale', () => {
    for (const [name, alias] of METRIC_ALIASES) {
      expect(alias.scale, name).toBeGreaterThan(0);
      if (!alias.field.endsWith('Ns')) expect(CANONICAL_FIELDS, name).toHaveProperty(alias.field);
    }
  });

  const legacy: [string, number][] = [
    ['DCGM_FI_DEV_SM_CLOCK', 1980],
    ['DCGM_FI_DEV_MEM_CLOCK', 1593],
    ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 123_456_789],
    ['DCGM_FI_DEV_GPU_TEMP', 61],
    ['DCGM_FI_DEV_MEMORY_TEMP', 70],
    ['DCGM_FI_DEV_POWER_USAGE', 654.5],
    ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 3],
    ['DCGM_FI_DEV_GPU_UTIL', 87],
    ['DCGM_FI_DEV_XID_ERRORS', 0],
    ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 25_600],
    ['DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 0],
    ['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 2],
    ['DCGM_FI_DEV_ROW_REMAP_FAILURE', 0],
    ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 0.91],
    ['DCGM_FI_PROF_SM_ACTIVE', 0.95],
    ['DCGM_FI_PROF_SM_OCCUPANCY', 0.62],
    ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 0.48],
    ['DCGM_FI_PROF_DRAM_ACTIVE', 0.3],
    ['DCGM_FI_PROF_PIPE_FP64_ACTIVE', 0.01],
    ['DCGM_FI_PROF_PIPE_FP32_ACTIVE', 0.12],
    ['DCGM_FI_PROF_PIPE_FP16_ACTIVE', 0.88],
  ];
  // The same values as exporter 4.9 serves them (DCGM.md §4 units).
  const v49: [string, number][] = [
    ['DCGM_FI_DEV_SM_CLOCK_HERTZ', 1980e6],
    ['DCGM_FI_DEV_MEMORY_CLOCK_HERTZ', 1593e6],
    ['DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL', 123_456.789],
    ['DCGM_FI_DEV_GPU_TEMP_CELSIUS', 61],
    ['DCGM_FI_DEV_MEMORY_TEMP_CELSIUS', 70],
    ['DCGM_FI_DEV_BOARD_POWER_WATTS', 654.5],
    ['DCGM_FI_DEV_PCIE_REPLAY_TOTAL', 3],
    ['DCGM_FI_DEV_GPU_UTIL_RATIO', 0.87],
    ['DCGM_FI_DEV_XID_ERROR', 0],
    ['DCGM_FI_DEV_NVLINK_THROUGHPUT_TOTAL', 25.6e9],
    ['DCGM_FI_DEV_ROW_REMAP_UNCORRECTABLE_TOTAL', 0],
    ['DCGM_FI_DEV_ROW_REMAP_CORRECTABLE_TOTAL', 2],
    ['DCGM_FI_DEV_ROW_REMAP_FAILED', 0],
    ['DCGM_FI_PROF_GR_ENGINE_UTIL_RATIO', 0.91],
    ['DCGM_FI_PROF_SM_UTIL_RATIO', 0.95],
    ['DCGM_FI_PROF_SM_OCCUPANCY_RATIO', 0.62],
    ['DCGM_FI_PROF_TENSOR_UTIL_RATIO', 0.48],
    ['DCGM_FI_PROF_DRAM_UTIL_RATIO', 0.3],
    ['DCGM_FI_PROF_FP64_UTIL_RATIO', 0.01],
    ['DCGM_FI_PROF_FP32_UTIL_RATIO', 0.12],
    ['DCGM_FI_PROF_FP16_UTIL_RATIO', 0.88],
  ];

  it('gives a 4.9-named exporter the same canonical readings as the legacy one', () => {
    const labels = gpu(0, 'GPU-x', { modelName: 'NVIDIA H100 80GB HBM3' });
    const a = ingest(legacy.map(([n, v]) => [n, labels, v])).gpus[0];
    const b = ingest(v49.map(([n, v]) => [n, labels, v])).gpus[0];
    expect(Object.keys(a.readings).sort()).toEqual(Object.keys(b.readings).sort());
    for (const field of Object.keys(a.readings) as (keyof typeof a.readings)[]) {
      const x = a.readings[field];
      const y = b.readings[field];
      if (typeof x === 'number' && typeof y === 'number') {
        expect(y, field).toBeCloseTo(x, 6);
      } else {
        expect(y, field).toBe(x);
      }
    }
    expect(a.readings.smClockHz).toBe(1980e6);
    expect(a.readings.energyJoules).toBeCloseTo(123_456.789, 6);
    expect(a.readings.nvlinkTotalBytesPerSec).toBe(25.6e9);
    expect(b.realUtil).toBeCloseTo(a.realUtil!, 9);
    expect(b.class).toEqual(a.class);
  });

  it('maps the 1.x lowercase names too', () => {
    const labels = { gpu: '0', uuid: 'GPU-x', Hostname: 'h' };
    const { gpus } = ingest([
      ['dcgm_gpu_temp', labels, 61],
      ['dcgm_power_usage', labels, 300],
      ['dcgm_sm_clock', labels, 1410],
      ['dcgm_fb_used', labels, 1024],
    ]);
    expect(gpus[0].readings).toMatchObject({ gpuTempC: 61, powerWatts: 300, smClockHz: 1410e6, fbUsedBytes: 1024 ** 3 });
  });

  it('prefers the higher-ranked name when one GPU serves two for one field', () => {
    const labels = gpu(0, 'GPU-x');
    const { gpus } = ingest([
      ['DCGM_FI_DEV_POWER_MGMT_LIMIT', labels, 700],
      ['DCGM_FI_DEV_ENFORCED_POWER_LIMIT', labels, 500],
    ]);
    expect(gpus[0].readings.powerLimitWatts).toBe(500);
  });

  it('keeps an unknown DCGM_FI_* family raw instead of dropping it, and ignores other exporters', () => {
    const { gpus, extras } = ingest([
      ['DCGM_FI_DEV_FUTURE_FIELD_NOT_IN_TABLE', gpu(0, 'GPU-x'), 1],
      ['DCGM_FI_DEV_GPU_TEMP', gpu(0, 'GPU-x'), 40],
      ['node_cpu_seconds_total', { cpu: '0' }, 12],
    ]);
    expect(gpus[0].raw).toEqual({ DCGM_FI_DEV_FUTURE_FIELD_NOT_IN_TABLE: 1 });
    expect(extras).toEqual([]);
  });
});

describe('canonical readings', () => {
  it('flags and excludes out-of-range values without touching the rest', () => {
    const { gpus, problems } = ingest([
      ['DCGM_FI_DEV_GPU_UTIL', gpu(0, 'GPU-x'), 4294967295],
      ['DCGM_FI_DEV_POWER_USAGE', gpu(0, 'GPU-x'), -5],
      ['DCGM_FI_DEV_GPU_TEMP', gpu(0, 'GPU-x'), 45],
      ['DCGM_FI_DEV_FB_USED', gpu(0, 'GPU-x'), 9223372036854775794],
      ['DCGM_FI_PROF_SM_ACTIVE', gpu(0, 'GPU-x'), NaN],
    ]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0].readings).toEqual({ gpuTempC: 45 });
    expect(gpus[0].realUtil).toBeNull();
    expect(problems.map((p) => [p.code, p.severity, p.line])).toEqual([
      ['out-of-range', 'warning', 1],
      ['out-of-range', 'warning', 1],
      ['out-of-range', 'warning', 1],
      ['out-of-range', 'warning', 1],
    ]);
    expect(problems[0].message).toMatch(/DCGM_FI_DEV_GPU_UTIL = 4294967295 on GPU 0 GPU-x/);
  });

  it('clamps a percent the driver rounded just past 100', () => {
    const { gpus, problems } = ingest([['DCGM_FI_DEV_GPU_UTIL', gpu(0, 'GPU-x'), 100.5]]);
    expect(gpus[0].readings.gpuUtil).toBe(1);
    expect(problems).toEqual([]);
  });

  it('derives framebuffer total from used + free + reserved only when all are present', () => {
    const both = ingest([
      ['DCGM_FI_DEV_FB_USED', gpu(0, 'GPU-x'), 1000],
      ['DCGM_FI_DEV_FB_FREE', gpu(0, 'GPU-x'), 3000],
      ['DCGM_FI_DEV_FB_RESERVED', gpu(0, 'GPU-x'), 96],
    ]).gpus[0];
    expect(both.readings.fbTotalBytes).toBe(4096 * 1024 * 1024);
    const partial = ingest([['DCGM_FI_DEV_FB_USED', gpu(0, 'GPU-x'), 1000]]).gpus[0];
    expect(partial.readings.fbTotalBytes).toBeUndefined();
  });

  it('applies the NVLink fallback rule: 449 wins even at 0, TX+RX only when both are present', () => {
    const l = gpu(0, 'GPU-x');
    const zero = ingest([
      ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', l, 0],
      ['DCGM_FI_PROF_NVLINK_TX_BYTES', l, 5e9],
      ['DCGM_FI_PROF_NVLINK_RX_BYTES', l, 5e9],
    ]).gpus[0];
    expect(zero.readings.nvlinkTotalBytesPerSec).toBe(0);
    const sum = ingest([
      ['DCGM_FI_PROF_NVLINK_TX_BYTES', l, 5e9],
      ['DCGM_FI_PROF_NVLINK_RX_BYTES', l, 6e9],
    ]).gpus[0];
    expect(sum.readings.nvlinkTotalBytesPerSec).toBe(11e9);
    const oneWay = ingest([['DCGM_FI_PROF_NVLINK_TX_BYTES', l, 5e9]]).gpus[0];
    expect(oneWay.readings.nvlinkTotalBytesPerSec).toBeUndefined();
  });
});

describe('rates across scrapes', () => {
  const l = gpu(0, 'GPU-x');
  const scrape = (energyMj: number, replays: number, powerViolationNs: number) =>
    families([
      ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', l, energyMj],
      ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', l, replays],
      ['DCGM_FI_DEV_POWER_VIOLATION', l, powerViolationNs],
    ]);
  const at = (s: number) => ({ ...ctx, observedAt: ctx.observedAt + s * 1000 });

  it('turns energy into average power, replays into a rate and violation time into a fraction', () => {
    const p = createDcgmPipeline();
    const first = p.ingest(scrape(1_000_000, 10, 0), at(0)).gpus[0];
    expect(first.readings.avgPowerWatts).toBeNull();
    expect(first.readings.pcieReplayPerSec).toBeNull();
    expect(first.readings.energyJoules).toBe(1000);
    // 10 s later: +3000 J, +5 replays, throttled 2.5 s of 10 s.
    const second = p.ingest(scrape(4_000_000, 15, 2.5e9), at(10)).gpus[0];
    expect(second.readings.avgPowerWatts).toBeCloseTo(300, 9);
    expect(second.readings.pcieReplayPerSec).toBeCloseTo(0.5, 9);
    expect(second.readings.powerThrottleRatio).toBeCloseTo(0.25, 9);
    expect(second.health.reasons.map((r) => r.code)).toEqual(['pcie-replays', 'power-throttling']);
  });

  it('handles a counter reset (driver reload): unknown for that interval, then right again', () => {
    const p = createDcgmPipeline();
    p.ingest(scrape(9_000_000, 100, 0), at(0));
    const reset = p.ingest(scrape(50_000, 0, 0), at(10)).gpus[0];
    expect(reset.readings.avgPowerWatts).toBeNull();
    expect(reset.readings.pcieReplayPerSec).toBeNull();
    expect(reset.health.state).toBe('OK');
    const after = p.ingest(scrape(2_050_000, 0, 0), at(20)).gpus[0];
    expect(after.readings.avgPowerWatts).toBeCloseTo(200, 9);
  });

  it('keeps counter state per entity: one GPU reset does not disturb another', () => {
    const p = createDcgmPipeline();
    const two = (a: number, b: number) =>
      families([
        ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', gpu(0, 'GPU-a'), a],
        ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', gpu(1, 'GPU-b'), b],
      ]);
    p.ingest(two(1_000_000, 1_000_000), at(0));
    const { gpus } = p.ingest(two(500, 2_000_000), at(10));
    expect(gpus[0].readings.avgPowerWatts).toBeNull();
    expect(gpus[1].readings.avgPowerWatts).toBeCloseTo(100, 9);
  });

  it('flags a throttle fraction above 1 as out of range (a wrong unit), never shows it', () => {
    const p = createDcgmPipeline();
    p.ingest(scrape(0, 0, 0), at(0));
    const { gpus, problems } = p.ingest(scrape(0, 0, 20e9), at(10));
    expect(gpus[0].readings.powerThrottleRatio).toBeNull();
    expect(problems.map((p) => p.code)).toEqual(['out-of-range']);
  });

  it('reports a new XID with its meaning, and an XID already there as the last one', () => {
    const p = createDcgmPipeline();
    const xid = (code: number) => families([['DCGM_FI_DEV_XID_ERRORS', l, code]]);
    expect(p.ingest(xid(0), at(0)).gpus[0].health.state).toBe('OK');
    const fresh = p.ingest(xid(79), at(10)).gpus[0].health;
    expect(fresh.state).toBe('CRIT');
    expect(fresh.reasons[0].message).toMatch(/new XID 79: GPU has fallen off the bus/);
    const old = createDcgmPipeline().ingest(xid(13), at(0)).gpus[0].health;
    expect(old.state).toBe('OK');
    expect(old.reasons[0].message).toMatch(/last XID since driver load 13: Graphics Engine Exception/);
  });

  it('warns when correctable remapped rows rise', () => {
    const p = createDcgmPipeline();
    const rows = (n: number) => families([['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', l, n]]);
    expect(p.ingest(rows(1), at(0)).gpus[0].health.state).toBe('OK');
    expect(p.ingest(rows(2), at(10)).gpus[0].health.reasons[0].code).toBe('remapped-rows-correctable-rising');
  });
});
