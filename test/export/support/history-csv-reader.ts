// Reads back what src/shared/history-csv.ts writes, so the tests can prove the round trip.
// Test-only: the app writes history CSV and never reads it.
import type { HistoryField, HistorySeries } from '../../../src/shared/api';
import { restoreCsvText } from '../../../src/shared/csv-cell';
import { CSV_IDENTITY_COLUMNS, type GpuIdentity } from '../../../src/shared/history-csv';

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
