// Per-model temperature thresholds (DCGM.md §7), matched by substring of the upper-cased model
// name; the first match wins, so a more specific name must come before a shorter one.

export interface ModelTemperatures {
  normalC: number;
  warningC: number;
  criticalC: number;
}

const MODEL_TEMPERATURES: [string, ModelTemperatures][] = [
  ['A100', { normalC: 85, warningC: 93, criticalC: 95 }],
  ['H100', { normalC: 85, warningC: 95, criticalC: 105 }],
  ['H200', { normalC: 80, warningC: 95, criticalC: 105 }],
  ['RTX 6000', { normalC: 85, warningC: 92, criticalC: 105 }],
];

export const DEFAULT_TEMPERATURES: ModelTemperatures = { normalC: 85, warningC: 93, criticalC: 105 };

export function temperaturesFor(model: string | null): ModelTemperatures {
  const upper = (model ?? '').toUpperCase();
  return MODEL_TEMPERATURES.find(([needle]) => upper.includes(needle))?.[1] ?? DEFAULT_TEMPERATURES;
}
