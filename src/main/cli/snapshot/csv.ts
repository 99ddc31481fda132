// `gpu-pulse snapshot --format csv`.
//
// CSV header (one row per GPU or MIG instance; an empty cell is a missing value, never 0):
//   node,gpu_index,uuid,mig_instance,mig_profile,model,key,
//   real_util_percent,real_util_missing,class,bottleneck,health,health_reasons,
//   sm_active_ratio,tensor_active_ratio,dram_active_ratio,gr_engine_active_ratio,gpu_util_ratio,
//   mem_copy_util_ratio,power_w,power_limit_w,gpu_temp_c,mem_temp_c,fb_used_bytes,fb_total_bytes,
//   pcie_tx_bytes_per_s,pcie_rx_bytes_per_s,nvlink_total_bytes_per_s,pods,namespaces,jobs
// Ratios are fractions 0..1 (canonical units); real_util_percent is 0-100. List cells
// (real_util_missing as canonical field names, health_reasons as reason codes, pods,
// namespaces, jobs) are joined with ";". Quoting follows RFC 4180.
import type { CanonicalField } from '../../../shared/canonical';
import { csvCell } from '../../../shared/csv-cell';
import type { SnapshotGpu } from './output';

const CSV_READINGS: [string, CanonicalField][] = [
  ['sm_active_ratio', 'smActive'],
  ['tensor_active_ratio', 'tensorActive'],
  ['dram_active_ratio', 'dramActive'],
  ['gr_engine_active_ratio', 'grEngineActive'],
  ['gpu_util_ratio', 'gpuUtil'],
  ['mem_copy_util_ratio', 'memCopyUtil'],
  ['power_w', 'powerWatts'],
  ['power_limit_w', 'powerLimitWatts'],
  ['gpu_temp_c', 'gpuTempC'],
  ['mem_temp_c', 'memTempC'],
  ['fb_used_bytes', 'fbUsedBytes'],
  ['fb_total_bytes', 'fbTotalBytes'],
  ['pcie_tx_bytes_per_s', 'pcieTxBytesPerSec'],
  ['pcie_rx_bytes_per_s', 'pcieRxBytesPerSec'],
  ['nvlink_total_bytes_per_s', 'nvlinkTotalBytesPerSec'],
];

export const CSV_HEADER: readonly string[] = [
  'node',
  'gpu_index',
  'uuid',
  'mig_instance',
  'mig_profile',
  'model',
  'key',
  'real_util_percent',
  'real_util_missing',
  'class',
  'bottleneck',
  'health',
  'health_reasons',
  ...CSV_READINGS.map(([column]) => column),
  'pods',
  'namespaces',
  'jobs',
];


export function toCsv(gpus: SnapshotGpu[]): string {
  const rows = gpus.map((g) => [
    g.node,
    g.gpuIndex,
    g.uuid,
    g.migInstance?.id,
    g.migInstance?.profile,
    g.model,
    g.key,
    g.realUtil.value,
    g.realUtil.missing.join(';'),
    g.class.label,
    g.class.bottleneck,
    g.health.state,
    g.health.reasons.map((r) => r.code).join(';'),
    ...CSV_READINGS.map(([, field]) => g.readings[field]),
    g.attribution.pods.join(';'),
    g.attribution.namespaces.join(';'),
    g.attribution.jobs.join(';'),
  ]);
  return [CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
