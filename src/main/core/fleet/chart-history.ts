// How the fleet's chart history (HISTORY_FIELDS) is stored: 16-bit fixed point where a field's
// range is known and the views show far less precision than the step, float32 elsewhere.
// Views (DCGM.md §9) print percent and ratios as whole percent, watts and °C as integers; the
// charts draw at the same scale. Byte counts and rates span too many orders of magnitude for
// 16 bits, so they stay float32 (relative error ≤ 6e-8).
//
// | field                             | encoding            | range            | error bound |
// |-----------------------------------|---------------------|------------------|-------------|
// | realUtil (percent)                | 1/100 per step      | 0 .. 655.34      | ± 0.005 pp  |
// | smActive … fp64Active (ratio 0-1) | 1/10,000 per step   | 0 .. 6.5534      | ± 0.00005 (0.005 pp) |
// | powerWatts                        | 1/10 W per step     | 0 .. 6,553.4 W   | ± 0.05 W    |
// | gpuTempC                          | 1/100 °C, from -100 | -100 .. 555.34 °C| ± 0.005 °C  |
// | pcie*, nvlink*, fbUsedBytes       | float32             | any              | relative 6e-8 |
//
// Values outside a range saturate at its end (a ratio above 6.55 or power above 6.5 kW is not
// a GPU reading). Rounding can move a displayed integer only when the reading lies within the
// error bound of a half (43.4951 % is stored as 43.50 and shows 44 % instead of 43 %).
import { HISTORY_FIELDS, type HistoryField } from '../../../shared/api';
import type { HistoryOptions } from './history';
import { CELSIUS_ENCODING, FLOAT32, PERCENT_ENCODING, RATIO_ENCODING, WATTS_ENCODING, type FieldEncoding } from './history-encoding';

export const CHART_HISTORY_ENCODINGS: Readonly<Record<HistoryField, FieldEncoding>> = {
  realUtil: PERCENT_ENCODING,
  smActive: RATIO_ENCODING,
  tensorActive: RATIO_ENCODING,
  dramActive: RATIO_ENCODING,
  grEngineActive: RATIO_ENCODING,
  fp64Active: RATIO_ENCODING,
  pcieTxBytesPerSec: FLOAT32,
  pcieRxBytesPerSec: FLOAT32,
  nvlinkTotalBytesPerSec: FLOAT32,
  powerWatts: WATTS_ENCODING,
  gpuTempC: CELSIUS_ENCODING,
  fbUsedBytes: FLOAT32,
};

/**
 * The chart history's store. The raw ring grows up to the 5 s sizing (a GPU scraped every 15 s
 * stops at 256 of its 721 slots); a target polled faster keeps a shorter raw window and the
 * 1-minute tier covers the rest, so memory stays what the configuration says. Nothing reads
 * the 1-minute tier's min and max (the API answers means), so it keeps the mean only.
 */
export function chartHistoryOptions(overrides?: Partial<Omit<HistoryOptions, 'fields' | 'encodings'>>): HistoryOptions {
  return { rawWindowMs: 3_600_000, rawStepMs: 5_000, ...overrides, fields: [...HISTORY_FIELDS], encodings: CHART_HISTORY_ENCODINGS };
}
