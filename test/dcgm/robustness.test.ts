// Bad data never throws through the pipeline (DESIGN.md §3): arbitrary names, labels and
// values either become readings, extras and problems, or are ignored.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDcgmPipeline, METRIC_ALIASES } from '../../src/main/core/dcgm';
import { parseDmonCapture } from '../../src/main/core/sources/dmon';
import { family } from './helpers';

const names = [...METRIC_ALIASES.keys(), 'DCGM_FI_DEV_SOMETHING_NEW', 'dcgm_other', 'node_load1'];
const labelNames = ['gpu', 'UUID', 'uuid', 'Hostname', 'hostname', 'modelName', 'GPU_I_ID', 'GPU_I_PROFILE', 'pod', 'exported_pod', 'namespace', 'hpc_job', 'vgpu', 'nvlink', 'nvswitch', 'cpu', 'instance'];
const values = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 4294967295, 9223372036854775794, -1, 0, 1e300),
);

describe('robustness', () => {
  it('ingest never throws and keeps every reading finite and in its unit range', () => {
    const series = fc.tuple(
      fc.constantFrom(...names),
      fc.dictionary(fc.constantFrom(...labelNames), fc.constantFrom('', '0', '1', 'GPU-a', 'h1', 'x y', '7')),
      values,
    );
    fc.assert(
      fc.property(fc.array(series, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 3 }), (rows, times) => {
        const pipeline = createDcgmPipeline();
        for (const at of times) {
          const out = pipeline.ingest(rows.map(([n, l, v]) => family(n, [[l, v]])), { sourceId: 's', fallbackNode: 'n', observedAt: at });
          for (const gpu of out.gpus) {
            for (const value of Object.values(gpu.readings)) {
              if (value !== null) expect(Number.isFinite(value)).toBe(true);
            }
            for (const field of ['smActive', 'tensorActive', 'dramActive', 'gpuUtil', 'grEngineActive'] as const) {
              const v = gpu.readings[field];
              if (typeof v === 'number') expect(v >= 0 && v <= 1).toBe(true);
            }
            if (gpu.realUtil !== null) expect(gpu.realUtil >= 0 && gpu.realUtil <= 100).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseDmonCapture never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (junk) => {
        parseDmonCapture(`#Entity SMACT GPUTL\nID\n${junk}\nGPU 0 0.5 N/A\n`);
      }),
    );
  });
});
