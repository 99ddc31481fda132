// The one table that knows exporter metric names (DCGM.md §3-4). Every generation of names is
// a row here, so a new exporter release is a data change, not a code change. Nothing after
// translate sees a DCGM_FI_* name.
import { CANONICAL_FIELD_NAMES, type CanonicalField } from '../../../shared/canonical';

/**
 * Cumulative counters that are not readings themselves: only their rate is shown
 * (see RATE_RULES in ../compute/rates.ts).
 */
export type HiddenCounter = 'powerViolationNs' | 'thermalViolationNs';

/** What a translated sample becomes: a canonical reading or a hidden counter. */
export type TranslatedField = CanonicalField | HiddenCounter;

const HIDDEN_COUNTERS: readonly HiddenCounter[] = ['powerViolationNs', 'thermalViolationNs'];

/**
 * Every translated field, canonical readings first: translate keeps a GPU's values in arrays
 * indexed by position here rather than in a map per GPU.
 */
export const TRANSLATED_FIELDS: readonly TranslatedField[] = [...CANONICAL_FIELD_NAMES, ...HIDDEN_COUNTERS];

export type NameGeneration = 'legacy' | '4.9' | '1.x';

export interface MetricAlias {
  field: TranslatedField;
  /** Multiply the exporter's value by this to get the canonical unit. */
  scale: number;
  /** Unit the exporter serves, for messages and documentation. */
  sourceUnit: string;
  generation: NameGeneration;
}

const MIB = 1024 * 1024;

// [exporter name, canonical field, scale, unit at source]
type Row = [string, TranslatedField, number, string];

const LEGACY: Row[] = [
  ['DCGM_FI_PROF_SM_ACTIVE', 'smActive', 1, 'ratio'],
  ['DCGM_FI_PROF_SM_OCCUPANCY', 'smOccupancy', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'tensorActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_HMMA_ACTIVE', 'tensorHmmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_IMMA_ACTIVE', 'tensorImmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_DFMA_ACTIVE', 'tensorDfmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_DMMA_ACTIVE', 'tensorDmmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_TENSOR_QMMA_ACTIVE', 'tensorQmmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_FP64_ACTIVE', 'fp64Active', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_FP32_ACTIVE', 'fp32Active', 1, 'ratio'],
  ['DCGM_FI_PROF_PIPE_FP16_ACTIVE', 'fp16Active', 1, 'ratio'],
  ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'grEngineActive', 1, 'ratio'],
  ['DCGM_FI_PROF_DRAM_ACTIVE', 'dramActive', 1, 'ratio'],
  ['DCGM_FI_DEV_GPU_UTIL', 'gpuUtil', 0.01, '%'],
  ['DCGM_FI_DEV_MEM_COPY_UTIL', 'memCopyUtil', 0.01, '%'],
  ['DCGM_FI_DEV_ENC_UTIL', 'encUtil', 0.01, '%'],
  ['DCGM_FI_DEV_DEC_UTIL', 'decUtil', 0.01, '%'],
  // Typed `counter` by the exporter but already a rate: never difference these.
  ['DCGM_FI_PROF_PCIE_TX_BYTES', 'pcieTxBytesPerSec', 1, 'B/s'],
  ['DCGM_FI_PROF_PCIE_RX_BYTES', 'pcieRxBytesPerSec', 1, 'B/s'],
  ['DCGM_FI_PROF_NVLINK_TX_BYTES', 'nvlinkTxBytesPerSec', 1, 'B/s'],
  ['DCGM_FI_PROF_NVLINK_RX_BYTES', 'nvlinkRxBytesPerSec', 1, 'B/s'],
  ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'nvlinkTotalBytesPerSec', 1e6, 'MB/s'],
  ['DCGM_FI_DEV_POWER_USAGE', 'powerWatts', 1, 'W'],
  // The enforced limit comes first: when both are served it is the one that throttles.
  ['DCGM_FI_DEV_ENFORCED_POWER_LIMIT', 'powerLimitWatts', 1, 'W'],
  ['DCGM_FI_DEV_POWER_MGMT_LIMIT', 'powerLimitWatts', 1, 'W'],
  ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'energyJoules', 1e-3, 'mJ'],
  ['DCGM_FI_DEV_GPU_TEMP', 'gpuTempC', 1, '°C'],
  ['DCGM_FI_DEV_MEMORY_TEMP', 'memTempC', 1, '°C'],
  ['DCGM_FI_DEV_SM_CLOCK', 'smClockHz', 1e6, 'MHz'],
  ['DCGM_FI_DEV_MEM_CLOCK', 'memClockHz', 1e6, 'MHz'],
  ['DCGM_FI_DEV_FB_TOTAL', 'fbTotalBytes', MIB, 'MiB'],
  ['DCGM_FI_DEV_FB_USED', 'fbUsedBytes', MIB, 'MiB'],
  ['DCGM_FI_DEV_FB_FREE', 'fbFreeBytes', MIB, 'MiB'],
  ['DCGM_FI_DEV_FB_RESERVED', 'fbReservedBytes', MIB, 'MiB'],
  ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'pcieReplayTotal', 1, 'count'],
  // The code of the last XID since driver load, not a count.
  ['DCGM_FI_DEV_XID_ERRORS', 'xidLast', 1, 'code'],
  ['DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'remappedRowsUncorrectable', 1, 'count'],
  ['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'remappedRowsCorrectable', 1, 'count'],
  ['DCGM_FI_DEV_ROW_REMAP_FAILURE', 'rowRemapFailure', 1, 'flag'],
  // ECC error counts and page retirement: what GPUs before Ampere (no row remapping) have.
  ['DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'eccSbeVolatileTotal', 1, 'count'],
  ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'eccDbeVolatileTotal', 1, 'count'],
  ['DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', 'eccSbeAggregateTotal', 1, 'count'],
  ['DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 'eccDbeAggregateTotal', 1, 'count'],
  ['DCGM_FI_DEV_RETIRED_SBE', 'retiredPagesSbe', 1, 'count'],
  ['DCGM_FI_DEV_RETIRED_DBE', 'retiredPagesDbe', 1, 'count'],
  ['DCGM_FI_DEV_RETIRED_PENDING', 'retiredPagesPending', 1, 'count'],
  // Field 112 under its three spellings: DCGM 3.3+ (CLOCKS_EVENT), before it (CLOCK_THROTTLE),
  // and CLOCK_EVENT as some counters files write it.
  ['DCGM_FI_DEV_CLOCKS_EVENT_REASONS', 'clockEventReasons', 1, 'bitmask'],
  ['DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 'clockEventReasons', 1, 'bitmask'],
  ['DCGM_FI_DEV_CLOCK_EVENT_REASONS', 'clockEventReasons', 1, 'bitmask'],
  // Served by default by every recent exporter (all the genuine captures have it).
  ['DCGM_FI_DEV_VGPU_LICENSE_STATUS', 'vgpuLicenseStatus', 1, 'code'],
  // DCGM's header comment says usec, but the value is NVML's violation time, which is ns
  // (DCGM.md §3). A wrong scale would show up as a throttle fraction above 1 (flagged).
  ['DCGM_FI_DEV_POWER_VIOLATION', 'powerViolationNs', 1, 'ns'],
  ['DCGM_FI_DEV_THERMAL_VIOLATION', 'thermalViolationNs', 1, 'ns'],
];

// Exporter 4.9 (DCGM 4.x field names). DCGM.md §4 marks them "likely"; the profiling and
// power-limit names match DCGM 4's own deprecation table (legacy name -> new name). Of the FB
// byte fields only the capacity name is known; used/free stay unmapped until a capture shows
// them (an unknown DCGM_FI_* family is still kept raw).
const GEN_4_9: Row[] = [
  ['DCGM_FI_PROF_SM_UTIL_RATIO', 'smActive', 1, 'ratio'],
  ['DCGM_FI_PROF_SM_OCCUPANCY_RATIO', 'smOccupancy', 1, 'ratio'],
  ['DCGM_FI_PROF_TENSOR_UTIL_RATIO', 'tensorActive', 1, 'ratio'],
  ['DCGM_FI_PROF_FP64_UTIL_RATIO', 'fp64Active', 1, 'ratio'],
  ['DCGM_FI_PROF_FP32_UTIL_RATIO', 'fp32Active', 1, 'ratio'],
  ['DCGM_FI_PROF_FP16_UTIL_RATIO', 'fp16Active', 1, 'ratio'],
  ['DCGM_FI_PROF_HMMA_UTIL_RATIO', 'tensorHmmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_IMMA_UTIL_RATIO', 'tensorImmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_DFMA_UTIL_RATIO', 'tensorDfmaActive', 1, 'ratio'],
  ['DCGM_FI_PROF_GR_ENGINE_UTIL_RATIO', 'grEngineActive', 1, 'ratio'],
  ['DCGM_FI_PROF_DRAM_UTIL_RATIO', 'dramActive', 1, 'ratio'],
  ['DCGM_FI_DEV_GPU_UTIL_RATIO', 'gpuUtil', 1, 'ratio'],
  ['DCGM_FI_DEV_NVLINK_THROUGHPUT_TOTAL', 'nvlinkTotalBytesPerSec', 1, 'B/s'],
  ['DCGM_FI_DEV_BOARD_POWER_WATTS', 'powerWatts', 1, 'W'],
  ['DCGM_FI_DEV_BOARD_POWER_LIMIT_ENFORCED_WATTS', 'powerLimitWatts', 1, 'W'],
  ['DCGM_FI_DEV_BOARD_POWER_LIMIT_REQUESTED_WATTS', 'powerLimitWatts', 1, 'W'],
  ['DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL', 'energyJoules', 1, 'J'],
  ['DCGM_FI_DEV_GPU_TEMP_CELSIUS', 'gpuTempC', 1, '°C'],
  ['DCGM_FI_DEV_MEMORY_TEMP_CELSIUS', 'memTempC', 1, '°C'],
  ['DCGM_FI_DEV_SM_CLOCK_HERTZ', 'smClockHz', 1, 'Hz'],
  ['DCGM_FI_DEV_MEMORY_CLOCK_HERTZ', 'memClockHz', 1, 'Hz'],
  ['DCGM_FI_DEV_FB_CAPACITY_BYTES', 'fbTotalBytes', 1, 'B'],
  ['DCGM_FI_DEV_PCIE_REPLAY_TOTAL', 'pcieReplayTotal', 1, 'count'],
  ['DCGM_FI_DEV_XID_ERROR', 'xidLast', 1, 'code'],
  ['DCGM_FI_DEV_ROW_REMAP_UNCORRECTABLE_TOTAL', 'remappedRowsUncorrectable', 1, 'count'],
  ['DCGM_FI_DEV_ROW_REMAP_CORRECTABLE_TOTAL', 'remappedRowsCorrectable', 1, 'count'],
  ['DCGM_FI_DEV_ROW_REMAP_FAILED', 'rowRemapFailure', 1, 'flag'],
];

// dcgm-exporter 1.x names (and `-o` / --use-old-namespace in 2.x): lowercase `dcgm_*`.
const GEN_1_X: Row[] = [
  ['dcgm_sm_active', 'smActive', 1, 'ratio'],
  ['dcgm_sm_occupancy', 'smOccupancy', 1, 'ratio'],
  ['dcgm_tensor_active', 'tensorActive', 1, 'ratio'],
  ['dcgm_fp64_active', 'fp64Active', 1, 'ratio'],
  ['dcgm_fp32_active', 'fp32Active', 1, 'ratio'],
  ['dcgm_fp16_active', 'fp16Active', 1, 'ratio'],
  ['dcgm_gr_engine_active', 'grEngineActive', 1, 'ratio'],
  ['dcgm_dram_active', 'dramActive', 1, 'ratio'],
  ['dcgm_gpu_utilization', 'gpuUtil', 0.01, '%'],
  ['dcgm_mem_copy_utilization', 'memCopyUtil', 0.01, '%'],
  ['dcgm_enc_utilization', 'encUtil', 0.01, '%'],
  ['dcgm_dec_utilization', 'decUtil', 0.01, '%'],
  // NVML's PCIe throughput (DCGM field 200/201), in KB/s; the 2.x+ exporters use field 1009/1010.
  ['dcgm_pcie_tx_throughput', 'pcieTxBytesPerSec', 1024, 'KB/s'],
  ['dcgm_pcie_rx_throughput', 'pcieRxBytesPerSec', 1024, 'KB/s'],
  ['dcgm_nvlink_bandwidth_total', 'nvlinkTotalBytesPerSec', 1e6, 'MB/s'],
  ['dcgm_power_usage', 'powerWatts', 1, 'W'],
  ['dcgm_total_energy_consumption', 'energyJoules', 1e-3, 'mJ'],
  ['dcgm_gpu_temp', 'gpuTempC', 1, '°C'],
  ['dcgm_memory_temp', 'memTempC', 1, '°C'],
  ['dcgm_sm_clock', 'smClockHz', 1e6, 'MHz'],
  ['dcgm_memory_clock', 'memClockHz', 1e6, 'MHz'],
  ['dcgm_fb_used', 'fbUsedBytes', MIB, 'MiB'],
  ['dcgm_fb_free', 'fbFreeBytes', MIB, 'MiB'],
  ['dcgm_pcie_replay_counter', 'pcieReplayTotal', 1, 'count'],
  ['dcgm_xid_errors', 'xidLast', 1, 'code'],
  ['dcgm_ecc_sbe_volatile_total', 'eccSbeVolatileTotal', 1, 'count'],
  ['dcgm_ecc_dbe_volatile_total', 'eccDbeVolatileTotal', 1, 'count'],
  ['dcgm_ecc_sbe_aggregate_total', 'eccSbeAggregateTotal', 1, 'count'],
  ['dcgm_ecc_dbe_aggregate_total', 'eccDbeAggregateTotal', 1, 'count'],
  ['dcgm_retired_pages_sbe', 'retiredPagesSbe', 1, 'count'],
  ['dcgm_retired_pages_dbe', 'retiredPagesDbe', 1, 'count'],
  ['dcgm_retired_pages_pending', 'retiredPagesPending', 1, 'count'],
  // The profiling fields as the 2.x+ exporter's 1.x-compatibility counters file names them.
  ['dcgm_fi_prof_sm_active', 'smActive', 1, 'ratio'],
  ['dcgm_fi_prof_sm_occupancy', 'smOccupancy', 1, 'ratio'],
  ['dcgm_fi_prof_pipe_tensor_active', 'tensorActive', 1, 'ratio'],
  ['dcgm_fi_prof_gr_engine_active', 'grEngineActive', 1, 'ratio'],
  ['dcgm_fi_prof_dram_active', 'dramActive', 1, 'ratio'],
  ['dcgm_fi_prof_pcie_tx_bytes', 'pcieTxBytesPerSec', 1, 'B/s'],
  ['dcgm_fi_prof_pcie_rx_bytes', 'pcieRxBytesPerSec', 1, 'B/s'],
  ['dcgm_power_violation', 'powerViolationNs', 1, 'ns'],
  ['dcgm_thermal_violation', 'thermalViolationNs', 1, 'ns'],
];

function toTable(generation: NameGeneration, rows: Row[]): [string, MetricAlias][] {
  return rows.map(([name, field, scale, sourceUnit]) => [name, { field, scale, sourceUnit, generation }]);
}

export const METRIC_ALIASES: ReadonlyMap<string, MetricAlias> = new Map([
  ...toTable('legacy', LEGACY),
  ...toTable('4.9', GEN_4_9),
  ...toTable('1.x', GEN_1_X),
]);

/**
 * Rank of a name among those that map to the same field (lower wins). Used when one entity
 * serves two names for one field, e.g. both power limits, or a legacy and a 4.9 name side by
 * side during a migration.
 */
export const ALIAS_RANK: ReadonlyMap<string, number> = new Map([...METRIC_ALIASES.keys()].map((name, i) => [name, i]));

/** True for names that belong to DCGM (kept raw when unknown) rather than to another exporter. */
export function isDcgmMetricName(name: string): boolean {
  return name.startsWith('DCGM_FI_') || name.startsWith('dcgm_');
}
