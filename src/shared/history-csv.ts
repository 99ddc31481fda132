// CSV export of GPU history (what `PulseService.getHistory` returns). The tests read it back
// (test/export/support/history-csv-reader.ts) to prove the round trip.
//
// The file (RFC 4180: comma-separated, `"`-quoted where needed, CRLF line ends, UTF-8) has one
// header row, then one row per GPU and sample time, GPUs in the order asked for, times
// ascending. Columns:
//
//   time          sample time, ISO 8601 UTC with milliseconds (2024-05-01T12:00:05.000Z)
//   time_ms       the same instant in Unix milliseconds
//   key           GPU Pulse's identity of the GPU: node/UUID, plus /mig-<id> for a MIG instance
//   node          node (host) name
//   uuid          GPU UUID
//   gpu           GPU index on its node (empty if unknown)
//   mig_instance  MIG GPU instance id (empty for a whole GPU)
//   <field>...    one column per exported field, named by its GPU Pulse field id, in the
//                 order requested: realUtil is percent 0-100; the other fields use the
//                 canonical units their names and CANONICAL_FIELDS give (ratios 0-1, W, °C,
//                 bytes, bytes/s). An empty cell means the value was not reported: missing,
//                 never 0.
//
// Numbers are written in JavaScript's shortest round-trip form, so reading them back gives the
// exact same values. Text cells that a spreadsheet would run as a formula (= + - @ first) carry
// a leading ' (csv-cell.ts); restoreCsvText removes it.
import type { HistoryField, HistorySeries } from './api';
import { csvCell } from './csv-cell';

export const CSV_IDENTITY_COLUMNS = ['time', 'time_ms', 'key', 'node', 'uuid', 'gpu', 'mig_instance'] as const;

export interface GpuIdentity {
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstanceId: string | null;
}

/** Identity from a key as `gpuKey` builds it, for GPUs without a snapshot at hand. */
export function identityFromKey(key: string): GpuIdentity {
  const mig = /^(.*)\/([^/]+)\/mig-([^/]+)$/.exec(key);
  if (mig) return { node: mig[1], uuid: mig[2], gpuIndex: null, migInstanceId: mig[3] };
  const whole = /^(.*)\/([^/]+)$/.exec(key);
  return whole ? { node: whole[1], uuid: whole[2], gpuIndex: null, migInstanceId: null } : { node: '', uuid: key, gpuIndex: null, migInstanceId: null };
}

const cell = (value: string) => csvCell(value);

function numberCell(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '' : String(value);
}

export function historyToCsv(opts: {
  series: Record<string, HistorySeries>;
  fields: readonly HistoryField[];
  /** GPUs in output order; default: the order of `series`. */
  keys?: string[];
  identity?: (key: string) => GpuIdentity | undefined;
}): string {
  const rows: string[] = [[...CSV_IDENTITY_COLUMNS, ...opts.fields].map(cell).join(',')];
  for (const key of opts.keys ?? Object.keys(opts.series)) {
    const series = opts.series[key];
    if (!series) continue;
    const id = opts.identity?.(key) ?? identityFromKey(key);
    const fixed = [key, id.node, id.uuid, id.gpuIndex === null ? '' : String(id.gpuIndex), id.migInstanceId ?? ''].map(cell).join(',');
    series.t.forEach((t, i) => {
      const values = opts.fields.map((f) => numberCell(series.values[f]?.[i]));
      rows.push(`${new Date(t).toISOString()},${t},${fixed},${values.join(',')}`);
    });
  }
  return `${rows.join('\r\n')}\r\n`;
}
