// Physical envelope of the GPU models the demo can impersonate. Numbers are what these boards
// report through NVML/DCGM (framebuffer totals as DCGM sees them, idle/boost clocks, board power
// limit) so derived readings — memory percent, power against the limit, HOT against the warning
// temperature — land where they would on real hardware.

export interface DemoModelSpec {
  /** Exact `modelName` label value. */
  name: string;
  /** FB_USED + FB_FREE + FB_RESERVED, MiB. */
  fbTotalMiB: number;
  fbReservedMiB: number;
  idleWatts: number;
  /** Enforced board power limit, W. */
  powerLimitWatts: number;
  smClockIdleMHz: number;
  smClockMaxMHz: number;
  /** HBM parts keep their memory clock fixed; GDDR parts drop it at idle. */
  memClockIdleMHz: number;
  memClockMHz: number;
  /** HOT threshold the product uses for this model (DCGM.md §7). */
  warnTempC: number;
  hasHbm: boolean;
  /** Peak NVLink bytes/s per direction; 0 = no NVLink (the fields then read 0). */
  nvlinkMaxBytesPerSec: number;
  pcieMaxBytesPerSec: number;
}

export const DEFAULT_MODEL = 'NVIDIA H100 80GB HBM3';

const H100: Omit<DemoModelSpec, 'name'> = {
  fbTotalMiB: 81559,
  fbReservedMiB: 579,
  idleWatts: 68,
  powerLimitWatts: 700,
  smClockIdleMHz: 345,
  smClockMaxMHz: 1980,
  memClockIdleMHz: 2619,
  memClockMHz: 2619,
  warnTempC: 95,
  hasHbm: true,
  nvlinkMaxBytesPerSec: 450e9,
  pcieMaxBytesPerSec: 55e9,
};

// Matched by substring of the upper-cased model name, most specific first (as DCGM.md §7
// matches temperatures), so "NVIDIA H100 PCIe" or a custom string still gets a sane envelope.
const FAMILIES: Array<[string, Omit<DemoModelSpec, 'name'>]> = [
  ['H200', { ...H100, fbTotalMiB: 143771, fbReservedMiB: 603 }],
  ['H100', H100],
  [
    'A100',
    {
      fbTotalMiB: 81920,
      fbReservedMiB: 636,
      idleWatts: 55,
      powerLimitWatts: 400,
      smClockIdleMHz: 210,
      smClockMaxMHz: 1410,
      memClockIdleMHz: 1593,
      memClockMHz: 1593,
      warnTempC: 93,
      hasHbm: true,
      nvlinkMaxBytesPerSec: 300e9,
      pcieMaxBytesPerSec: 26e9,
    },
  ],
  [
    'L40S',
    {
      fbTotalMiB: 46067,
      fbReservedMiB: 608,
      idleWatts: 35,
      powerLimitWatts: 350,
      smClockIdleMHz: 210,
      smClockMaxMHz: 2520,
      memClockIdleMHz: 405,
      memClockMHz: 9001,
      warnTempC: 93,
      hasHbm: false,
      nvlinkMaxBytesPerSec: 0,
      pcieMaxBytesPerSec: 26e9,
    },
  ],
  [
    'L4',
    {
      fbTotalMiB: 23033,
      fbReservedMiB: 470,
      idleWatts: 16,
      powerLimitWatts: 72,
      smClockIdleMHz: 210,
      smClockMaxMHz: 2040,
      memClockIdleMHz: 405,
      memClockMHz: 6251,
      warnTempC: 93,
      hasHbm: false,
      nvlinkMaxBytesPerSec: 0,
      pcieMaxBytesPerSec: 26e9,
    },
  ],
];

export function modelSpec(name: string = DEFAULT_MODEL): DemoModelSpec {
  const upper = name.toUpperCase();
  for (const [key, spec] of FAMILIES) {
    if (upper.includes(key)) return { name, ...spec };
  }
  // Unknown boards get the H100 envelope under their own name: plausible numbers beat none.
  return { name, ...H100 };
}
