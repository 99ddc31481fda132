// History of a selection of GPUs and fields as CSV, built in the page from the history the
// view fetched (no server round trip beyond getHistory).
//
// Long format, one row per GPU per sample: GPUs on different nodes are scraped at different
// moments, so a wide table (one column per GPU) would be mostly empty cells.
//
// Header:
//   timestamp_ms,iso_time,gpu,node,gpu_index,mig_instance,uuid,key,<one column per field>
// - timestamp_ms: Unix milliseconds of the scrape (observedAt); iso_time: the same in UTC.
// - gpu: the display label `node / GPU n [/ GI m]`; key: the stable identity used by the API.
// - field columns, in the order of HISTORY_FIELDS, named as `gpu-pulse snapshot --format csv`
//   names them: real_util_percent (0-100), sm_active_ratio, tensor_active_ratio,
//   dram_active_ratio, gr_engine_active_ratio, fp64_active_ratio (fractions 0..1),
//   pcie_tx_bytes_per_s, pcie_rx_bytes_per_s, nvlink_total_bytes_per_s, power_w, gpu_temp_c,
//   fb_used_bytes.
// An empty cell is a missing value, never 0. Rows are sorted by time, then by selection order.
// Quoting follows RFC 4180; lines end with CRLF as that RFC says.
import { HISTORY_FIELDS, type HistoryField } from '../../../shared/api';
import type { SeriesBuffer } from './live-history';

export const CSV_COLUMNS: Record<HistoryField, string> = {
  realUtil: 'real_util_percent',
  smActive: 'sm_active_ratio',
  tensorActive: 'tensor_active_ratio',
  dramActive: 'dram_active_ratio',
  grEngineActive: 'gr_engine_active_ratio',
  fp64Active: 'fp64_active_ratio',
  pcieTxBytesPerSec: 'pcie_tx_bytes_per_s',
  pcieRxBytesPerSec: 'pcie_rx_bytes_per_s',
  nvlinkTotalBytesPerSec: 'nvlink_total_bytes_per_s',
  powerWatts: 'power_w',
  gpuTempC: 'gpu_temp_c',
  fbUsedBytes: 'fb_used_bytes',
};

export const CSV_IDENTITY_COLUMNS = ['timestamp_ms', 'iso_time', 'gpu', 'node', 'gpu_index', 'mig_instance', 'uuid', 'key'] as const;

export interface CsvGpu {
  key: string;
  label: string;
  node: string;
  gpuIndex: number | null;
  migInstanceId: string | null;
  uuid: string;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function historyCsv(gpus: readonly CsvGpu[], fields: readonly HistoryField[], series: ReadonlyMap<string, SeriesBuffer>): string {
  const ordered = HISTORY_FIELDS.filter((f) => fields.includes(f));
  const header = [...CSV_IDENTITY_COLUMNS, ...ordered.map((f) => CSV_COLUMNS[f])];
  const rows: { t: number; order: number; line: string }[] = [];
  gpus.forEach((gpu, order) => {
    const buffer = series.get(gpu.key);
    if (!buffer) return;
    buffer.t.forEach((t, i) => {
      const cells = [t, new Date(t).toISOString(), gpu.label, gpu.node, gpu.gpuIndex, gpu.migInstanceId, gpu.uuid, gpu.key, ...ordered.map((f) => buffer.values[f]?.[i] ?? null)];
      rows.push({ t, order, line: cells.map(cell).join(',') });
    });
  });
  rows.sort((a, b) => a.t - b.t || a.order - b.order);
  return [header.join(','), ...rows.map((r) => r.line)].join('\r\n') + '\r\n';
}
