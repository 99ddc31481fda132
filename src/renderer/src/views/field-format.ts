// How the focus and plot views name, format and scale a reading. Driven by the canonical unit
// (CANONICAL_FIELDS) so a new canonical field shows up formatted without touching this file.
// Conventions (DCGM.md §9): percent with no decimals, °C, W; PCIe in binary units (GiB/s),
// NVLink in decimal units (GB/s), each labelled with its unit so the two are never confused.
import { CANONICAL_FIELDS, type CanonicalField, type CanonicalUnit, type Readings } from '../../../shared/canonical';
import type { HistoryField } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { describeClockEventReasons } from '../../../shared/clock-events';
import { celsius, gib, pct, percentValue, watts } from '../components/format';

/** A reading the views can show: every canonical field plus the computed real utilization. */
export type ViewField = CanonicalField | 'realUtil';
type ViewUnit = CanonicalUnit | 'percent';

/** Power scale when the exporter does not report the limit (DCGM.md §9). */
export const DEFAULT_POWER_SCALE_W = 700;

export function fieldUnit(field: ViewField): ViewUnit {
  return field === 'realUtil' ? 'percent' : CANONICAL_FIELDS[field].unit;
}

export function fieldLabel(field: ViewField): string {
  return field === 'realUtil' ? 'Real utilization' : CANONICAL_FIELDS[field].label;
}

/** Unit as a user reads it next to a metric name (the plot view's metric select, axis titles). */
export function unitLabel(field: ViewField): string {
  switch (fieldUnit(field)) {
    case 'percent':
    case 'ratio':
      return '%';
    case 'W':
      return 'W';
    case 'J':
      return 'J';
    case 'C':
      return '°C';
    case 'Hz':
      return 'MHz';
    case 'bytes':
      return 'GiB';
    case 'bytes/s':
      return isDecimalThroughput(field) ? 'GB/s' : 'GiB/s';
    case 'count/s':
      return '/s';
    default:
      return '';
  }
}

/** The current value of a field on a snapshot, null when the exporter does not provide it. */
export function readingOf(gpu: GpuSnapshot, field: ViewField): number | null {
  const value = field === 'realUtil' ? gpu.realUtil : gpu.readings[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isDecimalThroughput(field: ViewField): boolean {
  return field.startsWith('nvlink');
}

const BINARY_RATE_UNITS = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'];
const DECIMAL_RATE_UNITS = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s'];

export function binaryRate(bytesPerSec: number): string {
  return scaled(bytesPerSec, 1024, BINARY_RATE_UNITS);
}

export function decimalRate(bytesPerSec: number): string {
  return scaled(bytesPerSec, 1000, DECIMAL_RATE_UNITS);
}

function scaled(value: number, base: number, units: string[]): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  const digits = v >= 100 || i === 0 ? 0 : 1;
  return `${value < 0 ? '-' : ''}${v.toFixed(digits)} ${units[i]}`;
}

/** One value of a field, as the metric table and tooltips print it. */
export function formatValue(field: ViewField, value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  switch (fieldUnit(field)) {
    case 'percent':
      return percentValue(value);
    case 'ratio':
      return pct(value);
    case 'W':
      return watts(value);
    case 'J':
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)} MJ` : value >= 1e3 ? `${(value / 1e3).toFixed(1)} kJ` : `${Math.round(value)} J`;
    case 'C':
      return celsius(value);
    case 'Hz':
      return `${Math.round(value / 1e6)} MHz`;
    case 'bytes':
      return gib(value);
    case 'bytes/s':
      return isDecimalThroughput(field) ? decimalRate(value) : binaryRate(value);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'count/s':
      return `${value.toFixed(value >= 10 ? 0 : 2)}/s`;
    case 'code':
      // XID 0 means no XID since the driver loaded; other codes have no such reading.
      return field === 'xidLast' && value === 0 ? 'none' : String(Math.round(value));
    case 'flag':
      return value !== 0 ? 'yes' : 'no';
    case 'bitmask':
      // The one bitmask is the clock event reasons: named, as nvidia-smi -q names them.
      return describeClockEventReasons(value);
  }
}

const GIB = 2 ** 30;

/** Short axis tick text: same units as formatValue, fewer characters. */
export function formatTick(field: ViewField, value: number): string {
  switch (fieldUnit(field)) {
    case 'bytes':
      return `${Number((value / GIB).toFixed(1))} GiB`;
    default:
      return formatValue(field, value);
  }
}

/**
 * Fill of a bar (0..1) for the readings where a bar means something: fractions, the percent
 * score, memory against the total and power against the limit. Null means "no bar".
 */
export function barFraction(field: ViewField, value: number | null, readings: Readings): number | null {
  if (value === null) return null;
  const unit = fieldUnit(field);
  if (unit === 'ratio') return clamp01(value);
  if (unit === 'percent') return clamp01(value / 100);
  if (field === 'fbUsedBytes') {
    const total = readings.fbTotalBytes;
    return typeof total === 'number' && total > 0 ? clamp01(value / total) : null;
  }
  if (field === 'powerWatts') {
    const limit = readings.powerLimitWatts;
    return clamp01(value / (typeof limit === 'number' && limit > 0 ? limit : DEFAULT_POWER_SCALE_W));
  }
  return null;
}

/** Power colour bands (DCGM.md §9): ≥600 W red, ≥450 yellow, ≥200 green. */
export function powerClass(w: number | null): string {
  if (w === null) return 'dim';
  if (w >= 600) return 'red';
  if (w >= 450) return 'yellow';
  if (w >= 200) return 'green';
  return 'dim';
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** A round GiB step that cuts `bytes` into at most about eight ticks. */
function gibStep(bytes: number): number {
  const steps = [1, 2, 4, 8, 10, 16, 20, 32, 40, 64, 80, 128];
  return (steps.find((s) => bytes / (s * GIB) <= 8) ?? 256) * GIB;
}

/** Y axis range a chart of this field should use; undefined bounds autoscale. */
export function yRange(field: HistoryField, gpu?: GpuSnapshot): { min?: number; max?: number; step?: number } {
  const unit = fieldUnit(field);
  if (unit === 'percent') return { min: 0, max: 100 };
  if (unit === 'ratio') return { min: 0, max: 1 };
  if (field === 'fbUsedBytes') {
    // Up to the total when known, so a full framebuffer reaches the top; ticks in round GiB
    // (autoscaled ticks in bytes would land on 9.3 GiB steps).
    const total = gpu ? readingOf(gpu, 'fbTotalBytes') : null;
    return total !== null ? { min: 0, max: total, step: gibStep(total) } : { min: 0 };
  }
  if (unit === 'C') return {};
  return { min: 0 };
}

/** Decimal places of a y tick step, so ticks never print the same rounded label twice. */
export function yPrecision(field: ViewField): number | undefined {
  const unit = fieldUnit(field);
  if (unit === 'ratio') return 2;
  if (unit === 'percent' || unit === 'W' || unit === 'C') return 0;
  return undefined;
}
