import { describe, expect, it } from 'vitest';
import { PRESETS, classify, realUtilization } from '../../src/main/core/compute';
import type { Readings } from '../../src/shared/canonical';

/** Percent in, fractions out: the tests read like DCGM.md §6. */
function pct(values: { sm?: number; tensor?: number; dram?: number; gr?: number; fp64?: number; memcpy?: number }): Readings {
  const r: Readings = {};
  if (values.sm !== undefined) r.smActive = values.sm / 100;
  if (values.tensor !== undefined) r.tensorActive = values.tensor / 100;
  if (values.dram !== undefined) r.dramActive = values.dram / 100;
  if (values.gr !== undefined) r.grEngineActive = values.gr / 100;
  if (values.fp64 !== undefined) r.fp64Active = values.fp64 / 100;
  if (values.memcpy !== undefined) r.memCopyUtil = values.memcpy / 100;
  return r;
}

function classOf(readings: Readings): string {
  return classify(readings, realUtilization(readings, PRESETS.ai)).label;
}

// A baseline that matches nothing before "mixed / moderate": each case moves one input across
// one threshold, so the rule under test is the one that flips.
const base = { sm: 30, tensor: 0, dram: 20, gr: 30, fp64: 0, memcpy: 0 };

describe('classify: each rule at its thresholds (DCGM.md §6)', () => {
  it('baseline is mixed / moderate', () => {
    expect(classOf(pct(base))).toBe('mixed / moderate');
  });

  it('1 idle: real < 5, gr < 5, dram < 5, not io-heavy', () => {
    const idle = { sm: 0, tensor: 0, dram: 4.9, gr: 4.9, memcpy: 0 };
    expect(classify(pct(idle), realUtilization(pct(idle), PRESETS.ai))).toEqual({ label: 'idle', bottleneck: 'idle' });
    expect(classOf(pct({ ...idle, gr: 5 }))).not.toBe('idle');
    expect(classOf(pct({ ...idle, dram: 5 }))).not.toBe('idle');
    expect(classOf(pct({ ...idle, memcpy: 40 }))).not.toBe('idle');
    expect(classOf({ ...pct(idle), pcieRxBytesPerSec: 1e9 })).not.toBe('idle');
    expect(classOf({ ...pct(idle), pcieRxBytesPerSec: 0.99e9 })).toBe('idle');
  });

  it('1 idle needs real < 5, not just gr and dram (custom weights can push real up)', () => {
    const r = pct({ sm: 30, tensor: 0, dram: 0, gr: 0 });
    expect(classify(r, { value: 5, missing: [] }).label).not.toBe('idle');
    expect(classify(r, { value: 4.99, missing: [] }).label).toBe('idle');
  });

  it('2 tensor-heavy compute: tensor ≥ 50 and sm ≥ 60', () => {
    expect(classOf(pct({ ...base, tensor: 50, sm: 60 }))).toBe('tensor-heavy compute');
    expect(classOf(pct({ ...base, tensor: 49.9, sm: 60 }))).toBe('tensor compute');
    expect(classOf(pct({ ...base, tensor: 50, sm: 59.9 }))).toBe('tensor compute');
  });

  it('3 tensor compute: tensor ≥ 15 and sm ≥ 40', () => {
    expect(classOf(pct({ ...base, tensor: 15, sm: 40 }))).toBe('tensor compute');
    expect(classOf(pct({ ...base, tensor: 14.9, sm: 40 }))).toBe('mixed / moderate');
    expect(classOf(pct({ ...base, tensor: 15, sm: 39.9 }))).toBe('mixed / moderate');
  });

  it('4 FP64 / HPC compute: fp64 ≥ 20 and sm ≥ 50', () => {
    expect(classOf(pct({ ...base, fp64: 20, sm: 50 }))).toBe('FP64 / HPC compute');
    expect(classOf(pct({ ...base, fp64: 19.9, sm: 50 }))).toBe('compute-active');
    expect(classOf(pct({ ...base, fp64: 20, sm: 49.9 }))).toBe('mixed / moderate');
  });

  it('5 I/O or data-loading: io-heavy and sm < 30', () => {
    expect(classOf(pct({ ...base, memcpy: 40, sm: 29.9 }))).toBe('I/O or data-loading');
    expect(classOf(pct({ ...base, memcpy: 39.9, sm: 29.9 }))).toBe('mixed / moderate');
    expect(classOf(pct({ ...base, memcpy: 40, sm: 30 }))).toBe('mixed / moderate');
    expect(classOf({ ...pct({ ...base, sm: 10 }), pcieTxBytesPerSec: 1e9 })).toBe('I/O or data-loading');
    // The OR matches on the inputs it has: no memcpy reading, PCIe alone decides.
    const noMemcpy = pct({ sm: 10, tensor: 0, dram: 20, gr: 30 });
    expect(classOf({ ...noMemcpy, pcieRxBytesPerSec: 2e9 })).toBe('I/O or data-loading');
  });

  it('6 memory-bound: dram ≥ 50 and sm < 50', () => {
    expect(classOf(pct({ ...base, dram: 50, sm: 49.9 }))).toBe('memory-bound');
    expect(classOf(pct({ ...base, dram: 49.9, sm: 49.9 }))).toBe('memory-active');
    expect(classOf(pct({ ...base, dram: 50, sm: 50 }))).toBe('compute-active');
  });

  it('7 compute-heavy: sm ≥ 80', () => {
    expect(classOf(pct({ ...base, sm: 80 }))).toBe('compute-heavy');
    expect(classOf(pct({ ...base, sm: 79.9 }))).toBe('compute-active');
  });

  it('8 compute-active: sm ≥ 50', () => {
    expect(classOf(pct({ ...base, sm: 50 }))).toBe('compute-active');
    expect(classOf(pct({ ...base, sm: 49.9 }))).toBe('mixed / moderate');
  });

  it('9 memory-active: dram ≥ 40', () => {
    expect(classOf(pct({ ...base, dram: 40 }))).toBe('memory-active');
    expect(classOf(pct({ ...base, dram: 39.9 }))).toBe('mixed / moderate');
  });

  it('10 busy, low SM use: gr ≥ 40 and sm < 25', () => {
    expect(classOf(pct({ ...base, gr: 40, sm: 24.9 }))).toBe('busy, low SM use');
    expect(classOf(pct({ ...base, gr: 39.9, sm: 24.9 }))).toBe('mixed / moderate');
    expect(classOf(pct({ ...base, gr: 40, sm: 25 }))).toBe('mixed / moderate');
  });

  it('11 low utilization: gr < 15, sm < 15, dram < 15', () => {
    const low = { sm: 14.9, tensor: 0, dram: 14.9, gr: 14.9 };
    expect(classOf(pct(low))).toBe('low utilization');
    expect(classOf(pct({ ...low, sm: 15 }))).toBe('mixed / moderate');
    expect(classOf(pct({ ...low, dram: 15 }))).toBe('mixed / moderate');
    expect(classOf(pct({ ...low, gr: 15 }))).toBe('mixed / moderate');
  });

  it('gives each class its bottleneck', () => {
    const cases: [Readings, string][] = [
      [pct({ ...base, tensor: 50, sm: 60 }), 'compute'],
      [pct({ ...base, memcpy: 40, sm: 10 }), 'io'],
      [pct({ ...base, dram: 50, sm: 40 }), 'memory'],
      [pct({ ...base, dram: 40 }), 'memory'],
      [pct(base), 'mixed'],
    ];
    for (const [readings, bottleneck] of cases) {
      expect(classify(readings, realUtilization(readings, PRESETS.ai)).bottleneck).toBe(bottleneck);
    }
  });
});

describe('classify with missing inputs', () => {
  it('says "unknown (no SM counter)" instead of guessing when SM is missing', () => {
    const noSm = pct({ tensor: 60, dram: 45, gr: 90 });
    expect(classify(noSm, realUtilization(noSm, PRESETS.ai))).toEqual({ label: 'unknown (no SM counter)', bottleneck: 'unknown' });
  });

  it('still finds an idle GPU without SM, because GR bounds SM', () => {
    const idleNoSm = pct({ tensor: 0, dram: 0.01, gr: 0, memcpy: 0 });
    expect(classOf(idleNoSm)).toBe('idle');
  });

  it('does not match a rule on a missing input: no tensor, sm 97 is compute-heavy', () => {
    expect(classOf(pct({ sm: 97 }))).toBe('compute-heavy');
  });

  it('cannot call a GPU idle when DRAM is unknown', () => {
    expect(classOf(pct({ sm: 0, tensor: 0, gr: 0 }))).not.toBe('idle');
  });
});
