// Shared helpers for the exposition tests: paths into ../shared and small converters.
import { join } from 'node:path';
import type { Family } from '../../src/main/core/exposition/index';

export const SHARED = join(__dirname, '../../../shared');
export const CONFORMANCE = join(SHARED, 'conformance');

/** JSON form of a float as the reference outputs write it. */
export function jsonFloat(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}

export function sampleCount(families: Family[]): number {
  return families.reduce((n, f) => n + f.samples.length, 0);
}
