// Accounting over a Prometheus server (or a compatible API): raw samples, never query_range.
// A plain query_range looks back 5 minutes at every step, so when a pod starts on a GPU (its
// series changes labels) the old and the new series are both returned for 5 minutes and the GPU
// would be counted twice. Range-vector selectors (`NAME{selector}[1h]` evaluated at the end of
// each hour through /api/v1/query) return what was scraped, exactly once, at its own time.
//
// Requests: one name discovery, one series listing (does every GPU have the energy counter?),
// then one request per metric family per hour of the window, however many GPUs there are. The
// next hour is fetched while the current one is accounted.
import { CANONICAL_FIELDS, type CanonicalField, type Readings } from '../../../shared/canonical';
import { gpuKey, type Attribution } from '../../../shared/gpu';
import { DEFAULT_WEIGHTS, realUtilization, type Weights } from '../compute';
import { METRIC_ALIASES } from '../dcgm';
import { ALIAS_RANK, type MetricAlias } from '../dcgm/aliases';
import { acceptedValue, rangeFor, type ValueRange } from '../dcgm/ranges';
import { FIELD_INDEX, attributionOf, collectSeries, nodeOf, valueOf } from '../dcgm/translate';
import type { Family, Labels, Sample } from '../exposition/types';
import { createScraper } from '../sources/http-scrape/scraper';
import { createApiClient, isObject, normaliseBaseUrl, type ApiRequest, type PrometheusFailure, type PrometheusServer, type RequestStats } from '../sources/prometheus/api';
import { parseValue } from '../sources/prometheus/convert';
import { joinMatchers, parseSelector, quote, regexAlternation, seriesSelector } from '../sources/prometheus/selector';
import { MAX_GAP_MS, type Accountant } from './accountant';
import { exporterName } from './counter-names';
import type { AccountedGpu } from './types';

export interface PrometheusReportConfig extends PrometheusServer {
  /** Label matchers, e.g. `{cluster="a100-pool"}`. */
  selector?: string;
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
  const seriesCache = new Map<string, SeriesInfo | null>();
  // One object per distinct attribution, so the families of one GPU compare equal by identity.
  const attributions = new Map<string, Attribution>();
  const interned = (a: Attribution): Attribution => {
    const key = JSON.stringify(a);
    const known = attributions.get(key);
    if (known) return known;
    attributions.set(key, a);
    return a;
  };
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
   * Range-vector results -> per GPU, its readings at each of its sample times -> accounting
   * samples, GPU by GPU in time order. Each series is resolved once (translate's identity and
   * attribution, the alias table's field and scale) and cached across chunks, so a point costs
   * a lookup and a store. A range includes its left end in Prometheus 2 and excludes it in 3:
   * samples at or before the previous chunk's end were already accounted and are skipped.
   */
  function accountChunk(results: unknown[], after: number): number {
    const gpus = new Map<string, ChunkGpu>();
    let count = 0;
    for (const data of results) {
      if (!isObject(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) throw badShape('range vector', 'expected a matrix result');
      for (const item of data.result as unknown[]) {
        if (!isObject(item) || !isObject(item.metric) || !Array.isArray(item.values)) continue;
        const info = resolveSeries(item.metric as Record<string, unknown>);
        if (info === null) continue;
        let gpu = gpus.get(info.gpu.key);
        if (!gpu) gpus.set(info.gpu.key, (gpu = new ChunkGpu(info, (a, b) => interned(union(a, b)))));
        const values = item.values as unknown[];
        for (let i = 0; i < values.length; i++) {
          const point = values[i];
          if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string') continue;
          const t = Math.round(point[0] * 1000);
          if (t <= after) continue;
          count++;
          const row = gpu.rowAt(t, info.attribution);
          const value = acceptedValue(info.range, scaled(info.alias, parseValue(point[1])));
          if (value !== undefined) gpu.set(row, info.slot, info.rank, value);
        }
      }
    }
    // MIG instances share their board's energy and power: count the instances seen per board and time.
    const instances = new Map<string, Map<number, number>>();
    for (const gpu of gpus.values()) {
      if (!gpu.info.mig) continue;
      let byTime = instances.get(gpu.info.board);
      if (!byTime) instances.set(gpu.info.board, (byTime = new Map()));
      for (const t of gpu.times) byTime.set(t, (byTime.get(t) ?? 0) + 1);
    }
    const readings: Readings = {};
    for (const gpu of gpus.values()) {
      const { info } = gpu;
      for (const row of gpu.rowsInTimeOrder()) {
        const t = gpu.times[row];
        for (let slot = 0; slot < SLOT_FIELDS.length; slot++) {
          const value = gpu.values[row * SLOT_FIELDS.length + slot];
          readings[SLOT_FIELDS[slot]] = Number.isNaN(value) ? undefined : value;
        }
        const real = realUtilization(readings, weights);
        const energy = readings.energyJoules;
        const power = readings.powerWatts;
        accountant.add(info.gpu, {
          t,
          attribution: gpu.attributions[row],
          realUtil: real.value,
          realUtilMissing: real.missing.length > 0,
          energyJoules: typeof energy === 'number' ? energy : null,
          powerWatts: typeof power === 'number' ? power : null,
          energyShare: info.mig ? 1 / instances.get(info.board)!.get(t)! : 1,
        });
      }
    }
    return count;
  }

  /** What a series is, from its labels, through translate itself; null for what is not a GPU field. */
  function resolveSeries(metric: Record<string, unknown>): SeriesInfo | null {
    const key = JSON.stringify(metric);
    const cached = seriesCache.get(key);
    if (cached !== undefined) return cached;
    const name = exporterName(String(metric.__name__ ?? ''));
    const alias = METRIC_ALIASES.get(name);
    let info: SeriesInfo | null = null;
    if (alias && (SLOT_FIELDS as readonly string[]).includes(alias.field)) {
      const labels: Labels = {};
      for (const k in metric) if (k !== '__name__') labels[k] = String(metric[k]);
      const sample: Sample = { name, labels, value: 0, valueText: '0', timestampMs: null, exemplar: null, line: 0 };
      const { series } = collectSeries([{ name, type: 'unknown', help: null, unit: null, samples: [sample] }], serverHost);
      if (series.length === 1) {
        const gpu = series[0];
        const node = nodeOf(gpu, serverHost);
        info = {
          gpu: { key: gpuKey(node, gpu.uuid, gpu.migId), node, model: gpu.model },
          board: gpuKey(node, gpu.uuid, null),
          mig: gpu.migId !== null,
          attribution: interned(attributionOf(gpu)),
          alias,
          slot: SLOT_FIELDS.indexOf(alias.field as CanonicalField),
          rank: ALIAS_RANK.get(name) ?? Number.MAX_SAFE_INTEGER,
          range: rangeFor(CANONICAL_FIELDS[alias.field as CanonicalField].unit),
        };
      }
    }
    seriesCache.set(key, info);
    return info;
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

interface SeriesInfo {
  gpu: AccountedGpu;
  /** gpuKey of the physical GPU (for MIG instances, their board). */
  board: string;
  mig: boolean;
  attribution: Attribution;
  alias: MetricAlias;
  /** Position of the alias' field in SLOT_FIELDS. */
  slot: number;
  rank: number;
  range: ValueRange;
}

/** The readings accounting uses, in a fixed order: a GPU's chunk keeps them in one flat array. */
const SLOT_FIELDS: readonly CanonicalField[] = [...UTIL_FIELDS, ENERGY_FIELD, POWER_FIELD];

/** One GPU's points in one chunk: a row per sample time, SLOT_FIELDS values per row (NaN: missing). */
class ChunkGpu {
  readonly times: number[] = [];
  readonly values: number[] = [];
  readonly ranks: number[] = [];
  readonly attributions: Attribution[] = [];
  private readonly rows = new Map<number, number>();

  constructor(
    readonly info: SeriesInfo,
    /** Union of two attributions, interned so the next comparison is by identity again. */
    private readonly merge: (a: Attribution, b: Attribution) => Attribution,
  ) {}

  rowAt(t: number, attribution: Attribution): number {
    let row = this.rows.get(t);
    if (row === undefined) {
      row = this.times.length;
      this.rows.set(t, row);
      this.times.push(t);
      this.attributions.push(attribution);
      for (let slot = 0; slot < SLOT_FIELDS.length; slot++) {
        this.values.push(NaN);
        this.ranks.push(Infinity);
      }
    } else if (this.attributions[row] !== attribution) {
      this.attributions[row] = this.merge(this.attributions[row], attribution);
    }
    return row;
  }

  /** As translate: where two names give one field (two generations side by side), the better-ranked wins. */
  set(row: number, slot: number, rank: number, value: number): void {
    const at = row * SLOT_FIELDS.length + slot;
    if (rank >= this.ranks[at]) return;
    this.values[at] = value;
    this.ranks[at] = rank;
  }

  rowsInTimeOrder(): number[] {
    const rows = this.times.map((_, i) => i);
    // Families arrive one after another, each in time order: usually already sorted.
    for (let i = 1; i < this.times.length; i++) {
      if (this.times[i] < this.times[i - 1]) return rows.sort((a, b) => this.times[a] - this.times[b]);
    }
    return rows;
  }
}

/** The alias' scale applied as translate applies it (dividing by 1000 keeps mJ -> J exact). */
function scaled(alias: MetricAlias, value: number): number {
  return alias.scale < 1 ? value / Math.round(1 / alias.scale) : value * alias.scale;
}

/** Two series of one GPU at one time with different owners (time-slicing): held by both. */
function union(a: Attribution, b: Attribution): Attribution {
  const merge = (x: string[], y: string[]) => [...new Set([...x, ...y])].sort();
  return { pods: merge(a.pods, b.pods), namespaces: merge(a.namespaces, b.namespaces), jobs: merge(a.jobs, b.jobs) };
}

function badShape(query: string, why: string): PrometheusReportError {
  return new PrometheusReportError({
    ok: false,
    state: 'parse-error',
    message: `unexpected Prometheus API answer to ${query}: ${why}`,
    remedy: 'check that the URL points at a Prometheus-compatible server',
  });
}
