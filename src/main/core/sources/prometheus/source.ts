// A Prometheus server (or Thanos, Mimir, VictoriaMetrics: the same HTTP API) as a source of
// dcgm-exporter data. It yields exposition families with the original metric names and labels
// (plus the `instance` and `job` the server added), grouped by scrape target, so every dcgm
// semantic stays in ../dcgm: the service ingests each batch as if it had scraped that target.
//
// Requests per refresh grow with the number of metric families, never with the number of
// nodes: one label-values discovery (cached for a minute), one query for the scrape times, then
// one instant query per family, all evaluated at the same instant.
//
// Wiring (one pipeline per source, like a target):
//   const poll = await source.poll();
//   if (poll.ok) for (const b of poll.batches)
//     pipeline.ingest(b.families, { sourceId, fallbackNode: b.fallbackNode, observedAt: b.observedAt });
// Backfill frames go through a separate pipeline (so live counter state is untouched), oldest
// frame first, into the history buffers.
import { LABEL_ALIASES, METRIC_ALIASES, isDcgmMetricName } from '../../dcgm';
import { createScraper } from '../http-scrape/scraper';
import { createApiClient, normaliseBaseUrl, type ApiRequest, type PrometheusFailure, type PrometheusServer, type RequestStats } from './api';
import { BatchBuilder, addMatrix, addVector, readTimestamps, type TargetBatch } from './convert';
import { joinMatchers, parseSelector, quote, regexAlternation, seriesSelector } from './selector';

export type { PrometheusFailure, PrometheusFailureState } from './api';
export type { TargetBatch } from './convert';
export { parseSelector } from './selector';

/** Requests time out after 15 s unless `timeoutMs` says otherwise. */
export interface PrometheusSourceConfig extends PrometheusServer {
  /** Label matchers every series must match, e.g. `{cluster="a100-pool"}`. */
  selector?: string;
  /** Cap of each response body, decompressed. Default: the scraper's (64 MiB). */
  maxBytes?: number;
}

export interface PrometheusStats extends RequestStats {
  durationMs: number;
  /** Samples turned into exposition samples. */
  samples: number;
}

/** The server answered, but there is nothing to show: says which query found nothing. */
export interface PrometheusNotice {
  message: string;
  remedy: string;
  query: string;
}

export type PrometheusPollResult =
  | {
      ok: true;
      /** The instant every query was evaluated at (Unix ms). */
      evaluatedAt: number;
      /** One batch per scrape target (`instance`, `job`), ordered by instance. */
      batches: TargetBatch[];
      notice: PrometheusNotice | null;
      /** Warnings the server returned with the data (e.g. a Thanos partial response). */
      warnings: string[];
      stats: PrometheusStats;
    }
  | PrometheusFailure;

export interface PrometheusBackfillRequest {
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Only the series of these GPUs (their UUID label); all series when absent. */
  uuids?: string[];
}

export type PrometheusBackfillResult =
  | {
      ok: true;
      /** The step used: the requested one, widened to Prometheus' 11,000 points per series. */
      stepMs: number;
      /** Oldest first; each step's values grouped by target like a poll. */
      frames: Array<{ observedAt: number; batches: TargetBatch[] }>;
      warnings: string[];
      stats: PrometheusStats;
    }
  | PrometheusFailure;

export interface PrometheusSource {
  readonly baseUrl: string;
  /** The latest value of every dcgm series, grouped by scrape target. */
  poll(): Promise<PrometheusPollResult>;
  /** History of the (selected) dcgm series via query_range, for the buffers of a view that opens. */
  backfill(req: PrometheusBackfillRequest): Promise<PrometheusBackfillResult>;
  close(): Promise<void>;
}

/** Thrown by createPrometheusSource for a configuration that cannot work. */
export class PrometheusConfigError extends Error {
  constructor(
    message: string,
    readonly remedy: string,
  ) {
    super(message);
  }
}

/** Server-side filter for dcgm-exporter's names (legacy and 4.x `DCGM_FI_*`, 1.x `dcgm_*`). */
const DCGM_NAME_MATCHER = '__name__=~"DCGM_FI_.+|dcgm_.+"';
/** Prometheus' default lookback: a series with no sample this recent is not current. */
const LOOKBACK_MS = 5 * 60_000;
const REDISCOVER_MS = 60_000;
/**
 * Queries are evaluated this far in the past, so a scrape that started before the evaluation
 * instant has been committed by the time the last query runs and no target is read half old,
 * half new.
 */
const EVALUATION_DELAY_MS = 1_000;
const CONCURRENCY = 4;
/**
 * Readings every GPU and MIG instance reports, so their family is present on every target.
 * Timing the scrapes with one family costs one family's evaluation; combining all families
 * (`or`, since timestamp() drops the name) cost as much as every family query together.
 */
const CLOCK_FIELDS = ['gpuTempC', 'powerWatts'];
const MAX_POINTS_PER_SERIES = 11_000;
const DEFAULT_TIMEOUT_MS = 15_000;

export function createPrometheusSource(cfg: PrometheusSourceConfig): PrometheusSource {
  const base = normaliseBaseUrl(cfg.baseUrl);
  if (!base.ok) throw new PrometheusConfigError(base.message, 'enter the Prometheus server address, e.g. http://prometheus:9090');
  const selector = parseSelector(cfg.selector);
  if (!selector.ok) throw new PrometheusConfigError(selector.message, selector.remedy);
  const baseUrl = base.url;
  const matchers = selector.matchers;
  const serverHost = new URL(baseUrl).hostname;
  const scraper = createScraper({ connectionsPerOrigin: CONCURRENCY });
  const api = createApiClient(scraper, {
    baseUrl,
    timeoutMs: cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: cfg.maxBytes,
    auth: cfg.auth,
    tls: cfg.tls,
    headers: cfg.headers,
  });
  let names: string[] = [];
  let discoveredAt = -Infinity;

  const seconds = (ms: number) => (ms / 1000).toFixed(3);

  /** The dcgm metric names with a sample in the lookback window before `at`. */
  async function discover(at: number, withMatchers: string, stats: RequestStats): Promise<{ ok: true; names: string[]; query: string; warnings: string[] } | Omit<PrometheusFailure, 'durationMs'>> {
    const match = joinMatchers(DCGM_NAME_MATCHER, withMatchers);
    const res = await api.get(
      {
        path: '/api/v1/label/__name__/values',
        params: [
          ['match[]', match],
          ['start', seconds(at - LOOKBACK_MS)],
          ['end', seconds(at)],
        ],
        query: match,
      },
      stats,
    );
    if (!res.ok) return res;
    if (!Array.isArray(res.data)) return badShape(match, 'expected a list of metric names');
    return { ok: true, names: res.data.map(String).filter(isDcgmMetricName).sort(), query: match, warnings: res.warnings };
  }

  function badShape(query: string, why: string): Omit<PrometheusFailure, 'durationMs'> {
    return {
      ok: false,
      state: 'parse-error',
      message: `unexpected Prometheus API answer from ${baseUrl} to ${query}: ${why}`,
      remedy: 'check that the base URL points at a Prometheus-compatible server',
      query,
    };
  }

  async function poll(): Promise<PrometheusPollResult> {
    const started = performance.now();
    const stats: RequestStats = { requests: 0, bytes: 0 };
    const finish = (failure: Omit<PrometheusFailure, 'durationMs'>): PrometheusFailure => ({ ...failure, durationMs: performance.now() - started });
    const at = Date.now() - EVALUATION_DELAY_MS;
    const warnings: string[] = [];

    if (names.length === 0 || at - discoveredAt > REDISCOVER_MS) {
      const found = await discover(at, matchers, stats);
      if (!found.ok) return finish(found);
      warnings.push(...found.warnings);
      names = found.names;
      discoveredAt = at;
      if (names.length === 0) {
        const notice = await noSeriesNotice(at, found.query, stats);
        if ('state' in notice) return finish(notice);
        return { ok: true, evaluatedAt: at, batches: [], notice, warnings, stats: { ...stats, samples: 0, durationMs: performance.now() - started } };
      }
    }

    const builder = new BatchBuilder();
    // Each target's scrape time: timestamp() of a bare selector gives the samples' own time.
    // One family stands for the whole scrape (all samples of a scrape share its timestamp).
    const clockQuery = `max by (instance, job) (timestamp(${seriesSelector(clockFamily(names), matchers)}))`;
    let clock = new Map<string, number>();
    const requests: Array<{ req: ApiRequest; use: (data: unknown) => string | null }> = [
      {
        req: instant(clockQuery, at),
        use: (data) => {
          const read = readTimestamps(data);
          if (typeof read === 'string') return read;
          clock = read;
          return null;
        },
      },
      ...names.map((name) => {
        const query = seriesSelector(name, matchers);
        return { req: instant(query, at), use: (data: unknown) => addVector(data, builder) };
      }),
    ];
    const failure = await runAll(requests, stats, warnings);
    if (failure) return finish(failure);

    const batches = builder.build((key) => clock.get(key), at, serverHost);
    const notice: PrometheusNotice | null =
      batches.length === 0
        ? {
            message: `${baseUrl} knows ${names.length} dcgm metrics but none has a sample in the ${LOOKBACK_MS / 60_000} minutes before ${new Date(at).toISOString()} for ${joinMatchers(DCGM_NAME_MATCHER, matchers)}`,
            remedy: 'the exporters stopped being scraped: check the Prometheus targets page for the dcgm-exporter job',
            query: seriesSelector(names[0], matchers),
          }
        : null;
    if (notice) discoveredAt = -Infinity;
    return {
      ok: true,
      evaluatedAt: at,
      batches,
      notice,
      warnings,
      stats: { ...stats, samples: builder.samples, durationMs: performance.now() - started },
    };
  }

  /** Says which query found nothing and, with a selector, whether the selector is why. */
  async function noSeriesNotice(at: number, query: string, stats: RequestStats): Promise<PrometheusNotice | Omit<PrometheusFailure, 'durationMs'>> {
    const message = `${baseUrl} has no dcgm-exporter series: the query ${query} found no metric with a sample in the last ${LOOKBACK_MS / 60_000} minutes`;
    if (!matchers) {
      return { message, query, remedy: 'check that this Prometheus scrapes dcgm-exporter (its targets page lists the job) and that the exporters are up' };
    }
    const unfiltered = await discover(at, '', stats);
    if (!unfiltered.ok) return unfiltered;
    if (unfiltered.names.length === 0) {
      return { message, query, remedy: 'this Prometheus has no dcgm series at all, with or without the selector: check that it scrapes dcgm-exporter' };
    }
    return {
      message: `${message}; without the selector it finds ${unfiltered.names.length}, so the selector {${matchers}} excludes them all`,
      query,
      remedy: 'correct the selector: check its label names and values against a dcgm series in the Prometheus UI',
    };
  }

  function instant(query: string, at: number): ApiRequest {
    return {
      path: '/api/v1/query',
      params: [
        ['query', query],
        ['time', seconds(at)],
        // VictoriaMetrics moves an instant query's time 30 s back (-search.latencyOffset), so a
        // fresh start shows nothing for 30 s and then always 30-s-old data; `nocache=1` keeps the
        // time asked for, in every VM version (the `latency_offset` argument came only in 1.85.2).
        // Prometheus, Thanos and Mimir ignore the argument. The scrape clock query reads each
        // sample's own time, so the age shown stays true either way.
        ['nocache', '1'],
      ],
      query,
    };
  }

  /** Runs the requests CONCURRENCY at a time; the first failure stops the rest. */
  async function runAll(
    requests: Array<{ req: ApiRequest; use: (data: unknown) => string | null }>,
    stats: RequestStats,
    warnings: string[],
  ): Promise<Omit<PrometheusFailure, 'durationMs'> | null> {
    let next = 0;
    let failure: Omit<PrometheusFailure, 'durationMs'> | null = null;
    const worker = async () => {
      while (!failure && next < requests.length) {
        const { req, use } = requests[next++];
        const res = await api.get(req, stats);
        if (failure) return;
        if (!res.ok) {
          failure = res;
          return;
        }
        warnings.push(...res.warnings);
        const bad = use(res.data);
        if (bad) failure = badShape(req.query, bad);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests.length) }, worker));
    return failure;
  }

  async function backfill(req: PrometheusBackfillRequest): Promise<PrometheusBackfillResult> {
    const started = performance.now();
    const stats: RequestStats = { requests: 0, bytes: 0 };
    const finish = (failure: Omit<PrometheusFailure, 'durationMs'>): PrometheusFailure => ({ ...failure, durationMs: performance.now() - started });
    const warnings: string[] = [];
    const span = Math.max(0, req.toMs - req.fromMs);
    const stepMs = Math.max(req.stepMs, Math.ceil(span / (MAX_POINTS_PER_SERIES - 1)), 1);

    if (names.length === 0 || Date.now() - discoveredAt > REDISCOVER_MS) {
      const found = await discover(req.toMs, matchers, stats);
      if (!found.ok) return finish(found);
      warnings.push(...found.warnings);
      names = found.names;
      discoveredAt = Date.now();
    }
    const uuids = req.uuids?.filter((u) => u !== '');
    if (uuids && uuids.length === 0) return { ok: true, stepMs, frames: [], warnings, stats: { ...stats, samples: 0, durationMs: performance.now() - started } };
    // The UUID label is spelled per exporter generation (`UUID`, 1.x `uuid`): match either.
    const uuidMatchers = uuids ? LABEL_ALIASES.uuid.map((label) => `${label}=~${quote(regexAlternation(uuids))}`) : [''];

    const frames = new Map<number, BatchBuilder>();
    const requests = names.map((name) => {
      const query = uuidMatchers.map((m) => seriesSelector(name, [matchers, m].filter(Boolean).join(','))).join(' or ');
      return {
        req: {
          path: '/api/v1/query_range',
          params: [
            ['query', query],
            ['start', seconds(req.fromMs)],
            ['end', seconds(req.toMs)],
            ['step', seconds(stepMs)],
            // VictoriaMetrics replaces the points of its last 30 s (-search.latencyOffset) with
            // copies of the one before; from 1.85.2 this argument narrows that to 1 s (older
            // versions and other servers ignore it). Live polls cover the recent span anyway:
            // history keeps backfilled points only where no polled point exists.
            ['latency_offset', '1s'],
          ] as Array<[string, string]>,
          query,
        },
        use: (data: unknown) => addMatrix(data, frames),
      };
    });
    const failure = await runAll(requests, stats, warnings);
    if (failure) return finish(failure);
    let samples = 0;
    const out = [...frames.entries()]
      .sort(([a], [b]) => a - b)
      .map(([observedAt, builder]) => {
        samples += builder.samples;
        return { observedAt, batches: builder.build(() => observedAt, observedAt, serverHost) };
      });
    return { ok: true, stepMs, frames: out, warnings, stats: { ...stats, samples, durationMs: performance.now() - started } };
  }

  return {
    baseUrl,
    poll,
    backfill,
    close: () => scraper.close(),
  };
}

/** The family whose sample times stand for each target's scrape time. */
function clockFamily(names: readonly string[]): string {
  for (const field of CLOCK_FIELDS) {
    const name = names.find((n) => METRIC_ALIASES.get(n)?.field === field);
    if (name) return name;
  }
  return names[0];
}
