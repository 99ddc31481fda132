// The health signals older and smaller GPUs have instead of row remapping, and the clock event
// reasons every GPU reports: ECC double-bit errors, page retirement, and why the clocks are held
// back. Each reason says what was seen and what to do (see ./health for the states' order).
import type { Readings } from '../../../shared/canonical';
import { decodeClockEventReasons, type ClockEventReason } from '../../../shared/clock-events';
import type { HealthReason } from '../../../shared/gpu';

const num = (value: number | null | undefined): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export const DRAIN_AND_RESET = 'drain and reset the GPU';

/** What changed while the GPU was watched (kept visible for a while by the pipeline). */
export interface MemoryErrorEvents {
  /** The volatile or aggregate double-bit ECC count went up. */
  doubleBitRose?: boolean;
  /** The retired page count (single- plus double-bit) went up. */
  retiredPagesRose?: boolean;
}

/** Pages retired for single- and double-bit errors together, or undefined when neither is served. */
export function retiredPagesTotal(readings: Readings): number | undefined {
  const sbe = num(readings.retiredPagesSbe);
  const dbe = num(readings.retiredPagesDbe);
  return sbe === undefined && dbe === undefined ? undefined : (sbe ?? 0) + (dbe ?? 0);
}

export function memoryErrorReasons(readings: Readings, events: MemoryErrorEvents): HealthReason[] {
  const reasons: HealthReason[] = [];
  const volatileDbe = num(readings.eccDbeVolatileTotal);
  const aggregateDbe = num(readings.eccDbeAggregateTotal);
  const pending = num(readings.retiredPagesPending);

  if (pending !== undefined && pending > 0) {
    reasons.push({
      state: 'CRIT',
      code: 'page-retirement-pending',
      message: `a memory page is waiting to be retired after an ECC error; ${DRAIN_AND_RESET} so the retirement takes effect`,
    });
  }
  if (events.doubleBitRose) {
    const counts = [volatileDbe !== undefined ? `${volatileDbe} since the driver loaded` : null, aggregateDbe !== undefined ? `${aggregateDbe} over its life` : null];
    reasons.push({
      state: 'CRIT',
      code: 'ecc-double-bit-new',
      message: `new double-bit (uncorrectable) ECC error (${counts.filter(Boolean).join(', ')}); ${DRAIN_AND_RESET}`,
    });
  } else if (volatileDbe !== undefined && volatileDbe > 0) {
    reasons.push({
      state: 'WARN',
      code: 'ecc-double-bit',
      message: `${volatileDbe} double-bit (uncorrectable) ECC error(s) since the driver loaded; ${DRAIN_AND_RESET} when its jobs allow`,
    });
  } else if (aggregateDbe !== undefined && aggregateDbe > 0) {
    // Lifetime history, already handled by a reset (or the GPU would show pending pages).
    reasons.push({ state: 'OK', code: 'ecc-double-bit-history', message: `${aggregateDbe} double-bit ECC error(s) over the GPU's life (aggregate count)` });
  }
  const retired = retiredPagesTotal(readings);
  if (events.retiredPagesRose) {
    reasons.push({
      state: 'WARN',
      code: 'retired-pages-rising',
      message: `retired memory pages rose to ${retired ?? '?'} (single-bit ${num(readings.retiredPagesSbe) ?? '?'}, double-bit ${num(readings.retiredPagesDbe) ?? '?'}); memory is degrading, plan a replacement`,
    });
  } else if (retired !== undefined && retired > 0) {
    reasons.push({ state: 'OK', code: 'retired-pages', message: `${retired} memory page(s) retired over the GPU's life` });
  }
  return reasons;
}

const CLOCK_REMEDY: Record<string, string> = {
  'hw-slowdown': 'the GPU is too hot, its power supply asserted a brake, or its power draw spiked; check cooling and the node power supply',
  'sw-thermal': 'the driver lowers clocks to stay under its temperature target; check airflow and fans',
  'hw-thermal': 'the GPU hit its hardware temperature limit; check airflow, fans and the heatsink now',
  'hw-power-brake': 'the node asserted an external power brake; check the power supply and the node power budget',
};

/** A WARN reason per clock event reason that costs real speed (HW slowdown, thermal, power brake). */
export function clockEventHealthReasons(readings: Readings): HealthReason[] {
  const mask = num(readings.clockEventReasons);
  if (mask === undefined || mask === 0) return [];
  return decodeClockEventReasons(mask)
    .reasons.filter((r: ClockEventReason) => r.concern === 'warn')
    .map((r) => ({ state: 'WARN' as const, code: `clocks-${r.code}`, message: `clocks held back by ${r.label}: ${CLOCK_REMEDY[r.code]}` }));
}
