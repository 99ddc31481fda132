// Real-utilization weights (DCGM.md §5): presets and validated custom weights.

/** Weights of the four real-utilization inputs; they sum to 1. */
export interface Weights {
  sm: number;
  tensor: number;
  dram: number;
  gr: number;
}

export type PresetName = 'ai' | 'hpc' | 'mem';

export const PRESETS: Readonly<Record<PresetName, Readonly<Weights>>> = {
  ai: { sm: 0.35, tensor: 0.35, dram: 0.2, gr: 0.1 },
  hpc: { sm: 0.45, tensor: 0.15, dram: 0.25, gr: 0.15 },
  mem: { sm: 0.35, tensor: 0.1, dram: 0.4, gr: 0.15 },
};

export const DEFAULT_WEIGHTS: Readonly<Weights> = PRESETS.ai;

export function isPresetName(text: string): text is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, text);
}

/**
 * Parses custom weights written as `sm,tensor,dram,gr` (e.g. `2,1,1,0` or `0.4,0.3,0.2,0.1`),
 * and normalises them to sum 1. Throws an Error that says what is wrong and how to write it.
 */
export function parseWeights(text: string): Weights {
  const expected = 'expected four non-negative numbers "sm,tensor,dram,gr", e.g. "0.35,0.35,0.2,0.1"';
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4) {
    throw new Error(`invalid weights "${text}": got ${parts.length} value(s), ${expected}`);
  }
  const values = parts.map((part, i) => {
    const name = (['sm', 'tensor', 'dram', 'gr'] as const)[i];
    // Number('') is 0 and Number(' ') too: an empty slot is a typo, not a zero weight.
    const value = part === '' ? NaN : Number(part);
    if (!Number.isFinite(value)) throw new Error(`invalid weights "${text}": ${name} weight "${part}" is not a number; ${expected}`);
    if (value < 0) throw new Error(`invalid weights "${text}": ${name} weight ${value} is negative; ${expected}`);
    return value;
  });
  const sum = values.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new Error(`invalid weights "${text}": all weights are 0, so no input would count; ${expected}`);
  const [sm, tensor, dram, gr] = values.map((v) => v / sum);
  return { sm, tensor, dram, gr };
}
