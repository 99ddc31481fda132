// GET requests to a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics),
// through the same scraper as exporter targets so auth, TLS, deadlines and size caps behave the
// same. Every failure names the query it was for and says what to do.
import { STATUS_CODES } from 'node:http';
import type { Scraper, ScrapeRequest } from '../http-scrape/scraper';

export type PrometheusFailureState = 'down' | 'unauthorized' | 'tls-error' | 'timeout' | 'too-large' | 'parse-error';

export interface PrometheusFailure {
  ok: false;
  state: PrometheusFailureState;
  message: string;
  remedy: string;
  /** The PromQL expression or series selector the failing request carried. */
  query?: string;
  status?: number;
  durationMs: number;
}

export interface RequestStats {
  requests: number;
  /** Response bytes after decompression (the JSON the client parsed). */
  bytes: number;
}

export interface ApiRequest {
  /** Path under the base URL, e.g. `/api/v1/query`. */
  path: string;
  params: Array<[string, string]>;
  /** The expression or selector this request carries, named in messages. */
  query: string;
}

export type ApiResponse = { ok: true; data: unknown; warnings: string[] } | Omit<PrometheusFailure, 'durationMs'>;

/**
 * How to reach a Prometheus-compatible server, as every feature that talks to one (the source,
 * discovery, accounting) is configured: one shape, so auth and TLS options mean the same in each.
 */
export interface PrometheusServer {
  /** Server root, e.g. http://prometheus:9090 (with its route prefix, if any). */
  baseUrl: string;
  /** Deadline of each HTTP request; each feature has its own default. */
  timeoutMs?: number;
  auth?: ScrapeRequest['auth'];
  tls?: ScrapeRequest['tls'];
  headers?: Record<string, string>;
}

export interface ApiClientOptions {
  /** Normalised base URL without a trailing slash. */
  baseUrl: string;
  timeoutMs: number;
  maxBytes?: number;
  auth?: ScrapeRequest['auth'];
  tls?: ScrapeRequest['tls'];
  headers?: Record<string, string>;
}

const NARROW = 'narrow the selector (for example {cluster="a100-pool"}) so each query covers fewer series';

export function createApiClient(scraper: Scraper, opts: ApiClientOptions) {
  async function get(req: ApiRequest, stats: RequestStats): Promise<ApiResponse> {
    const url = new URL(opts.baseUrl + req.path);
    for (const [k, v] of req.params) url.searchParams.append(k, v);
    const href = url.toString();
    const endpoint = opts.baseUrl + req.path;
    stats.requests++;
    const result = await scraper.scrape({
      url: href,
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes,
      auth: opts.auth,
      tls: opts.tls,
      headers: opts.headers,
      accept: 'application/json',
    });
    if (!result.ok) {
      if (result.status !== undefined) return statusFailure(result.status, endpoint, req.query, result.state === 'unauthorized' ? result : null);
      const message = result.message.split(href).join(endpoint);
      return {
        ok: false,
        state: result.state,
        message: `${message} (query ${req.query})`,
        remedy: result.state === 'too-large' ? `${NARROW}, or raise the response size limit` : result.remedy,
        query: req.query,
      };
    }
    stats.bytes += result.bytes;
    let envelope: unknown;
    try {
      envelope = JSON.parse(result.body.toString('utf8'));
    } catch (error) {
      return notApi(endpoint, req.query, `the body is not JSON (${(error as Error).message}; content type ${result.contentType ?? 'none'})`);
    }
    if (!isObject(envelope) || (envelope.status !== 'success' && envelope.status !== 'error')) {
      return notApi(endpoint, req.query, 'the JSON has no "status" field');
    }
    if (envelope.status === 'error') {
      return {
        ok: false,
        state: 'parse-error',
        message: `Prometheus answered an error to ${req.query}: ${String(envelope.errorType ?? 'error')}: ${String(envelope.error ?? '')}`,
        remedy: 'check the selector and the server logs',
        query: req.query,
      };
    }
    const warnings = Array.isArray(envelope.warnings) ? envelope.warnings.map(String) : [];
    return { ok: true, data: envelope.data, warnings };
  }

  return { get };
}

/**
 * The scraper does not read error bodies (a large or slow error page would hold the slot), so
 * the Prometheus `errorType` is inferred from the status the API documents for it: 400 bad
 * parameters, 422 an expression that cannot be executed (in practice a limit such as
 * --query.max-samples), 503 a query timeout or abort.
 */
function statusFailure(
  status: number,
  endpoint: string,
  query: string,
  auth: { message: string; remedy: string } | null,
): Omit<PrometheusFailure, 'durationMs'> {
  const text = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  const base = { ok: false as const, status, query };
  if (auth) {
    const challenge = /\(server asks for [^)]*\)/.exec(auth.message)?.[0];
    return {
      ...base,
      state: 'unauthorized',
      message: `${endpoint} answered ${text}${challenge ? ` ${challenge}` : ''} to ${query}`,
      remedy:
        status === 401
          ? 'set the Prometheus credentials for this source (basic auth or bearer token)'
          : 'the credentials were refused: check the user name, password or token and its permissions',
    };
  }
  switch (status) {
    case 400:
      return {
        ...base,
        state: 'parse-error',
        message: `${endpoint} rejected ${query} as invalid (${text})`,
        remedy: 'check the selector, in particular its regular expressions; the server log names the error',
      };
    case 422:
      return {
        ...base,
        state: 'too-large',
        message: `${endpoint} refused to execute ${query} (${text}): the query exceeds a server limit, most likely --query.max-samples`,
        remedy: `${NARROW}, or raise the server's --query.max-samples (Mimir, Thanos and VictoriaMetrics have their own per-query limits)`,
      };
    case 503:
      return {
        ...base,
        state: 'timeout',
        message: `${endpoint} answered ${text} to ${query}: Prometheus answers this when a query times out or is aborted (a proxy answers it when the server is down)`,
        remedy: `${NARROW}, or raise the server's --query.timeout; if the server is down, start it`,
      };
    case 404:
      return {
        ...base,
        state: 'down',
        message: `${endpoint} answered ${text}: no Prometheus HTTP API at this address`,
        remedy: 'set the base URL to the server root, e.g. http://prometheus:9090 (include its --web.route-prefix; /prometheus for Mimir)',
      };
    default:
      return {
        ...base,
        state: 'down',
        message: `${endpoint} answered ${text} to ${query}`,
        remedy: status >= 500 ? 'check the server and its logs' : 'check the base URL and the proxy in front of the server',
      };
  }
}

function notApi(endpoint: string, query: string, why: string): Omit<PrometheusFailure, 'durationMs'> {
  return {
    ok: false,
    state: 'parse-error',
    message: `not a Prometheus API response from ${endpoint} to ${query} (${why})`,
    remedy: 'set the base URL to the Prometheus server root, e.g. http://prometheus:9090, not a Grafana or exporter page',
    query,
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalises a user-entered base URL; returns an error text for a URL that cannot work. */
export function normaliseBaseUrl(raw: string): { ok: true; url: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: `invalid Prometheus URL ${JSON.stringify(raw)}: use one such as http://prometheus:9090` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `unsupported scheme ${url.protocol} in ${raw}: use http:// or https://` };
  }
  if (url.search || url.hash) return { ok: false, message: `the Prometheus URL ${raw} must not carry a query or fragment` };
  // A pasted API or UI address still names the server: keep the part before it.
  const path = url.pathname.replace(/\/(api\/v1|graph)(\/.*)?$/, '').replace(/\/+$/, '');
  return { ok: true, url: `${url.origin}${path}` };
}
