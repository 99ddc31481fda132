// The 12-class workload cascade with its bottleneck (DCGM.md §6). First match wins; a rule
// cannot match on an input that is missing.
import type { Readings } from '../../../shared/canonical';
import type { Bottleneck, RealUtilization, WorkloadClass } from '../../../shared/gpu';
import { grPercent, percentOf } from './realutil';

export const UNKNOWN_NO_SM: WorkloadClass = { label: 'unknown (no SM counter)', bottleneck: 'unknown' };

/** ≥ 1e9 B/s of PCIe traffic in either direction counts as I/O heavy. */
const PCIE_HEAVY_BYTES_PER_SEC = 1e9;

type Value = number | undefined;
const atLeast = (x: Value, threshold: number): boolean => x !== undefined && x >= threshold;
const below = (x: Value, threshold: number): boolean => x !== undefined && x < threshold;

interface Inputs {
  real: number | null;
  sm: Value;
  tensor: Value;
  dram: Value;
  gr: Value;
  fp64: Value;
  ioHeavy: boolean;
}

interface Rule {
  label: string;
  bottleneck: Bottleneck;
  matches: (v: Inputs) => boolean;
}

const RULES: Rule[] = [
  {
    label: 'idle',
    bottleneck: 'idle',
    // Needs GR and DRAM themselves. With SM or tensor missing the score is a lower bound, but
    // both are bounded by GR (an SM can only be active while the engine is), so GR < 5 and
    // DRAM < 5 keep the full score under 5 too: this is not a guess.
    matches: (v) => v.real !== null && v.real < 5 && below(v.gr, 5) && below(v.dram, 5) && !v.ioHeavy,
  },
  { label: 'tensor-heavy compute', bottleneck: 'compute', matches: (v) => atLeast(v.tensor, 50) && atLeast(v.sm, 60) },
  { label: 'tensor compute', bottleneck: 'compute', matches: (v) => atLeast(v.tensor, 15) && atLeast(v.sm, 40) },
  { label: 'FP64 / HPC compute', bottleneck: 'compute', matches: (v) => atLeast(v.fp64, 20) && atLeast(v.sm, 50) },
  { label: 'I/O or data-loading', bottleneck: 'io', matches: (v) => v.ioHeavy && below(v.sm, 30) },
  { label: 'memory-bound', bottleneck: 'memory', matches: (v) => atLeast(v.dram, 50) && below(v.sm, 50) },
  { label: 'compute-heavy', bottleneck: 'compute', matches: (v) => atLeast(v.sm, 80) },
  { label: 'compute-active', bottleneck: 'compute', matches: (v) => atLeast(v.sm, 50) },
  { label: 'memory-active', bottleneck: 'memory', matches: (v) => atLeast(v.dram, 40) },
  { label: 'busy, low SM use', bottleneck: 'mixed', matches: (v) => atLeast(v.gr, 40) && below(v.sm, 25) },
  {
    label: 'low utilization',
    bottleneck: 'mixed',
    matches: (v) => below(v.gr, 15) && below(v.sm, 15) && below(v.dram, 15),
  },
  { label: 'mixed / moderate', bottleneck: 'mixed', matches: () => true },
];

// Split once here rather than per call: classify runs for every GPU of every scrape.
const [IDLE, ...LATER_RULES] = RULES;

/** The OR matches on the inputs it has: any present input over its threshold is enough. */
function isIoHeavy(readings: Readings): boolean {
  const memcpy = percentOf(readings, 'memCopyUtil');
  const rx = readings.pcieRxBytesPerSec;
  const tx = readings.pcieTxBytesPerSec;
  return (
    atLeast(memcpy, 40) ||
    (typeof rx === 'number' && rx >= PCIE_HEAVY_BYTES_PER_SEC) ||
    (typeof tx === 'number' && tx >= PCIE_HEAVY_BYTES_PER_SEC)
  );
}

export function classify(readings: Readings, realUtil: RealUtilization): WorkloadClass {
  const inputs: Inputs = {
    real: realUtil.value,
    sm: percentOf(readings, 'smActive'),
    tensor: percentOf(readings, 'tensorActive'),
    dram: percentOf(readings, 'dramActive'),
    gr: grPercent(readings),
    fp64: percentOf(readings, 'fp64Active'),
    ioHeavy: isIoHeavy(readings),
  };
  if (IDLE.matches(inputs)) return { label: IDLE.label, bottleneck: IDLE.bottleneck };
  // Every later rule needs SM or comes after rules that do: without SM any answer is a guess.
  if (inputs.sm === undefined) return { ...UNKNOWN_NO_SM };
  for (const rule of LATER_RULES) {
    if (rule.matches(inputs)) return { label: rule.label, bottleneck: rule.bottleneck };
  }
  throw new Error('unreachable: the last rule matches anything');
}
