// Accounting over a Prometheus server (or a compatible API): raw samples, never query_range.
// A plain query_range looks back 5 minutes at every step, so when a pod starts on a GPU (its
// series changes labels) the old and the new series are both returned for 5 minutes and the GPU
// would be counted twice. Range-vector selectors (`NAME{selector}[1h]` evaluated at the end of
// each hour through /api/v1/query) return what was scraped, exactly once, at its own time.
//
// Requests: one name discovery, one series listing (does every GPU have the energy counter?),
// then one request per metric family per hour of the window, however many GPUs there are. The
// next hour is fetched while the current one is accounted.
import { METRIC_ALIASES } from '../dcgm';
import { DEFAULT_WEIGHTS, type Weights } from '../compute';
import type { CanonicalField } from '../../../shared/canonical';
import type { Family, Labels, Sample } from '../exposition/types';
import { FIELD_INDEX, collectSeries, valueOf } from '../dcgm/translate';
import { createScraper, type ScrapeRequest } from '../sources/http-scrape';
import { createApiClient, isObject, normaliseBaseUrl, type ApiRequest, type PrometheusFailure, type RequestStats } from '../sources/prometheus/api';
import { parseValue } from '../sources/prometheus/convert';
import { joinMatchers, parseSelector, quote, regexAlternation, seriesSelector } from '../sources/prometheus/selector';
import { MAX_GAP_MS, type Accountant } from './accountant';
import { exporterName } from './counter-names';
import { samplesFromFamilies } from './from-families';


export interface PrometheusReportConfig {
  baseUrl: string;
  /** Label matchers, e.g. `{cluster="a100-pool"}`. */
  selector?: string;
  timeoutMs?: number;
  auth?: ScrapeRequest['auth'];
  tls?: ScrapeRequest['tls'];
  headers?: Record<string, string>;
  /** Length of each range-vector request; default 1 h. */
  chunkMs?: number;
  concurrency?: number;
}

export interface PrometheusFeedResult {
  requests: number;
  bytes: number;
  samples: number;
  families: string[];
  warnings: string[];
}

export class PrometheusReportError extends Error {
  constructor(readonly failure: Omit<PrometheusFailure, 'durationMs'>) {
    super(`${failure.message}; ${failure.remedy}`);
    this.name = 'PrometheusReportError';
  }
}

/** Fields accounting reads: the real-utilization inputs, the energy counter and power. */
const UTIL_FIELDS: readonly CanonicalField[] = ['smActive', 'tensorActive', 'dramActive', 'grEngineActive', 'gpuUtil'];
const ENERGY_FIELD: CanonicalField = 'energyJoules';
const POWER_FIELD: CanonicalField = 'powerWatts';
const DEFAULT_CHUNK_MS = 3_600_000;
const DEFAULT_TIMEOUT_MS = 120_000;
/** A chunk of one family over a large fleet is tens of MB of JSON. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

/** Exporter names (every generation) of `fields`, with the `_total` form counters take in OpenMetrics. */
function namesOf(fields: readonly CanonicalField[]): string[] {
  const names: string[] = [];
  for (const [name, alias] of METRIC_ALIASES) {
    if (!(fields as readonly string[]).includes(alias.field)) continue;
    names.push(name);
    if (alias.field === ENERGY_FIELD) names.push(`${name}_total`);
  }
  return names;
}

export async function feedFromPrometheus(
  cfg: PrometheusReportConfig,
  window: { startMs: number; endMs: number },
  accountant: Accountant,
  weights: Weights = DEFAULT_WEIGHTS,
): Promise<PrometheusFeedResult> {
  const base = normaliseBaseUrl(cfg.baseUrl);
  if (!base.ok) throw new PrometheusReportError({ ok: false, state: 'down', message: base.message, remedy: 'give the Prometheus server root, e.g. http://prometheus:9090' });
  const selector = parseSelector(cfg.selector);
  if (!selector.ok) throw new PrometheusReportError({ ok: false, state: 'parse-error', message: selector.message, remedy: selector.remedy });
  const matchers = selector.matchers;
  const serverHost = new URL(base.url).hostname;
  const concurrency = cfg.concurrency ?? 4;
  const scraper = createScraper({ connectionsPerOrigin: concurrency });
  const api = createApiClient(scraper, {
    baseUrl: base.url,
    timeoutMs: cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: MAX_RESPONSE_BYTES,
    auth: cfg.auth,
    tls: cfg.tls,
    headers: cfg.headers,
  });
  const stats: RequestStats = { requests: 0, bytes: 0 };
  const warnings: string[] = [];
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  // The sample before the window start carries the time up to the first sample inside it.
  const fromMs = window.startMs - MAX_GAP_MS;

  async function get(req: ApiRequest): Promise<unknown> {
    const res = await api.get(req, stats);
    if (!res.ok) throw new PrometheusReportError(res);
    warnings.push(...res.warnings);
    return res.data;
  }

  try {
    const wanted = [...namesOf(UTIL_FIELDS), ...namesOf([ENERGY_FIELD]), ...namesOf([POWER_FIELD])];
    const match = joinMatchers(`__name__=~${quote(regexAlternation(wanted))}`, matchers);
    const found = await get({
      path: '/api/v1/label/__name__/values',
      params: [['match[]', match], ['start', seconds(fromMs)], ['end', seconds(window.endMs)]],
      query: match,
    });
    if (!Array.isArray(found)) throw badShape(match, 'expected a list of metric names');
    const present = new Set(found.map(String));
    const families = wanted.filter((name) => present.has(name));
    const energy = namesOf([ENERGY_FIELD]).filter((n) => present.has(n));
    const power = namesOf([POWER_FIELD]).filter((n) => present.has(n));
    // Power is read only where a GPU lacks the energy counter: it is a whole family of samples.
    const needPower = power.length > 0 && (energy.length === 0 || (await someGpuLacksCounter(energy, power)));
    const queried = families.filter((name) => !power.includes(name) || needPower);

    const chunkMs = cfg.chunkMs ?? DEFAULT_CHUNK_MS;
    const ends: number[] = [];
    for (let end = fromMs + chunkMs; ; end += chunkMs) {
      ends.push(Math.min(end, window.endMs));
      if (end >= window.endMs) break;
    }
    let samples = 0;
    let previousEnd = fromMs - 1;
    let next = fetchChunk(previousEnd, ends[0]);
    for (let i = 0; i < ends.length; i++) {
      const results = await next;
      if (i + 1 < ends.length) next = fetchChunk(ends[i], ends[i + 1]);
      samples += accountChunk(results, previousEnd);
      previousEnd = ends[i];
    }
    return { requests: stats.requests, bytes: stats.bytes, samples, families: queried, warnings };

    /** Every queried family's raw samples in (after, end], a few requests at a time. */
    async function fetchChunk(after: number, end: number): Promise<unknown[]> {
      const rangeMs = Math.max(1, end - after);
      const requests = queried.map((name) => {
        const query = `${seriesSelector(name, matchers)}[${rangeMs}ms]`;
        return { path: '/api/v1/query', params: [['query', query], ['time', seconds(end)]] as Array<[string, string]>, query };
      });
      const out: unknown[] = new Array(requests.length);
      let at = 0;
      const worker = async () => {
        while (at < requests.length) {
          const i = at++;
          out[i] = await get(requests[i]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
      return out;
    }
  } finally {
    await scraper.close();
  }

  /**
   * Range-vector results -> one family list per timestamp -> accounting samples, in time order.
   * A range includes its left end in Prometheus 2 and excludes it in 3: samples at or before
   * the previous chunk's end were already accounted and are skipped.
   */
  function accountChunk(results: unknown[], after: number): number {
    const byTime = new Map<number, Map<string, Family>>();
    let count = 0;
    for (const data of results) {
      if (!isObject(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) throw badShape('range vector', 'expected a matrix result');
      for (const item of data.result as unknown[]) {
        if (!isObject(item) || !isObject(item.metric) || !Array.isArray(item.values)) continue;
        const metric = item.metric as Record<string, unknown>;
        const name = exporterName(String(metric.__name__ ?? ''));
        const labels: Labels = {};
        for (const key in metric) if (key !== '__name__') labels[key] = String(metric[key]);
        for (const point of item.values as unknown[]) {
          if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string') continue;
          const t = Math.round(point[0] * 1000);
          if (t <= after) continue;
          let families = byTime.get(t);
          if (!families) byTime.set(t, (families = new Map()));
          let family = families.get(name);
          if (!family) families.set(name, (family = { name, type: 'unknown', help: null, unit: null, samples: [] }));
          const sample: Sample = { name, labels, value: parseValue(point[1]), valueText: point[1], timestampMs: null, exemplar: null, line: 0 };
          family.samples.push(sample);
          count++;
        }
      }
    }
    for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
      const families = [...byTime.get(t)!.values()];
      for (const { gpu, sample } of samplesFromFamilies(families, serverHost, t, weights)) accountant.add(gpu, sample);
    }
    return count;
  }

  /** Lists the energy and power series of the window: true when some GPU has power but no counter. */
  async function someGpuLacksCounter(energy: string[], power: string[]): Promise<boolean> {
    const params: Array<[string, string]> = [...energy, ...power].map((name) => ['match[]', seriesSelector(name, matchers)]);
    params.push(['start', seconds(fromMs)], ['end', seconds(window.endMs)]);
    const list = await get({ path: '/api/v1/series', params, query: [...energy, ...power].join(', ') });
    if (!Array.isArray(list)) throw badShape('/api/v1/series', 'expected a list of series');
    // Identity exactly as translate decides it: one family per name, one sample per series.
    const families = new Map<string, Family>();
    for (const item of list) {
      if (!isObject(item)) continue;
      const name = exporterName(String(item.__name__ ?? ''));
      const labels: Labels = {};
      for (const key in item) if (key !== '__name__') labels[key] = String(item[key]);
      let family = families.get(name);
      if (!family) families.set(name, (family = { name, type: 'unknown', help: null, unit: null, samples: [] }));
      family.samples.push({ name, labels, value: 0, valueText: '0', timestampMs: null, exemplar: null, line: 0 });
    }
    const energyIndex = FIELD_INDEX.get(ENERGY_FIELD)!;
    return collectSeries([...families.values()], serverHost).series.some((gpu) => valueOf(gpu, energyIndex) === undefined);
  }
}

function badShape(query: string, why: string): PrometheusReportError {
  return new PrometheusReportError({
    ok: false,
    state: 'parse-error',
    message: `unexpected Prometheus API answer to ${query}: ${why}`,
    remedy: 'check that the URL points at a Prometheus-compatible server',
  });
}
