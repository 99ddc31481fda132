// Exposition text exactly as dcgm-exporter prints it: per family `# HELP` and `# TYPE`, then
// one line per GPU, families in field-id order, no timestamps, no `# EOF`. Integers print with
// Go's %d and doubles with %f (six decimals), which is what toFixed(6) gives for the magnitudes
// involved (all far below 1e21).

import { DEMO_FIELDS } from './fields';
import type { DemoSimulation } from './simulation';

interface Prebuilt {
  headers: string[];
  /** prefixes[field][gpu] = `NAME{labels} ` — built once per simulation, never per scrape. */
  prefixes: string[][];
  isInt: boolean[];
}

const prebuiltBySim = new WeakMap<DemoSimulation, Prebuilt>();

function prebuilt(sim: DemoSimulation): Prebuilt {
  let p = prebuiltBySim.get(sim);
  if (!p) {
    p = {
      headers: DEMO_FIELDS.map((f) => `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`),
      prefixes: DEMO_FIELDS.map((f) => sim.gpus.map((g) => `${f.name}${g.labels} `)),
      isInt: DEMO_FIELDS.map((f) => f.format === 'int'),
    };
    prebuiltBySim.set(sim, p);
  }
  return p;
}

/** Render the exposition body for the collect tick containing `nowMs`. */
export function renderDemoMetrics(sim: DemoSimulation, nowMs: number): string {
  const samples = sim.sampleAt(nowMs);
  const { headers, prefixes, isInt } = prebuilt(sim);
  let out = '';
  for (let f = 0; f < headers.length; f++) {
    out += headers[f];
    const pf = prefixes[f];
    const int = isInt[f];
    for (let g = 0; g < samples.length; g++) {
      const v = samples[g][f];
      out += pf[g] + (int ? String(Math.round(v)) : v.toFixed(6)) + '\n';
    }
  }
  return out;
}
