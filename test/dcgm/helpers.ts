// Small Family[] literals for translate tests: what the parser yields, written by hand.
import type { Family, Labels } from '../../src/main/core/exposition/types';

export type SeriesRow = [Labels, number];

export function family(name: string, rows: SeriesRow[], type: Family['type'] = 'gauge'): Family {
  return {
    name,
    type,
    help: null,
    unit: null,
    samples: rows.map(([labels, value], i) => ({
      name,
      labels,
      value,
      valueText: String(value),
      timestampMs: null,
      exemplar: null,
      line: i + 1,
    })),
  };
}

/** One family per metric from a flat list of [metric, labels, value]. */
export function families(rows: [string, Labels, number][]): Family[] {
  const byName = new Map<string, SeriesRow[]>();
  for (const [name, labels, value] of rows) byName.set(name, [...(byName.get(name) ?? []), [labels, value]]);
  return [...byName].map(([name, series]) => family(name, series));
}
