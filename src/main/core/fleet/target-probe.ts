// "Test connection": one scrape of a target the user is about to add, and a plain account of
// what is there (GPUs, models, which exporter generation, what the score will lack).
import type { TargetTestResult } from '../../../shared/api';
import type { Family } from '../exposition/types';
import { createDcgmPipeline } from '../dcgm';
import type { Scraper, ScrapeRequest } from '../sources/http-scrape/scraper';
import { currentFamilies, EMPTY_BODY_REMEDY, readFamilies, unusableReason } from '../sources/read-families';

const MAX_PROBLEMS = 20;

export async function probeTarget(scraper: Scraper, request: ScrapeRequest): Promise<TargetTestResult> {
  const result = await scraper.scrape(request);
  const base = { gpuCount: 0, nodes: [], models: [], exporterHints: [], problems: [] };
  if (!result.ok) {
    return { ok: false, state: result.state, message: result.message, remedy: result.remedy, durationMs: result.durationMs, ...base };
  }
  const read = readFamilies(result.body, { contentType: result.contentType });
  if (read.empty) return { ok: false, state: 'down', message: `HTTP ${result.status} with an empty body`, remedy: EMPTY_BODY_REMEDY, durationMs: result.durationMs, ...base };
  const why = unusableReason(read);
  if (why) {
    const remedy = 'check that the URL is a metrics endpoint such as http://host:9400/metrics';
    return { ok: false, state: 'parse-error', message: `not exposition text: ${why}`, remedy, durationMs: result.durationMs, ...base };
  }
  const families = currentFamilies(read);
  const out = createDcgmPipeline().ingest(families, { sourceId: 'probe', fallbackNode: new URL(request.url).host, observedAt: Date.now() });
  const problems = [...read.problems, ...out.problems].slice(0, MAX_PROBLEMS).map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message));
  const ok = out.gpus.length > 0;
  return {
    ok,
    state: 'up',
    message: ok ? `found ${out.gpus.length} GPU${out.gpus.length === 1 ? '' : 's'} in ${Math.round(result.durationMs)} ms` : 'the endpoint answers, but serves no dcgm GPU series',
    remedy: ok ? null : 'point the target at a dcgm-exporter (default port 9400, path /metrics)',
    durationMs: result.durationMs,
    gpuCount: out.gpus.length,
    nodes: [...new Set(out.gpus.map((g) => g.node))].sort(),
    models: [...new Set(out.gpus.map((g) => g.model).filter((m): m is string => m !== null))].sort(),
    exporterHints: exporterHints(families, out.gpus.filter((g) => g.migInstance !== null).length),
    problems,
  };
}

/** What the family and label names say about the exporter (DCGM.md §2-4). */
export function exporterHints(families: Family[], migInstances: number): string[] {
  const names = families.map((f) => f.name);
  const hints: string[] = [];
  if (names.some((n) => n.startsWith('dcgm_'))) hints.push('dcgm-exporter 1.x field names');
  else if (names.some((n) => /^DCGM_FI_.*_(RATIO|HERTZ|WATTS|CELSIUS|JOULES_TOTAL)$/.test(n))) hints.push('dcgm-exporter 4.9+ field names');
  else if (names.some((n) => n.startsWith('DCGM_FI_'))) hints.push('legacy field names (dcgm-exporter ≤ 4.8)');
  const labels = new Map<string, string>();
  for (const family of families) {
    const sample = family.samples[0];
    if (sample) for (const [k, v] of Object.entries(sample.labels)) if (!labels.has(k)) labels.set(k, v);
  }
  const driver = labels.get('DCGM_FI_DRIVER_VERSION') ?? labels.get('DCGM_FI_SYSTEM_DRIVER_VERSION');
  if (driver) hints.push(`driver ${driver}`);
  if (labels.has('hostname')) hints.push('lowercase hostname label (dcgm-exporter 4.6-4.8)');
  if (!names.some((n) => n.startsWith('DCGM_FI_PROF_'))) {
    hints.push('no profiling counters (DCGM_FI_PROF_*): real utilization will be a lower bound; enable them in the exporter counters CSV');
  }
  if (migInstances > 0) hints.push(`MIG: ${migInstances} instance${migInstances === 1 ? '' : 's'}`);
  if (labels.has('pod') || labels.has('exported_pod')) hints.push('Kubernetes pod attribution labels');
  if (labels.has('hpc_job')) hints.push('HPC job attribution (hpc_job)');
  return hints;
}
