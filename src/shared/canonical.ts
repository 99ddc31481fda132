// Canonical GPU readings: the one vocabulary everything after "translate" speaks
// (DESIGN.md §3). No DCGM_FI_* name appears past src/main/core/dcgm/.
// Units are explicit and SI-like: ratios are fractions 0..1, power W, energy J,
// temperature °C, clocks Hz, memory bytes, throughput bytes/s.

export type CanonicalUnit = 'ratio' | 'W' | 'J' | 'C' | 'Hz' | 'bytes' | 'bytes/s' | 'count' | 'count/s' | 'code' | 'flag' | 'bitmask';

export interface CanonicalFieldInfo {
  unit: CanonicalUnit;
  label: string;
}

export const CANONICAL_FIELDS = {
  smActive: { unit: 'ratio', label: 'SM active' },
  smOccupancy: { unit: 'ratio', label: 'SM occupancy' },
  tensorActive: { unit: 'ratio', label: 'Tensor pipe active' },
  tensorHmmaActive: { unit: 'ratio', label: 'Tensor HMMA (FP16/BF16)' },
  tensorImmaActive: { unit: 'ratio', label: 'Tensor IMMA (INT8)' },
  tensorDfmaActive: { unit: 'ratio', label: 'Tensor DFMA (FP64)' },
  tensorDmmaActive: { unit: 'ratio', label: 'Tensor DMMA (TF32)' },
  tensorQmmaActive: { unit: 'ratio', label: 'Tensor QMMA (FP8)' },
  fp64Active: { unit: 'ratio', label: 'FP64 pipe active' },
  fp32Active: { unit: 'ratio', label: 'FP32 pipe active' },
  fp16Active: { unit: 'ratio', label: 'FP16 pipe active' },
  grEngineActive: { unit: 'ratio', label: 'Graphics engine active' },
  dramActive: { unit: 'ratio', label: 'DRAM active' },
  gpuUtil: { unit: 'ratio', label: 'GPU utilization (NVML)' },
  memCopyUtil: { unit: 'ratio', label: 'Memory copy utilization' },
  encUtil: { unit: 'ratio', label: 'Encoder utilization' },
  decUtil: { unit: 'ratio', label: 'Decoder utilization' },
  pcieTxBytesPerSec: { unit: 'bytes/s', label: 'PCIe TX' },
  pcieRxBytesPerSec: { unit: 'bytes/s', label: 'PCIe RX' },
  nvlinkTxBytesPerSec: { unit: 'bytes/s', label: 'NVLink TX' },
  nvlinkRxBytesPerSec: { unit: 'bytes/s', label: 'NVLink RX' },
  nvlinkTotalBytesPerSec: { unit: 'bytes/s', label: 'NVLink total' },
  powerWatts: { unit: 'W', label: 'Power draw' },
  powerLimitWatts: { unit: 'W', label: 'Power limit' },
  energyJoules: { unit: 'J', label: 'Energy since boot' },
  avgPowerWatts: { unit: 'W', label: 'Average power (from energy)' },
  gpuTempC: { unit: 'C', label: 'GPU temperature' },
  memTempC: { unit: 'C', label: 'Memory temperature' },
  smClockHz: { unit: 'Hz', label: 'SM clock' },
  memClockHz: { unit: 'Hz', label: 'Memory clock' },
  fbUsedBytes: { unit: 'bytes', label: 'Framebuffer used' },
  fbFreeBytes: { unit: 'bytes', label: 'Framebuffer free' },
  fbReservedBytes: { unit: 'bytes', label: 'Framebuffer reserved' },
  fbTotalBytes: { unit: 'bytes', label: 'Framebuffer total' },
  pcieReplayTotal: { unit: 'count', label: 'PCIe replays' },
  pcieReplayPerSec: { unit: 'count/s', label: 'PCIe replay rate' },
  xidLast: { unit: 'code', label: 'Last XID' },
  remappedRowsUncorrectable: { unit: 'count', label: 'Remapped rows (uncorrectable)' },
  remappedRowsCorrectable: { unit: 'count', label: 'Remapped rows (correctable)' },
  rowRemapFailure: { unit: 'flag', label: 'Row remap failure' },
  eccSbeVolatileTotal: { unit: 'count', label: 'ECC single-bit errors (volatile)' },
  eccDbeVolatileTotal: { unit: 'count', label: 'ECC double-bit errors (volatile)' },
  eccSbeAggregateTotal: { unit: 'count', label: 'ECC single-bit errors (aggregate)' },
  eccDbeAggregateTotal: { unit: 'count', label: 'ECC double-bit errors (aggregate)' },
  retiredPagesSbe: { unit: 'count', label: 'Retired pages (single-bit)' },
  retiredPagesDbe: { unit: 'count', label: 'Retired pages (double-bit)' },
  retiredPagesPending: { unit: 'count', label: 'Pages pending retirement' },
  /** NVML's clocks event (formerly throttle) reasons: decode with ./clock-events. */
  clockEventReasons: { unit: 'bitmask', label: 'Clock event reasons' },
  powerThrottleRatio: { unit: 'ratio', label: 'Power throttling' },
  thermalThrottleRatio: { unit: 'ratio', label: 'Thermal throttling' },
  vgpuLicenseStatus: { unit: 'code', label: 'vGPU license status' },
} as const satisfies Record<string, CanonicalFieldInfo>;

export type CanonicalField = keyof typeof CANONICAL_FIELDS;

export const CANONICAL_FIELD_NAMES = Object.keys(CANONICAL_FIELDS) as CanonicalField[];

export type Readings = Partial<Record<CanonicalField, number | null>>;
