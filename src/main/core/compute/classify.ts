// The 12-class workload cascade with its bottleneck (DCGM.md §6). First match wins.
//
// No guessed class: a class is shown only when every value the missing inputs could take gives
// the same first match; otherwise the class is `unknown`, naming the counters that would decide
// it (the same principle as the real-utilization lower bound). This is decided exactly, not by
// sampling: the inputs form a box (a present input is a point, a missing one its whole range),
// each rule is evaluated on the box in three-valued logic (true everywhere, false everywhere, or
// depends), and where a rule depends on a missing input the box is split at that rule's
// threshold and both halves are classified. The rules compare single inputs with constants, so
// once a box is split at every threshold a rule reaches, each rule is constant on it; the one
// input that is not a single reading, the real-utilization score in rule 1, is linear with
// non-negative weights, so its range over a box is [score at the lowest point, score at the
// highest point].
//
// "Could take" includes the hardware's own bounds, which are what lets an idle GPU without an
// SM counter still read as idle: an SM is active only while the graphics engine is (SM ≤ GR),
// and a pipe only while its SM is (tensor ≤ SM, FP64 ≤ SM). They narrow missing inputs only;
// when the present readings themselves break them (counters sampled at different moments) no
// bound is assumed at all.
import type { Readings } from '../../../shared/canonical';
import type { Bottleneck, WorkloadClass } from '../../../shared/gpu';
import { grPercent, percentOf, scoreOf } from './realutil';
import type { Weights } from './weights';

/** ≥ 1e9 B/s of PCIe traffic in either direction counts as I/O heavy. */
const PCIE_HEAVY_BYTES_PER_SEC = 1e9;
/** The most a missing PCIe throughput could be (the canonical bytes/s range, 100 TB/s). */
const PCIE_MAX_BYTES_PER_SEC = 1e14;

// Inputs, by position in a box. Ratios are in percent, PCIe in bytes/s.
const SM = 0;
const TENSOR = 1;
const DRAM = 2;
const GR = 3;
const FP64 = 4;
const MEMCPY = 5;
const PCIE_RX = 6;
const PCIE_TX = 7;
const INPUT_COUNT = 8;

/** What an `unknown` class names for each input (both PCIe directions are one counter pair). */
const INPUT_NAMES = ['SM', 'tensor', 'DRAM', 'GR', 'FP64', 'memory-copy', 'PCIe', 'PCIe'];

/**
 * Each input's range: [lo, hi], or [lo, hi) where `open` has its bit. A present input is the
 * point [v, v]; a missing one starts as its whole range.
 */
class Box {
  constructor(
    readonly lo: number[],
    readonly hi: number[],
    public open: number,
  ) {}

  copy(): Box {
    return new Box(this.lo.slice(), this.hi.slice(), this.open);
  }

  isOpen(i: number): boolean {
    return (this.open & (1 << i)) !== 0;
  }

  isEmpty(i: number): boolean {
    return this.lo[i] > this.hi[i] || (this.lo[i] === this.hi[i] && this.isOpen(i));
  }
}

const TRUE = 1;
const FALSE = 0;
const DEPENDS = 2;

/**
 * Evaluates the rules' comparisons on one box. A comparison that depends on the box records
 * where to split it (the first such one of the rule being evaluated).
 */
class Probe {
  box!: Box;
  splitInput = -1;
  splitAt = 0;

  /** Whether input i ≥ t over the whole box. */
  atLeast(i: number, t: number): number {
    const box = this.box;
    if (box.lo[i] >= t) return TRUE;
    if (box.hi[i] < t || (box.hi[i] === t && box.isOpen(i))) return FALSE;
    if (this.splitInput === -1) {
      this.splitInput = i;
      this.splitAt = t;
    }
    return DEPENDS;
  }

  below(i: number, t: number): number {
    const r = this.atLeast(i, t);
    return r === DEPENDS ? DEPENDS : 1 - r;
  }
}

function and(...parts: number[]): number {
  if (parts.includes(FALSE)) return FALSE;
  return parts.includes(DEPENDS) ? DEPENDS : TRUE;
}

function or(...parts: number[]): number {
  if (parts.includes(TRUE)) return TRUE;
  return parts.includes(DEPENDS) ? DEPENDS : FALSE;
}

function ioHeavy(p: Probe): number {
  return or(p.atLeast(MEMCPY, 40), p.atLeast(PCIE_RX, PCIE_HEAVY_BYTES_PER_SEC), p.atLeast(PCIE_TX, PCIE_HEAVY_BYTES_PER_SEC));
}

interface Rule {
  label: string;
  bottleneck: Bottleneck;
  matches: (p: Probe) => number;
}

const IDLE: WorkloadClass = { label: 'idle', bottleneck: 'idle' };

/** Rule 1 without its score condition (see classifyBox). */
function idleReadings(p: Probe): number {
  const io = ioHeavy(p);
  return and(p.below(GR, 5), p.below(DRAM, 5), io === DEPENDS ? DEPENDS : 1 - io);
}

/** Rules 2-12, after idle. */
const LATER_RULES: Rule[] = [
  { label: 'tensor-heavy compute', bottleneck: 'compute', matches: (p) => and(p.atLeast(TENSOR, 50), p.atLeast(SM, 60)) },
  { label: 'tensor compute', bottleneck: 'compute', matches: (p) => and(p.atLeast(TENSOR, 15), p.atLeast(SM, 40)) },
  { label: 'FP64 / HPC compute', bottleneck: 'compute', matches: (p) => and(p.atLeast(FP64, 20), p.atLeast(SM, 50)) },
  { label: 'I/O or data-loading', bottleneck: 'io', matches: (p) => and(ioHeavy(p), p.below(SM, 30)) },
  { label: 'memory-bound', bottleneck: 'memory', matches: (p) => and(p.atLeast(DRAM, 50), p.below(SM, 50)) },
  { label: 'compute-heavy', bottleneck: 'compute', matches: (p) => p.atLeast(SM, 80) },
  { label: 'compute-active', bottleneck: 'compute', matches: (p) => p.atLeast(SM, 50) },
  { label: 'memory-active', bottleneck: 'memory', matches: (p) => p.atLeast(DRAM, 40) },
  { label: 'busy, low SM use', bottleneck: 'mixed', matches: (p) => and(p.atLeast(GR, 40), p.below(SM, 25)) },
  { label: 'low utilization', bottleneck: 'mixed', matches: (p) => and(p.below(GR, 15), p.below(SM, 15), p.below(DRAM, 15)) },
  { label: 'mixed / moderate', bottleneck: 'mixed', matches: () => TRUE },
];

/** The hardware's bounds as [lower, upper] pairs: lower ≤ upper (see the header). */
const BOUNDS: readonly [number, number][] = [
  [TENSOR, SM],
  [FP64, SM],
  [SM, GR],
];

/**
 * Narrows the missing inputs by BOUNDS; false when nothing in the box satisfies them. The
 * bounds form a tree (tensor, FP64 -> SM -> GR), so one pass up for the lows and one down for
 * the highs give each input's exact range.
 */
function narrow(box: Box, missing: number): boolean {
  for (const [a, b] of BOUNDS) {
    if (missing & (1 << b) && box.lo[a] > box.lo[b]) box.lo[b] = box.lo[a];
  }
  for (let k = BOUNDS.length - 1; k >= 0; k--) {
    const [a, b] = BOUNDS[k];
    if (!(missing & (1 << a))) continue;
    if (box.hi[b] < box.hi[a]) {
      box.hi[a] = box.hi[b];
      box.open = box.isOpen(b) ? box.open | (1 << a) : box.open & ~(1 << a);
    } else if (box.hi[b] === box.hi[a] && box.isOpen(b)) {
      box.open |= 1 << a;
    }
  }
  for (let i = 0; i < INPUT_COUNT; i++) if (box.isEmpty(i)) return false;
  return true;
}

/** The largest double below x: the top of a range open at x. */
function justBelow(x: number): number {
  if (x <= 0) return x - Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] -= 1n;
  return buf[0];
}

interface Search {
  weights: Weights;
  missing: number;
  /** Apply BOUNDS (off when the present readings break them). */
  bounded: boolean;
  classes: Map<string, WorkloadClass>;
  /** The bottleneck every class found so far shares, 'unknown' once they differ; null before the first. */
  bottleneck: Bottleneck | null;
  /** Missing inputs a split was made on: the counters that would decide an unknown class. */
  deciding: number;
  probe: Probe;
}

function add(search: Search, c: WorkloadClass): void {
  if (search.classes.has(c.label)) return;
  search.classes.set(c.label, c);
  if (c.bottleneck !== search.bottleneck) search.bottleneck = search.classes.size === 1 ? c.bottleneck : 'unknown';
}

/**
 * Adds every class some point of the box gets to search.classes. Stops once two bottlenecks
 * are possible: until then the search goes on, as classes sharing one bottleneck still say
 * what limits the GPU.
 */
function classifyBox(box: Box, search: Search): void {
  if (search.bottleneck === 'unknown') return;
  if (search.bounded && !narrow(box, search.missing)) return;
  const probe = search.probe;
  probe.box = box;

  probe.splitInput = -1;
  const idle = idleReadings(probe);
  if (idle === DEPENDS) return split(box, search);
  // Rule 1 also needs the score under 5; over the box it ranges from its value at the lowest
  // point to its value at the highest.
  let idlePossible = false;
  if (idle === TRUE) {
    const { weights } = search;
    const lowest = scoreOf(box.lo[SM], box.lo[TENSOR], box.lo[DRAM], box.lo[GR], weights);
    const top = (i: number) => (box.isOpen(i) ? justBelow(box.hi[i]) : box.hi[i]);
    const highest = scoreOf(top(SM), top(TENSOR), top(DRAM), top(GR), weights);
    if (highest < 5) return add(search, IDLE);
    if (lowest < 5) {
      idlePossible = true;
      for (const i of [SM, TENSOR, DRAM, GR]) if (search.missing & (1 << i)) search.deciding |= 1 << i;
    }
  }
  for (const rule of LATER_RULES) {
    probe.splitInput = -1;
    const match = rule.matches(probe);
    if (match === FALSE) continue;
    if (match === DEPENDS) return split(box, search);
    if (idlePossible) add(search, IDLE);
    return add(search, { label: rule.label, bottleneck: rule.bottleneck });
  }
}

function split(box: Box, search: Search): void {
  const { splitInput: i, splitAt: t } = search.probe;
  search.deciding |= 1 << i;
  const lower = box.copy();
  lower.hi[i] = t;
  lower.open |= 1 << i;
  const upper = box;
  upper.lo[i] = t;
  classifyBox(lower, search);
  classifyBox(upper, search);
}

/**
 * `unknown (no DRAM or GR counters)`. The bottleneck stays known when every possible class
 * shares it (SM 97 without tensor or FP64 counters: some kind of compute), else `unknown`.
 */
function unknownClass(deciding: number, bottleneck: Bottleneck): WorkloadClass {
  const names = [...new Set(INPUT_NAMES.filter((_, i) => deciding & (1 << i)))];
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
  return { label: `unknown (no ${list} counter${names.length > 1 ? 's' : ''})`, bottleneck };
}

/** The inputs of the cascade from the readings, in box order; undefined where missing. */
function inputsOf(readings: Readings): (number | undefined)[] {
  const rx = readings.pcieRxBytesPerSec;
  const tx = readings.pcieTxBytesPerSec;
  return [
    percentOf(readings, 'smActive'),
    percentOf(readings, 'tensorActive'),
    percentOf(readings, 'dramActive'),
    grPercent(readings),
    percentOf(readings, 'fp64Active'),
    percentOf(readings, 'memCopyUtil'),
    typeof rx === 'number' && Number.isFinite(rx) ? rx : undefined,
    typeof tx === 'number' && Number.isFinite(tx) ? tx : undefined,
  ];
}

/**
 * The workload class of a GPU's readings, or `unknown (no X counter)` when the inputs it lacks
 * could make it more than one class. `weights` are the real-utilization weights, as the score
 * decides rule 1.
 */
export function classify(readings: Readings, weights: Weights): WorkloadClass {
  const inputs = inputsOf(readings);
  const lo: number[] = new Array<number>(INPUT_COUNT);
  const hi: number[] = new Array<number>(INPUT_COUNT);
  let missing = 0;
  for (let i = 0; i < INPUT_COUNT; i++) {
    const value = inputs[i];
    if (value === undefined) {
      missing |= 1 << i;
      lo[i] = 0;
      hi[i] = i === PCIE_RX || i === PCIE_TX ? PCIE_MAX_BYTES_PER_SEC : 100;
    } else {
      lo[i] = hi[i] = value;
    }
  }
  const box = new Box(lo, hi, 0);
  // Bounds hold only if the present readings keep them: otherwise assume none.
  const bounded = missing !== 0 && narrow(box.copy(), missing);
  const search: Search = { weights, missing, bounded, classes: new Map(), bottleneck: null, deciding: 0, probe: new Probe() };
  classifyBox(box, search);
  const classes = [...search.classes.values()];
  if (classes.length === 1) return classes[0];
  return unknownClass(search.deciding & missing, search.bottleneck ?? 'unknown');
}
