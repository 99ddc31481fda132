// NVML's clocks event reasons (called throttle reasons before driver 535), the bitmask DCGM
// serves as field 112 (DCGM_FI_DEV_CLOCK_THROTTLE_REASONS, renamed ..._CLOCKS_EVENT_REASONS).
// Bits as nvml.h defines them (nvmlClocksEventReason*, NVML API reference "NvmlClocksEventReasons").
// Pure and shared: main decides health from it, the renderer and the CLI print it.

/** What a reason means for the GPU's health: `warn` ones make it WARN (see compute/health). */
export type ClockEventConcern = 'none' | 'limit' | 'warn';

export interface ClockEventReason {
  bit: number;
  /** Stable code, used in health reason codes and tests. */
  code: string;
  label: string;
  concern: ClockEventConcern;
}

export const CLOCK_EVENT_REASONS: readonly ClockEventReason[] = [
  // The normal state of an idle GPU, and clocks someone chose: not a problem.
  { bit: 0x1, code: 'gpu-idle', label: 'GPU idle', concern: 'none' },
  { bit: 0x2, code: 'applications-clocks-setting', label: 'applications clocks setting', concern: 'none' },
  // Working as designed: the power limit holds the clocks back (the power-at-limit reason says so).
  { bit: 0x4, code: 'sw-power-cap', label: 'SW power cap', concern: 'limit' },
  // "reducing the core clocks by a factor of 2 or more": too hot, an external power brake, or
  // a power draw spike; each costs half the GPU or more.
  { bit: 0x8, code: 'hw-slowdown', label: 'HW slowdown', concern: 'warn' },
  { bit: 0x10, code: 'sync-boost', label: 'sync boost', concern: 'limit' },
  { bit: 0x20, code: 'sw-thermal', label: 'SW thermal slowdown', concern: 'warn' },
  { bit: 0x40, code: 'hw-thermal', label: 'HW thermal slowdown', concern: 'warn' },
  { bit: 0x80, code: 'hw-power-brake', label: 'HW power brake slowdown', concern: 'warn' },
  { bit: 0x100, code: 'display-clock-setting', label: 'display clock setting', concern: 'none' },
];

export interface DecodedClockEvents {
  reasons: ClockEventReason[];
  /** Bits NVML did not define when this was written (newer drivers add reasons), as a number. */
  unknownBits: number;
}

/**
 * The reasons set in `mask`. Arithmetic rather than `&`: the mask is a uint64 and JavaScript's
 * bitwise operators cut numbers to 32 bits.
 */
export function decodeClockEventReasons(mask: number): DecodedClockEvents {
  const reasons: ClockEventReason[] = [];
  let known = 0;
  for (const reason of CLOCK_EVENT_REASONS) {
    if (Math.floor(mask / reason.bit) % 2 === 1) {
      reasons.push(reason);
      known += reason.bit;
    }
  }
  return { reasons, unknownBits: mask - known };
}

/** "HW slowdown, SW power cap", "none", with undefined bits as hex: for tables and tooltips. */
export function describeClockEventReasons(mask: number): string {
  const { reasons, unknownBits } = decodeClockEventReasons(mask);
  const names = reasons.map((r) => r.label);
  if (unknownBits > 0) names.push(`undefined bits 0x${unknownBits.toString(16)}`);
  return names.length > 0 ? names.join(', ') : 'none';
}
