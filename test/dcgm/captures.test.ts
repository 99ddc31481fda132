// The genuine dcgm-exporter captures and the KempnerPulse fixture, through the real parser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { parseExposition } from '../../src/main/core/exposition';

const shared = path.resolve(__dirname, '../../../shared');
const samples = path.join(shared, 'dcgm-exporter-samples');

function ingestFile(file: string) {
  const parsed = parseExposition(readFileSync(file, 'utf8'), { mode: 'lenient' });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return createDcgmPipeline().ingest(parsed.families, { sourceId: file, fallbackNode: 'file', observedAt: 0 });
}

describe('KempnerPulse prometheus_sample.prom (DCGM.md §8)', () => {
  it('gives the golden real utilization, classes and the model from modelName', () => {
    const { gpus, extras } = ingestFile(path.join(shared, 'kempnerpulse/prometheus_sample.prom'));
    expect(gpus).toHaveLength(2);
    const [gpu0, gpu1] = gpus;
    expect(gpu0.realUtil).toBeCloseTo(50.05, 9);
    expect(gpu0.class.label).toBe('tensor compute');
    expect(gpu0.model).toBe('NVIDIA H100 80GB HBM3');
    expect(gpu0.node).toBe('node01');
    expect(gpu1.realUtil).toBeCloseTo(33.95, 9);
    // DCGM.md §8 says compute-heavy (KempnerPulse counts the missing tensor and FP64 counters as 0).
    // Tensor could be anything up to SM's 97 here, so tensor-heavy is as possible: the class
    // is unknown, but every class it could be is compute.
    expect(gpu1.class).toEqual({ label: 'unknown (no tensor or FP64 counters)', bottleneck: 'compute' });
    expect(extras).toEqual([]); // some_bare_metric is not a GPU metric
  });
});

describe('genuine dcgm-exporter captures', () => {
  const cases = [
    {
      file: 'cncf-ericsson-ccd-v1.35_tesla-t4_samples-only.prom',
      gpus: [{ gpuIndex: 0, uuid: 'GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a', node: 'cp-bm14r7', model: 'Tesla T4' }],
    },
    {
      file: 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom',
      gpus: [{ gpuIndex: 0, uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c', node: 'i-030791dc5a37cd257', model: 'NVIDIA L4' }],
    },
    {
      file: 'cncf-upcloud-v1.35_nvidia-l40s_full-scrape.prom',
      gpus: [{ gpuIndex: 0, uuid: 'GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43', node: 'gpu1-wl8sg', model: 'NVIDIA L40S' }],
    },
    {
      file: 'cncf-vks-v1.35_grid-a100-40c-vgpu_full-scrape.prom',
      gpus: [
        {
          gpuIndex: 0,
          uuid: 'GPU-0946f70c-659b-4c39-8b78-7e7600000000',
          node: 'test-ai-1-node-pool-40c-d5ds8-br9r6-9tb2c',
          model: 'GRID A100-40C',
        },
      ],
    },
    {
      file: 'nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom',
      gpus: [
        'GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005',
        'GPU-bc5610b9-79c8-fedd-8899-07539c7f868a',
        'GPU-fbc2c554-4d37-8938-0032-f923bad0f716',
        'GPU-a65a773d-52bb-bcc1-a8ee-f78c3faa2e2d',
        'GPU-82e45d1b-1618-559f-144c-eab51545030b',
        'GPU-39e28159-8c62-ee71-64db-b748edd61e15',
        'GPU-e64d69ca-b4b3-59b2-e78c-94f26c4db365',
        'GPU-04d228d3-3b5a-3534-f5cf-969706647d56',
      ].map((uuid, gpuIndex) => ({ gpuIndex, uuid, node: 'gpu-node-1', model: 'NVIDIA H100 80GB HBM3' })),
    },
  ];

  it.each(cases)('$file: the right GPUs with model, UUID and node from the labels', ({ file, gpus: expected }) => {
    const { gpus, problems } = ingestFile(path.join(samples, file));
    expect(gpus.map((g) => ({ gpuIndex: g.gpuIndex, uuid: g.uuid, node: g.node, model: g.model }))).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it('the vGPU guest: absent fields are missing (not 0) and class and score say so', () => {
    const { gpus } = ingestFile(path.join(samples, 'cncf-vks-v1.35_grid-a100-40c-vgpu_full-scrape.prom'));
    const [vgpu] = gpus;
    for (const field of ['gpuTempC', 'powerWatts', 'energyJoules', 'avgPowerWatts', 'pcieReplayTotal', 'remappedRowsUncorrectable', 'smActive', 'tensorActive', 'dramActive', 'grEngineActive'] as const) {
      expect(vgpu.readings, field).not.toHaveProperty(field);
    }
    // What it does serve is there, in canonical units.
    // Memory temperature 0 is DCGM's "not supported" (vGPU guests, GDDR boards): unknown, not 0 °C.
    expect(vgpu.readings.memTempC).toBeNull();
    expect(vgpu.readings.smClockHz).toBe(1410e6);
    expect(vgpu.readings.fbTotalBytes).toBe((37739 + 0 + 3220) * 1024 * 1024);
    // GR falls back to GPU_UTIL (0 %), so the score is a lower bound naming the three missing inputs.
    expect(vgpu.realUtil).toBe(0);
    expect(vgpu.realUtilMissing).toEqual(['smActive', 'tensorActive', 'dramActive']);
    // GPU_UTIL 0 stands in for GR (marked) and bounds SM and tensor to 0; DRAM and PCIe could
    // still make it memory-bound or I/O rather than idle.
    expect(vgpu.substitutes).toEqual({ grEngineActive: 'gpuUtil' });
    expect(vgpu.class).toEqual({ label: 'unknown (no DRAM or PCIe counters)', bottleneck: 'unknown' });
    expect(vgpu.readings.vgpuLicenseStatus).toBe(1);
    expect(vgpu.raw ?? {}).toEqual({});
    expect(vgpu.health.state).toBe('OK');
  });

  it('the 8x H100 subset: GPU 0 is attributed to its pod, the others to nobody', () => {
    const { gpus } = ingestFile(path.join(samples, 'nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom'));
    expect(gpus[0].attribution).toEqual({ pods: ['vllm-agg-0-vllmdecodeworker-s65j5'], namespaces: ['dynamo-workload'], jobs: [] });
    for (const g of gpus.slice(1)) expect(g.attribution).toEqual({ pods: [], namespaces: [], jobs: [] });
    expect(gpus[0].readings).toMatchObject({ gpuTempC: 30, powerWatts: 113.611, gpuUtil: 0, memCopyUtil: 0 });
  });

  it('the idle L4: profiling counters at 0 without SM_ACTIVE is idle (GR bounds SM)', () => {
    const { gpus } = ingestFile(path.join(samples, 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom'));
    expect(gpus[0].class).toEqual({ label: 'idle', bottleneck: 'idle' });
    expect(gpus[0].realUtilMissing).toEqual(['smActive']);
    expect(gpus[0].readings.energyJoules).toBeCloseTo(4742.776, 9);
  });
});
