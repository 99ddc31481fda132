// Health with the reasons behind it (DCGM.md §7): CRIT, then WARN, then HOT, then OK. Every
// reason says what was seen and what to do about it.
import type { Readings } from '../../../shared/canonical';
import type { Health, HealthReason, HealthState } from '../../../shared/gpu';
import { clockEventHealthReasons, memoryErrorReasons, type MemoryErrorEvents } from './health-signals';
import { temperaturesFor } from './model-temps';
import { describeXid } from './xid';

/** Worst first, as DCGM.md §7 orders them. */
export const HEALTH_STATE_ORDER: readonly HealthState[] = ['CRIT', 'WARN', 'HOT', 'OK'];

/** Throttled for more than this fraction of the time is worth a reason. */
export const THROTTLE_REASON_RATIO = 0.01;
/** Power within 1% of the enforced limit counts as at the limit (readings are averaged). */
export const POWER_AT_LIMIT_RATIO = 0.99;

export interface XidObservation {
  code: number;
  /** True when the code changed while being watched; false when it was already there. */
  isNew: boolean;
}

export interface HealthInput {
  readings: Readings;
  model: string | null;
  /** The last XID, when one is non-zero. */
  xid?: XidObservation | null;
  /** Correctable remapped rows went up since the previous reading. */
  correctableRowsRose?: boolean;
  /** Double-bit ECC errors and retired pages that went up while watched. */
  memoryEvents?: MemoryErrorEvents;
}

const num = (value: number | null | undefined): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function xidReason(xid: XidObservation): HealthReason {
  const { meaning, severity } = describeXid(xid.code);
  const when = xid.isNew ? 'new XID' : 'last XID since driver load';
  if (severity === 'fatal') {
    return { state: 'CRIT', code: 'xid', message: `${when} ${xid.code}: ${meaning}; drain the GPU and reset it (RMA if it recurs)` };
  }
  if (severity === 'hardware') {
    return { state: 'WARN', code: 'xid', message: `${when} ${xid.code}: ${meaning}; check the kernel log (dmesg) for details` };
  }
  // An application fault is news when it happens, not forever after: an old one is a note.
  return {
    state: xid.isNew ? 'WARN' : 'OK',
    code: 'xid',
    message: `${when} ${xid.code}: ${meaning}; usually the application's fault, check the job that ran`,
  };
}

export function assessHealth(input: HealthInput): Health {
  const { readings } = input;
  const reasons: HealthReason[] = [];
  const temps = temperaturesFor(input.model);

  if ((num(readings.rowRemapFailure) ?? 0) >= 1) {
    reasons.push({
      state: 'CRIT',
      code: 'row-remap-failure',
      message: 'row remapping failed: the GPU cannot retire more bad memory rows; drain it and request an RMA',
    });
  }
  const uncorrectable = num(readings.remappedRowsUncorrectable);
  if (uncorrectable !== undefined && uncorrectable > 0) {
    reasons.push({
      state: 'CRIT',
      code: 'remapped-rows-uncorrectable',
      message: `${uncorrectable} row(s) remapped after uncorrectable ECC errors; drain the GPU and reset it to apply the remap`,
    });
  }
  const gpuTemp = num(readings.gpuTempC);
  if (gpuTemp !== undefined && gpuTemp >= temps.criticalC) {
    reasons.push({
      state: 'CRIT',
      code: 'temperature-critical',
      message: `GPU at ${gpuTemp}°C, at or above the ${temps.criticalC}°C critical temperature for this model; check cooling now`,
    });
  }
  if (input.xid) reasons.push(xidReason(input.xid));
  reasons.push(...memoryErrorReasons(readings, input.memoryEvents ?? {}));
  reasons.push(...clockEventHealthReasons(readings));

  const replayRate = num(readings.pcieReplayPerSec);
  if (replayRate !== undefined && replayRate > 0) {
    reasons.push({
      state: 'WARN',
      code: 'pcie-replays',
      message: `PCIe replays at ${formatRate(replayRate)}/s: the link is retrying transfers; reseat the GPU or check the riser`,
    });
  }
  if (input.correctableRowsRose) {
    reasons.push({
      state: 'WARN',
      code: 'remapped-rows-correctable-rising',
      message: `correctable remapped rows rose to ${num(readings.remappedRowsCorrectable) ?? '?'}; memory is degrading, plan a replacement`,
    });
  }
  const power = num(readings.powerWatts);
  const limit = num(readings.powerLimitWatts);
  if (power !== undefined && limit !== undefined && limit > 0 && power >= limit * POWER_AT_LIMIT_RATIO) {
    reasons.push({
      state: 'WARN',
      code: 'power-at-limit',
      message: `drawing ${Math.round(power)} W against a ${Math.round(limit)} W limit: clocks are being held back by power`,
    });
  }
  const powerThrottle = num(readings.powerThrottleRatio);
  if (powerThrottle !== undefined && powerThrottle > THROTTLE_REASON_RATIO) {
    reasons.push({
      state: 'WARN',
      code: 'power-throttling',
      message: `power-throttled ${Math.round(powerThrottle * 100)}% of the time; raise the power limit or expect lower clocks`,
    });
  }
  const thermalThrottle = num(readings.thermalThrottleRatio);
  if (thermalThrottle !== undefined && thermalThrottle > THROTTLE_REASON_RATIO) {
    reasons.push({
      state: 'HOT',
      code: 'thermal-throttling',
      message: `thermally throttled ${Math.round(thermalThrottle * 100)}% of the time; check airflow and fans`,
    });
  }
  if (gpuTemp !== undefined && gpuTemp >= temps.warningC && gpuTemp < temps.criticalC) {
    reasons.push({
      state: 'HOT',
      code: 'temperature-warning',
      message: `GPU at ${gpuTemp}°C, at or above the ${temps.warningC}°C warning temperature for this model`,
    });
  }
  const memTemp = num(readings.memTempC);
  if (memTemp !== undefined && memTemp >= temps.warningC) {
    reasons.push({
      state: 'HOT',
      code: 'memory-temperature-warning',
      message: `memory at ${memTemp}°C, at or above the ${temps.warningC}°C warning temperature for this model`,
    });
  }

  reasons.sort((a, b) => HEALTH_STATE_ORDER.indexOf(a.state) - HEALTH_STATE_ORDER.indexOf(b.state));
  const state = reasons.length > 0 ? reasons[0].state : 'OK';
  return { state, reasons };
}

function formatRate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toPrecision(2);
}
