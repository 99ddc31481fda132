// Exposition families -> accounting samples: the live pipeline's translate and formula, MIG
// instances as separate GPUs sharing their board's energy, Prometheus' label spellings.
import { describe, expect, it } from 'vitest';
import { Accountant } from '../../src/main/core/accounting/accountant';
import { samplesFromFamilies } from '../../src/main/core/accounting/from-families';
import { DEFAULT_WEIGHTS } from '../../src/main/core/compute';
import { parseExposition } from '../../src/main/core/exposition';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);

function families(text: string) {
  const parsed = parseExposition(text, { format: 'prometheus', mode: 'lenient' });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return parsed.families;
}

function migFrame(energyMj: number, sm: number): string {
  const lines: string[] = [];
  for (const [id, ns] of [
    ['1', 'ml'],
    ['2', 'ml'],
  ]) {
    const labels = `gpu="0",UUID="GPU-aaaa",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="3g.40gb",GPU_I_ID="${id}",Hostname="node-a",namespace="${ns}",pod="p${id}"`;
    lines.push(`DCGM_FI_PROF_SM_ACTIVE{${labels}} ${sm}`);
    lines.push(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{${labels}} 0`);
    lines.push(`DCGM_FI_PROF_DRAM_ACTIVE{${labels}} 0`);
    lines.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels}} ${sm}`);
    lines.push(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels}} ${energyMj}`);
    lines.push(`DCGM_FI_DEV_POWER_USAGE{${labels}} 250`);
  }
  return lines.join('\n') + '\n';
}

describe('samplesFromFamilies', () => {
  it('computes real utilization with the DCGM.md formula and names missing inputs', () => {
    const out = samplesFromFamilies(
      families(
        'DCGM_FI_PROF_SM_ACTIVE{gpu="0",UUID="GPU-1",Hostname="n1"} 0.9\n' +
          'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{gpu="0",UUID="GPU-1",Hostname="n1"} 0.5\n' +
          'DCGM_FI_PROF_DRAM_ACTIVE{gpu="0",UUID="GPU-1",Hostname="n1"} 0.3\n' +
          'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-1",Hostname="n1"} 0.4\n' +
          'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-2",Hostname="n1"} 3\n',
      ),
      'fallback',
      T0,
      DEFAULT_WEIGHTS,
    );
    const byKey = Object.fromEntries(out.map((o) => [o.gpu.key, o.sample]));
    // DCGM.md §5 worked example: SM 90, Tensor 50, DRAM 30, GR 40 -> 59.0 with the ai preset.
    expect(byKey['n1/GPU-1']).toMatchObject({ t: T0, realUtil: 59, realUtilMissing: false });
    // GPU_UTIL stands in for GR; SM, tensor and DRAM missing: 0.1 × 3 = 0.3, a lower bound.
    expect(byKey['n1/GPU-2']).toMatchObject({ realUtil: 0.3, realUtilMissing: true });
  });

  it('reads the workload labels as exported_* behind a Prometheus server, and the counter with _total', () => {
    const out = samplesFromFamilies(
      families(
        'DCGM_FI_PROF_SM_ACTIVE{gpu="0",UUID="GPU-1",Hostname="n1",instance="10.0.0.1:9400",job="dcgm",namespace="gpu-operator",pod="dcgm-exporter-x",exported_namespace="ml",exported_pod="train-0"} 0.5\n' +
          'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total{gpu="0",UUID="GPU-1",Hostname="n1",instance="10.0.0.1:9400",job="dcgm",namespace="gpu-operator",pod="dcgm-exporter-x",exported_namespace="ml",exported_pod="train-0"} 123456\n',
      ),
      'fallback',
      T0,
      DEFAULT_WEIGHTS,
    );
    expect(out).toHaveLength(1);
    expect(out[0].sample.attribution).toEqual({ namespaces: ['ml'], pods: ['train-0'], jobs: [] });
    expect(out[0].sample.energyJoules).toBeCloseTo(123.456, 9);
  });

  it('keeps MIG instances apart, each with its share of the board energy, never counted twice', () => {
    const accountant = new Accountant({ by: 'namespace' });
    for (const [t, mj, sm] of [
      [T0, 1_000_000, 0.02],
      [T0 + 60_000, 13_000_000, 0.02],
    ] as const) {
      const out = samplesFromFamilies(families(migFrame(mj, sm)), 'fallback', t, DEFAULT_WEIGHTS);
      expect(out.map((o) => o.gpu.key)).toEqual(['node-a/GPU-aaaa/mig-1', 'node-a/GPU-aaaa/mig-2']);
      expect(out.map((o) => o.sample.energyShare)).toEqual([0.5, 0.5]);
      for (const { gpu, sample } of out) accountant.add(gpu, sample);
    }
    const [ml] = accountant.finish().rows;
    expect(ml.owner).toBe('ml');
    expect(ml.gpus).toBe(2);
    // Two instances × 60 s, idle (0.35 × 2 + 0.1 × 2 = 0.9 %).
    expect(ml.gpuHours).toBeCloseTo(120 / 3600, 6);
    expect(ml.idleGpuHours).toBeCloseTo(120 / 3600, 6);
    // The board used 12,000 J; two halves, not 24,000 J.
    expect(ml.energyKWh).toBeCloseTo(12_000 / 3.6e6, 6);
  });
});
