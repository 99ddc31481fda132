// The families the demo exporter serves: dcgm-exporter's default counter CSV plus the
// profiling (DCP) fields, with HELP text and TYPE copied as the exporter's CSV spells them.
// TYPE is wrong in places on purpose (NVLINK_BANDWIDTH_TOTAL and the PCIe/NVLink byte *rates*
// are typed `counter`): consumers must not trust it, and the demo must not hide that.
//
// The array is sorted by DCGM field id because the exporter emits families in that order,
// not in CSV order (a real capture has remapped rows, 393-395, before vGPU licence, 526).

export type ValueFormat = 'int' | 'float';

export interface DemoField {
  /** DCGM field id; decides the output order. */
  id: number;
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** DCGM_FT_INT64 fields print with %d, DCGM_FT_DOUBLE with %f (six decimals). */
  format: ValueFormat;
}

export const DEMO_FIELDS: readonly DemoField[] = [
  { id: 100, name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock frequency (in MHz).', format: 'int' },
  { id: 101, name: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', help: 'Memory clock frequency (in MHz).', format: 'int' },
  { id: 140, name: 'DCGM_FI_DEV_MEMORY_TEMP', type: 'gauge', help: 'Memory temperature (in C).', format: 'int' },
  { id: 150, name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).', format: 'int' },
  { id: 155, name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).', format: 'float' },
  { id: 156, name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: 'counter', help: 'Total energy consumption since boot (in mJ).', format: 'int' },
  { id: 202, name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', help: 'Total number of PCIe retries.', format: 'int' },
  { id: 203, name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', help: 'GPU utilization (in %).', format: 'int' },
  { id: 204, name: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: 'gauge', help: 'Memory utilization (in %).', format: 'int' },
  { id: 206, name: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', help: 'Encoder utilization (in %).', format: 'int' },
  { id: 207, name: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', help: 'Decoder utilization (in %).', format: 'int' },
  { id: 230, name: 'DCGM_FI_DEV_XID_ERRORS', type: 'gauge', help: 'Value of the last XID error encountered.', format: 'int' },
  { id: 251, name: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', help: 'Framebuffer memory free (in MiB).', format: 'int' },
  { id: 252, name: 'DCGM_FI_DEV_FB_USED', type: 'gauge', help: 'Framebuffer memory used (in MiB).', format: 'int' },
  { id: 253, name: 'DCGM_FI_DEV_FB_RESERVED', type: 'gauge', help: 'Framebuffer memory reserved (in MiB).', format: 'int' },
  { id: 393, name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for uncorrectable errors', format: 'int' },
  { id: 394, name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for correctable errors', format: 'int' },
  { id: 395, name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: 'gauge', help: 'Whether remapping of rows has failed', format: 'int' },
  { id: 449, name: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', type: 'counter', help: 'Total number of NVLink bandwidth counters for all lanes.', format: 'int' },
  { id: 526, name: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', type: 'gauge', help: 'vGPU License status', format: 'int' },
  { id: 1001, name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', type: 'gauge', help: 'Ratio of time the graphics engine is active.', format: 'float' },
  { id: 1002, name: 'DCGM_FI_PROF_SM_ACTIVE', type: 'gauge', help: 'The ratio of cycles an SM has at least 1 warp assigned.', format: 'float' },
  { id: 1003, name: 'DCGM_FI_PROF_SM_OCCUPANCY', type: 'gauge', help: 'The ratio of number of warps resident on an SM.', format: 'float' },
  { id: 1004, name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', type: 'gauge', help: 'Ratio of cycles the tensor (HMMA) pipe is active.', format: 'float' },
  { id: 1005, name: 'DCGM_FI_PROF_DRAM_ACTIVE', type: 'gauge', help: 'Ratio of cycles the device memory interface is active sending or receiving data.', format: 'float' },
  { id: 1006, name: 'DCGM_FI_PROF_PIPE_FP64_ACTIVE', type: 'gauge', help: 'Ratio of cycles the fp64 pipes are active.', format: 'float' },
  { id: 1007, name: 'DCGM_FI_PROF_PIPE_FP32_ACTIVE', type: 'gauge', help: 'Ratio of cycles the fp32 pipes are active.', format: 'float' },
  { id: 1008, name: 'DCGM_FI_PROF_PIPE_FP16_ACTIVE', type: 'gauge', help: 'Ratio of cycles the fp16 pipes are active.', format: 'float' },
  { id: 1009, name: 'DCGM_FI_PROF_PCIE_TX_BYTES', type: 'counter', help: 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.', format: 'int' },
  { id: 1010, name: 'DCGM_FI_PROF_PCIE_RX_BYTES', type: 'counter', help: 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.', format: 'int' },
  { id: 1011, name: 'DCGM_FI_PROF_NVLINK_TX_BYTES', type: 'counter', help: 'The rate of data transmitted over NVLink, not including protocol headers, in bytes per second.', format: 'int' },
  { id: 1012, name: 'DCGM_FI_PROF_NVLINK_RX_BYTES', type: 'counter', help: 'The rate of data received over NVLink, not including protocol headers, in bytes per second.', format: 'int' },
];

/** Index of each field in a sample vector; keeps the simulation and renderer in lock-step. */
export const F = {
  SM_CLOCK: 0,
  MEM_CLOCK: 1,
  MEMORY_TEMP: 2,
  GPU_TEMP: 3,
  POWER_USAGE: 4,
  TOTAL_ENERGY: 5,
  PCIE_REPLAY: 6,
  GPU_UTIL: 7,
  MEM_COPY_UTIL: 8,
  ENC_UTIL: 9,
  DEC_UTIL: 10,
  XID_ERRORS: 11,
  FB_FREE: 12,
  FB_USED: 13,
  FB_RESERVED: 14,
  UNCORRECTABLE_REMAPPED_ROWS: 15,
  CORRECTABLE_REMAPPED_ROWS: 16,
  ROW_REMAP_FAILURE: 17,
  NVLINK_BANDWIDTH_TOTAL: 18,
  VGPU_LICENSE_STATUS: 19,
  GR_ENGINE_ACTIVE: 20,
  SM_ACTIVE: 21,
  SM_OCCUPANCY: 22,
  PIPE_TENSOR_ACTIVE: 23,
  DRAM_ACTIVE: 24,
  PIPE_FP64_ACTIVE: 25,
  PIPE_FP32_ACTIVE: 26,
  PIPE_FP16_ACTIVE: 27,
  PCIE_TX_BYTES: 28,
  PCIE_RX_BYTES: 29,
  NVLINK_TX_BYTES: 30,
  NVLINK_RX_BYTES: 31,
} as const;

export const FIELD_COUNT = DEMO_FIELDS.length;
