// OpenMetrics names a counter's samples `<family>_total`, and a Prometheus that ingested
// dcgm-exporter through OpenMetrics (or a backfilled counter) stores e.g.
// `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total`. The alias table holds the exporter's own names;
// here a `_total` suffix on one of them is read as that name. (Kept out of the table itself: the
// live pipeline is held equal to its frozen baseline, which has no such rows.)
import { METRIC_ALIASES } from '../dcgm';
import type { Family } from '../exposition/types';

/** The exporter name a sample name stands for: itself, or itself without `_total` when that is a known alias. */
export function exporterName(name: string): string {
  if (METRIC_ALIASES.has(name) || !name.endsWith('_total')) return name;
  const base = name.slice(0, -'_total'.length);
  return METRIC_ALIASES.has(base) ? base : name;
}

/** `families` with `_total` samples of known counters renamed; untouched families are shared. */
export function withExporterNames(families: Family[]): Family[] {
  return families.map((family) => {
    if (!family.samples.some((s) => exporterName(s.name || family.name) !== (s.name || family.name))) return family;
    const name = exporterName(family.name);
    return { ...family, name, samples: family.samples.map((s) => ({ ...s, name: exporterName(s.name || family.name) })) };
  });
}
