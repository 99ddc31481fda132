import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS, classify } from '../../src/main/core/compute';
import type { Readings } from '../../src/shared/canonical';

/**
 * Percent in, fractions out: the tests read like DCGM.md §6. PCIe traffic is 0 (known) unless
 * a test says otherwise, so the I/O rule is decided wherever memcpy is given.
 */
function pct(values: { sm?: number; tensor?: number; dram?: number; gr?: number; fp64?: number; memcpy?: number }): Readings {
  const r: Readings = { pcieRxBytesPerSec: 0, pcieTxBytesPerSec: 0 };
  if (values.sm !== undefined) r.smActive = values.sm / 100;
  if (values.tensor !== undefined) r.tensorActive = values.tensor / 100;
  if (values.dram !== undefined) r.dramActive = values.dram / 100;
  if (values.gr !== undefined) r.grEngineActive = values.gr / 100;
  if (values.fp64 !== undefined) r.fp64Active = values.fp64 / 100;
  if (values.memcpy !== undefined) r.memCopyUtil = values.memcpy / 100;
  return r;
}

function classOf(readings: Readings): string {
  return classify(readings, PRESETS.ai).label;
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
    expect(classify(pct(idle), PRESETS.ai)).toEqual({ label: 'idle', bottleneck: 'idle' });
    expect(classOf(pct({ ...idle, gr: 5 }))).not.toBe('idle');
    expect(classOf(pct({ ...idle, dram: 5 }))).not.toBe('idle');
    expect(classOf(pct({ ...idle, memcpy: 40 }))).not.toBe('idle');
    expect(classOf({ ...pct(idle), pcieRxBytesPerSec: 1e9 })).not.toBe('idle');
    expect(classOf({ ...pct(idle), pcieRxBytesPerSec: 0.99e9 })).toBe('idle');
  });

  it('1 idle needs real < 5, not just gr and dram (readings sampled apart can put SM above GR)', () => {
    const r = pct({ sm: 30, tensor: 0, dram: 0, gr: 0, fp64: 0, memcpy: 0 });
    expect(classify(r, PRESETS.ai).label).not.toBe('idle'); // real 10.5
    expect(classify(r, { sm: 0, tensor: 0.5, dram: 0.25, gr: 0.25 }).label).toBe('idle'); // real 0
    // SM 14.2857… with weight 0.35 puts real exactly at the rounding edge: 4.99 is idle, 5.00 is not.
    expect(classify(pct({ sm: 14.2571, tensor: 0, dram: 0, gr: 0, fp64: 0, memcpy: 0 }), PRESETS.ai).label).toBe('idle');
    expect(classify(pct({ sm: 14.2858, tensor: 0, dram: 0, gr: 0, fp64: 0, memcpy: 0 }), PRESETS.ai).label).not.toBe('idle');
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
    const low = { sm: 14.9, tensor: 0, dram: 14.9, gr: 14.9, memcpy: 0 };
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
      expect(classify(readings, PRESETS.ai).bottleneck).toBe(bottleneck);
    }
  });
});


describe('classify with missing inputs: a class only when every completion gives it', () => {
  // What the issue saw: a GKE T4 exporter with profiling counters only (SM, occupancy, tensor).
  const t4: Readings = { smActive: 0, smOccupancy: 0, tensorActive: 0 };

  it('an idle T4 without DRAM and GR counters is unknown, naming them, not "mixed / moderate"', () => {
    const c = classify(t4, PRESETS.ai);
    expect(c.bottleneck).toBe('unknown');
    expect(c.label).toMatch(/^unknown \(no .*counters\)$/);
    expect(c.label).toContain('DRAM');
    expect(c.label).toContain('GR');
    expect(c.label).not.toContain('SM'); // SM is served
  });

  it('the same T4 becomes idle once DRAM, GR (or GPU_UTIL standing in) and the I/O counters are there', () => {
    const full = { ...t4, dramActive: 0.01, gpuUtil: 0, memCopyUtil: 0, pcieRxBytesPerSec: 1e6, pcieTxBytesPerSec: 1e6 };
    expect(classOf(full)).toBe('idle');
    // Without PCIe the copy engines could be streaming data in: I/O or idle, unknown.
    const { pcieRxBytesPerSec: _rx, pcieTxBytesPerSec: _tx, ...noPcie } = full;
    expect(classOf(noPcie)).toBe('unknown (no PCIe counter)');
  });

  it('keeps the exact "unknown (no SM counter)" when SM alone decides', () => {
    // GR 90, tensor 10, DRAM 45, FP64 0, no I/O: SM decides between compute-heavy, -active, memory-active, ...
    const r = { ...pct({ tensor: 10, dram: 45, gr: 90, fp64: 0, memcpy: 0 }) };
    expect(classify(r, PRESETS.ai)).toEqual({ label: 'unknown (no SM counter)', bottleneck: 'unknown' });
  });

  it('decides without SM when the present counters bound it: tensor 60 and GR 90 put SM in 60..90', () => {
    // An SM is active only while the engine is, and the tensor pipe only while its SM is.
    expect(classOf(pct({ tensor: 60, dram: 45, gr: 90 }))).toBe('tensor-heavy compute');
  });

  it('still finds an idle GPU without SM or tensor, because GR bounds them', () => {
    expect(classOf(pct({ dram: 0.01, gr: 0, memcpy: 0 }))).toBe('idle');
  });

  it('assumes no bounds when the present readings break them (counters sampled apart)', () => {
    // Tensor 40 above GR 20 leaves no SM between them: SM could be anything.
    expect(classOf(pct({ tensor: 40, dram: 0, gr: 20, fp64: 0, memcpy: 0 }))).toBe('unknown (no SM counter)');
  });

  it('does not need an input no rule before the match reads: SM 97 without tensor is compute-heavy only if tensor cannot matter', () => {
    // Tensor could be ≥ 50 (tensor-heavy compute): unknown. With tensor 0 and FP64 0 known: compute-heavy.
    expect(classOf(pct({ sm: 97, dram: 10, gr: 97, fp64: 0, memcpy: 0 }))).toBe('unknown (no tensor counter)');
    expect(classOf(pct({ sm: 97, tensor: 0, gr: 97, fp64: 0, memcpy: 0 }))).toBe('compute-heavy');
  });

  it('keeps the bottleneck every possible class shares: SM 97 alone is some kind of compute', () => {
    // KempnerPulse's GPU 1: tensor could be 0..97 and FP64 too, so tensor-heavy, tensor, FP64 or plain compute-heavy.
    expect(classify({ smActive: 0.97 }, PRESETS.ai)).toEqual({ label: 'unknown (no tensor or FP64 counters)', bottleneck: 'compute' });
  });

  it('reads an OR on the inputs it has: one present input over its threshold settles it', () => {
    expect(classOf({ smActive: 0.1, tensorActive: 0, fp64Active: 0, memCopyUtil: 0.6 })).toBe('I/O or data-loading');
  });

  it('is unknown with nothing at all, and for a dmon cold start (every profiling field N/A)', () => {
    expect(classify({}, PRESETS.ai).bottleneck).toBe('unknown');
    expect(classify({ gpuUtil: 0.85, memCopyUtil: 0.3, powerWatts: 350 }, PRESETS.ai).bottleneck).toBe('unknown');
  });
});

// ---- property: the class shown holds for every completion of the missing inputs ----

type Input = 'smActive' | 'tensorActive' | 'dramActive' | 'grEngineActive' | 'gpuUtil' | 'fp64Active' | 'memCopyUtil' | 'pcieRxBytesPerSec' | 'pcieTxBytesPerSec';
const INPUTS: Input[] = ['smActive', 'tensorActive', 'dramActive', 'grEngineActive', 'gpuUtil', 'fp64Active', 'memCopyUtil', 'pcieRxBytesPerSec', 'pcieTxBytesPerSec'];

/** Every threshold of the rules (percent), and values just either side of each. */
const THRESHOLDS = [0, 5, 15, 20, 25, 30, 40, 50, 60, 80, 100];
const EDGES = THRESHOLDS.flatMap((t) => [t, t - 1e-7, t + 1e-7]).filter((t) => t >= 0 && t <= 100);
const ratio = fc.oneof(fc.constantFrom(...EDGES.map((t) => t / 100)), fc.double({ min: 0, max: 1, noNaN: true }));
const pcie = fc.oneof(fc.constantFrom(0, 1e9, 1e9 - 1, 1e9 + 1, 5e10), fc.double({ min: 0, max: 1e11, noNaN: true }));

/** The hardware's bounds over full readings: tensor, FP64 ≤ SM ≤ GR (or GPU_UTIL standing in). */
function keepsBounds(r: Readings): boolean {
  const v = (f: Input) => r[f] as number;
  const gr = typeof r.grEngineActive === 'number' ? v('grEngineActive') : v('gpuUtil');
  return v('tensorActive') <= v('smActive') && v('fp64Active') <= v('smActive') && (gr === undefined || v('smActive') <= gr);
}

/** A GPU as the hardware could be: all nine inputs, within the bounds. */
const truth = fc
  .record({
    gr: ratio,
    smShare: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    tensorShare: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    fp64Share: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    gpuUtilExtra: ratio,
    dram: ratio,
    memcpy: ratio,
    rx: pcie,
    tx: pcie,
    sm: ratio,
    tensor: ratio,
  })
  .map((t): Readings => {
    // Either the edge values themselves (when they keep the bounds) or shares of the bound above.
    const sm = t.sm <= t.gr ? t.sm : t.gr * t.smShare;
    const tensor = t.tensor <= sm ? t.tensor : sm * t.tensorShare;
    return {
      smActive: sm,
      tensorActive: tensor,
      dramActive: t.dram,
      grEngineActive: t.gr,
      gpuUtil: Math.max(sm, t.gpuUtilExtra),
      fp64Active: sm * t.fp64Share,
      memCopyUtil: t.memcpy,
      pcieRxBytesPerSec: t.rx,
      pcieTxBytesPerSec: t.tx,
    };
  });

/**
 * The inputs a completion fills: the removed ones, except GR_ENGINE_ACTIVE while GPU_UTIL is
 * there, as it stands in for GR (DCGM.md §5) and so GR is known.
 */
function toFill(partial: Readings, removed: Input[]): Input[] {
  return removed.filter((f) => !(f === 'grEngineActive' && typeof partial.gpuUtil === 'number'));
}

function without(r: Readings, removed: Input[]): Readings {
  const out: Readings = { ...r };
  for (const f of removed) delete out[f];
  return out;
}

const weightsArb = fc.oneof(
  fc.constantFrom(PRESETS.ai, PRESETS.hpc, PRESETS.mem),
  fc.tuple(fc.nat(10), fc.nat(10), fc.nat(10), fc.nat(10)).filter((w) => w.some((x) => x > 0)).map(([a, b, c, d]) => {
    const sum = a + b + c + d;
    return { sm: a / sum, tensor: b / sum, dram: c / sum, gr: d / sum };
  }),
);

describe('classify: property over random GPUs with random counters removed', () => {
  it('when it names a class, the GPU it was drawn from has that class, and so does every other completion tried', () => {
    const completion = fc.record(Object.fromEntries(INPUTS.map((f) => [f, f.startsWith('pcie') ? pcie : ratio])) as Record<Input, fc.Arbitrary<number>>);
    fc.assert(
      fc.property(truth, fc.subarray(INPUTS), weightsArb, fc.array(completion, { minLength: 20, maxLength: 20 }), (full, removed, weights, fills) => {
        const partial = without(full, removed);
        const shown = classify(partial, weights);
        // A class: every completion has it. An unknown class with a bottleneck: every
        // completion has that bottleneck. Unknown altogether: nothing to hold.
        const holds = (c: ReturnType<typeof classify>) =>
          shown.label.startsWith('unknown') ? shown.bottleneck === 'unknown' || c.bottleneck === shown.bottleneck : c.label === shown.label && c.bottleneck === shown.bottleneck;
        const filled = toFill(partial, removed);
        const drawnFrom: Readings = { ...partial };
        for (const f of filled) drawnFrom[f] = full[f];
        expect(holds(classify(drawnFrom, weights)), JSON.stringify({ partial, drawnFrom, shown })).toBe(true);
        for (const fill of fills) {
          const other: Readings = { ...partial };
          for (const f of filled) other[f] = fill[f];
          if (!keepsBounds(other)) continue;
          expect(holds(classify(other, weights)), JSON.stringify({ partial, other, shown })).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('is exact: when every completion on a grid through the thresholds gives one class, that class is shown', () => {
    // The grid holds each threshold, a value just below it, 0, 100 and the present values: the
    // corners of every region the rules cut the range into, so it reaches every class a
    // completion can have (up to the 1e-7 it stays below a threshold).
    const grid = (f: Input, present: number[]): number[] => {
      if (f.startsWith('pcie')) return [0, 1e9 - 1, 1e9, 1e14];
      const edges = THRESHOLDS.flatMap((t) => [t, t - 1e-7]).filter((t) => t >= 0).map((t) => t / 100);
      return [...new Set([...edges, ...present])];
    };
    fc.assert(
      fc.property(truth, fc.subarray(INPUTS, { maxLength: 3 }), weightsArb, (full, removed, weights) => {
        const partial = without(full, removed);
        removed = toFill(partial, removed);
        const present = (['smActive', 'tensorActive', 'grEngineActive', 'gpuUtil', 'fp64Active'] as Input[]).filter((f) => !removed.includes(f)).map((f) => full[f] as number);
        const classes = new Set<string>();
        const bottlenecks = new Set<string>();
        const fill = (i: number, r: Readings): void => {
          if (i === removed.length) {
            if (!keepsBounds(r)) return;
            const c = classify(r, weights);
            classes.add(c.label);
            bottlenecks.add(c.bottleneck);
            return;
          }
          for (const v of grid(removed[i], present)) fill(i + 1, { ...r, [removed[i]]: v });
        };
        fill(0, partial);
        const shown = classify(partial, weights);
        if (classes.size === 0) return; // no grid point keeps the bounds (present values closer than 1e-7)
        if (classes.size === 1) {
          expect(shown.label).toBe([...classes][0]);
        } else {
          expect(shown.label).toMatch(/^unknown \(no /);
          expect(shown.bottleneck).toBe(bottlenecks.size === 1 ? [...bottlenecks][0] : 'unknown');
        }
      }),
      { numRuns: 400 },
    );
  });
});
