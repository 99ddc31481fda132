// CSV export of GPU history (what `PulseService.getHistory` returns), and the reader that
// proves the round trip.
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
// a leading ' (csv-cell.ts); the reader removes it.
import { CANONICAL_FIELDS } from './canonical';
import type { HistoryField, HistorySeries } from './api';
import { csvCell, restoreCsvText } from './csv-cell';

export const CSV_IDENTITY_COLUMNS = ['time', 'time_ms', 'key', 'node', 'uuid', 'gpu', 'mig_instance'] as const;

export interface GpuIdentity {
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstanceId: string | null;
}

/** One line per column, for `--help` texts and the export dialog. */
export function describeCsvColumns(fields: readonly HistoryField[]): string[] {
  return [
    'time: sample time, ISO 8601 UTC',
    'time_ms: sample time, Unix milliseconds',
    'key: GPU identity (node/UUID[/mig-ID])',
    'node, uuid, gpu, mig_instance: where the GPU is',
    ...fields.map((f) => {
      if (f === 'realUtil') return 'realUtil: real utilization, percent 0-100';
      const info = (CANONICAL_FIELDS as Record<string, { unit: string; label: string }>)[f];
      return info ? `${f}: ${info.label}, ${info.unit}` : f;
    }),
  ];
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

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export interface ParsedHistoryCsv {
  fields: HistoryField[];
  keys: string[];
  identities: Record<string, GpuIdentity>;
  series: Record<string, HistorySeries>;
}

/** Reads a file `historyToCsv` wrote. Throws with the row number on anything else. */
export function parseHistoryCsv(text: string): ParsedHistoryCsv {
  const records = parseCsvRecords(text);
  const header = records[0] ?? [];
  if (CSV_IDENTITY_COLUMNS.some((c, i) => header[i] !== c)) {
    throw new Error(`not a GPU Pulse history CSV: the header must start with ${CSV_IDENTITY_COLUMNS.join(',')}`);
  }
  const fields = header.slice(CSV_IDENTITY_COLUMNS.length) as HistoryField[];
  const out: ParsedHistoryCsv = { fields, keys: [], identities: {}, series: {} };
  records.slice(1).forEach((r, n) => {
    if (r.length !== header.length) throw new Error(`row ${n + 2}: ${r.length} cells, the header has ${header.length}`);
    const [timeMs, key, node, uuid, gpu, mig] = r.slice(1, CSV_IDENTITY_COLUMNS.length).map(restoreCsvText) as [string, string, string, string, string, string];
    let series = out.series[key];
    if (!series) {
      series = out.series[key] = { t: [], values: Object.fromEntries(fields.map((f) => [f, []])) };
      out.keys.push(key);
      out.identities[key] = { node, uuid, gpuIndex: gpu === '' ? null : Number(gpu), migInstanceId: mig === '' ? null : mig };
    }
    series.t.push(Number(timeMs));
    fields.forEach((f, j) => {
      const v = r[CSV_IDENTITY_COLUMNS.length + j];
      series.values[f]!.push(v === '' ? null : Number(v));
    });
  });
  return out;
}
