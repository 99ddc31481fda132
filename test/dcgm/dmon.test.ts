import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { looksLikeDmonCapture, parseDmonCapture } from '../../src/main/core/sources/dmon';

const fixture = path.resolve(__dirname, '../../../shared/kempnerpulse/dcgmi_dmon_2tick.txt');
const text = readFileSync(fixture, 'utf8');
const ctx = (tick: number) => ({ sourceId: 'dmon', fallbackNode: 'dmon-host', observedAt: 1_000_000 + tick * 1000 });

describe('dcgmi dmon capture (KempnerPulse fixture, DCGM.md §8)', () => {
  const capture = parseDmonCapture(text);

  it('is recognised and splits into two ticks on the repeated GPU ids', () => {
    expect(looksLikeDmonCapture(text)).toBe(true);
    expect(capture.problems).toEqual([]);
    expect(capture.ticks).toHaveLength(2);
    expect(capture.ticks.map((t) => t.line)).toEqual([3, 5]);
  });

  it('tick 2 gives the golden scores, classes and NVLink totals', () => {
    const pipeline = createDcgmPipeline();
    pipeline.ingest(capture.ticks[0].families, ctx(0));
    const { gpus } = pipeline.ingest(capture.ticks[1].families, ctx(1));
    expect(gpus).toHaveLength(2);
    const [gpu0, gpu1] = gpus;
    expect(gpu0.gpuIndex).toBe(0);
    expect(gpu0.realUtil).toBeCloseTo(65.15, 6);
    expect(gpu0.class.label).toBe('tensor compute');
    // NVLBW is N/A on GPU 0: the total comes from TX + RX (110 + 120 GB/s).
    expect(gpu0.readings.nvlinkTotalBytesPerSec).toBe(230e9);
    expect(gpu1.realUtil).toBeCloseTo(67.15, 6);
    expect(gpu1.class.label).toBe('tensor-heavy compute');
    // Field 449 (25600 MB/s) wins over TX + RX.
    expect(gpu1.readings.nvlinkTotalBytesPerSec).toBe(25.6e9);
  });

  it('tick 1 (profiling all N/A, a cold start) is not classified as busy', () => {
    const { gpus } = createDcgmPipeline().ingest(capture.ticks[0].families, ctx(0));
    expect(gpus).toHaveLength(2);
    for (const gpu of gpus) {
      expect(gpu.readings.smActive).toBeUndefined();
      expect(gpu.readings.tensorActive).toBeUndefined();
      expect(gpu.class.bottleneck).toBe('unknown');
      expect(gpu.class.label).toMatch(/^unknown \(no SM, tensor, DRAM/);
      expect(gpu.realUtilMissing).toEqual(expect.arrayContaining(['smActive', 'tensorActive', 'dramActive']));
    }
  });

  it('maps columns by the header, not by position', () => {
    const shuffled = ['#Entity  TENSO  SMACT  DRAMA  GRACT', 'ID', 'GPU 3    0.500  0.970  0.320  0.930', ''].join('\n');
    const { ticks } = parseDmonCapture(shuffled);
    const { gpus } = createDcgmPipeline().ingest(ticks[0].families, ctx(0));
    expect(gpus[0].gpuIndex).toBe(3);
    expect(gpus[0].readings.smActive).toBe(0.97);
    expect(gpus[0].readings.tensorActive).toBe(0.5);
    expect(gpus[0].realUtil).toBeCloseTo(67.15, 6);
  });

  it('reports rows that do not match the header and keeps unknown columns raw', () => {
    const odd = ['#Entity  SMACT  XYZZY', 'GPU 0    0.5', 'GPU 0    0.5  7', 'garbage'].join('\n');
    const { ticks, problems } = parseDmonCapture(odd);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [2, 'dmon-column-count'],
      [4, 'dmon-unrecognized-line'],
    ]);
    const { gpus } = createDcgmPipeline().ingest(ticks[0].families, ctx(0));
    expect(gpus[0].raw).toEqual({ dcgm_dmon_xyzzy: 7 });
  });
});
