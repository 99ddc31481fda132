// The series of an inspected file in a compact, columnar form. A 100 MB exposition parses into
// several hundred MB of Sample objects; the worker folds them into a few typed arrays and
// interned strings (a dcgm file repeats the same label set for every field of a GPU), which
// cross to main as transferables and answer paged, filtered queries without blocking it.
import type { Family } from '../exposition/types';
import type { InspectionSeriesPage, InspectionSeriesRequest, InspectionSeriesRow } from '../../../shared/api';

/** What the worker hands to main: plain arrays and strings only (structured-clone friendly). */
export interface CompactSeries {
  /** Row -> index into `familyNames` (rows are in family order, then input order). */
  family: Int32Array;
  /** Row -> index into `names`. */
  name: Int32Array;
  /** Row -> index of its label set in `labelText`. */
  labels: Int32Array;
  line: Int32Array;
  /** Milliseconds, NaN for none. */
  timestamp: Float64Array;
  /** Every value as written, joined by `\n`; row i spans valueStart[i]..valueStart[i + 1] - 1. */
  valueText: string;
  valueStart: Int32Array;
  names: string[];
  familyNames: string[];
  /** Label sets as `k="v",k2="v2"` (exposition escaping, so never a raw line feed), joined by `\n`. */
  labelText: string;
  labelStart: Int32Array;
}

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A label set as the exposition format writes it (quoted names for UTF-8 label names). */
export function formatLabels(labels: Record<string, string>): string {
  let out = '';
  for (const key in labels) {
    if (out !== '') out += ',';
    out += LEGACY_LABEL_NAME.test(key) ? key : `"${escapeLabelValue(key)}"`;
    out += `="${escapeLabelValue(labels[key])}"`;
  }
  return out;
}

/** Inverse of formatLabels (only ever reads what formatLabels wrote). */
export function parseLabels(text: string): Record<string, string> {
  // No prototype: `__proto__` is a valid label name.
  const labels: Record<string, string> = Object.create(null);
  let i = 0;
  const readQuoted = (): string => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const next = text[i + 1];
        out += next === 'n' ? '\n' : next;
        i += 2;
      } else out += text[i++];
    }
    i++; // closing quote
    return out;
  };
  while (i < text.length) {
    let key: string;
    if (text[i] === '"') key = readQuoted();
    else {
      const eq = text.indexOf('=', i);
      key = text.slice(i, eq);
      i = eq;
    }
    i++; // '='
    labels[key] = readQuoted();
    if (text[i] === ',') i++;
  }
  return labels;
}

class Interner {
  readonly ids = new Map<string, number>();
  readonly list: string[] = [];
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(s, id);
      this.list.push(s);
    }
    return id;
  }
}

function joinedOffsets(parts: string[]): Int32Array {
  const starts = new Int32Array(parts.length + 1);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    starts[i] = at;
    at += parts[i].length + 1;
  }
  starts[parts.length] = at;
  return starts;
}

/** Folds parsed families into the compact form; also counts distinct series per family. */
export function compactFamilies(families: Family[], onProgress?: (done: number, total: number) => void): { series: CompactSeries; seriesCounts: number[] } {
  let total = 0;
  for (const f of families) total += f.samples.length;
  const family = new Int32Array(total);
  const name = new Int32Array(total);
  const labels = new Int32Array(total);
  const line = new Int32Array(total);
  const timestamp = new Float64Array(total);
  const values: string[] = new Array(total);
  const names = new Interner();
  const labelSets = new Interner();
  const familyNames = new Interner();
  const seriesCounts: number[] = [];
  let row = 0;
  for (const f of families) {
    const familyId = familyNames.id(f.name);
    const distinct = new Set<number>();
    for (const s of f.samples) {
      family[row] = familyId;
      const nameId = names.id(s.name);
      const labelId = labelSets.id(formatLabels(s.labels));
      name[row] = nameId;
      labels[row] = labelId;
      line[row] = s.line;
      timestamp[row] = s.timestampMs ?? NaN;
      values[row] = s.valueText;
      // Name and label set identify a series; label ids stay far below 2^32.
      distinct.add(nameId * 4294967296 + labelId);
      row++;
      if ((row & 0xffff) === 0) onProgress?.(row, total);
    }
    seriesCounts.push(distinct.size);
  }
  return {
    series: {
      family,
      name,
      labels,
      line,
      timestamp,
      valueText: values.join('\n'),
      valueStart: joinedOffsets(values),
      names: names.list,
      familyNames: familyNames.list,
      labelText: labelSets.list.join('\n'),
      labelStart: joinedOffsets(labelSets.list),
    },
    seriesCounts,
  };
}

export function transferablesOf(series: CompactSeries): ArrayBuffer[] {
  return [series.family, series.name, series.labels, series.line, series.timestamp, series.valueStart, series.labelStart].map((a) => a.buffer as ArrayBuffer);
}

/** Main's side: paged, filtered reads over a CompactSeries. */
export class SeriesStore {
  private lowerLabelText: string | null = null;
  private cached: { key: string; rows: Int32Array } | null = null;

  constructor(private readonly s: CompactSeries) {}

  get size(): number {
    return this.s.line.length;
  }

  page(req: InspectionSeriesRequest): InspectionSeriesPage {
    const matches = this.matching(req.family, req.filter?.trim().toLowerCase() ?? '');
    const total = matches ? matches.length : this.size;
    const rows: InspectionSeriesRow[] = [];
    const end = Math.min(total, req.offset + req.limit);
    for (let i = req.offset; i < end; i++) rows.push(this.row(matches ? matches[i] : i));
    return { total, rows };
  }

  private row(i: number): InspectionSeriesRow {
    const s = this.s;
    const labelId = s.labels[i];
    const ts = s.timestamp[i];
    return {
      name: s.names[s.name[i]],
      labels: parseLabels(s.labelText.slice(s.labelStart[labelId], s.labelStart[labelId + 1] - 1)),
      valueText: s.valueText.slice(s.valueStart[i], s.valueStart[i + 1] - 1),
      timestampMs: Number.isNaN(ts) ? null : ts,
      line: s.line[i],
    };
  }

  /** Row indices that match, or null for "every row". The last answer is kept for paging. */
  private matching(family: string | undefined, needle: string): Int32Array | null {
    if (family === undefined && needle === '') return null;
    const key = `${family ?? ''}\u0000${needle}`;
    if (this.cached?.key === key) return this.cached.rows;
    const s = this.s;
    const familyOk = family === undefined ? null : new Uint8Array(s.familyNames.length);
    if (familyOk) s.familyNames.forEach((n, id) => (familyOk[id] = n === family ? 1 : 0));
    let nameOk: Uint8Array | null = null;
    let labelOk: Uint8Array | null = null;
    if (needle !== '') {
      nameOk = new Uint8Array(s.names.length);
      s.names.forEach((n, id) => (nameOk![id] = n.toLowerCase().includes(needle) ? 1 : 0));
      labelOk = this.labelSetsContaining(needle);
    }
    const out = new Int32Array(this.size);
    let count = 0;
    for (let i = 0; i < out.length; i++) {
      if (familyOk && !familyOk[s.family[i]]) continue;
      if (nameOk && !nameOk[s.name[i]] && !labelOk![s.labels[i]]) continue;
      out[count++] = i;
    }
    const rows = out.slice(0, count);
    this.cached = { key, rows };
    return rows;
  }

  /** One indexOf scan over all label sets at once instead of one test per set. */
  private labelSetsContaining(needle: string): Uint8Array {
    const s = this.s;
    const starts = s.labelStart;
    const sets = starts.length - 1;
    const ok = new Uint8Array(sets);
    this.lowerLabelText ??= s.labelText.toLowerCase();
    const text = this.lowerLabelText;
    if (text.length !== s.labelText.length) {
      // A few characters change length when lowercased (U+0130): offsets no longer line up.
      for (let id = 0; id < sets; id++) ok[id] = s.labelText.slice(starts[id], starts[id + 1] - 1).toLowerCase().includes(needle) ? 1 : 0;
      return ok;
    }
    for (let at = text.indexOf(needle); at !== -1; ) {
      // The set whose span holds `at`: the last start <= at.
      let lo = 0;
      let hi = sets - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= at) lo = mid;
        else hi = mid - 1;
      }
      ok[lo] = 1;
      // Continue after this set: one hit per set is enough.
      at = text.indexOf(needle, starts[lo + 1]);
    }
    return ok;
  }
}
