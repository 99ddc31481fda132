// Pushing GPU Pulse's metrics to a Prometheus Pushgateway (after a batch job, from a node
// without a scrape path). The body is prom-client's rendering of the registry; the HTTP side
// is written here because prom-client's Pushgateway class percent-encodes the job and grouping
// values instead of using the Pushgateway's `@base64` form, so a value with `/` or an empty
// value produces a wrong path, and it has no place for a custom CA or client certificate on
// its URL-parsing code path.
//
// Semantics (Pushgateway README, "API"):
//   PUT    /metrics/job/<job>{/<label>/<value>}  replace every metric in the group
//   POST   same path                             replace only the metric names pushed
//   DELETE same path                             delete the whole group
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';

export type PushMethod = 'replace' | 'add' | 'delete';

const HTTP_METHOD: Record<PushMethod, 'PUT' | 'POST' | 'DELETE'> = { replace: 'PUT', add: 'POST', delete: 'DELETE' };

export interface PushTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
}

export interface PushOptions {
  /** Base URL of the Pushgateway, e.g. http://pushgateway:9091 (a path prefix is kept). */
  gateway: string;
  job: string;
  /** Grouping key labels besides `job`, in path order. */
  grouping?: Array<[string, string]>;
  method: PushMethod;
  auth?: { username: string; password: string };
  tls?: PushTls;
  timeoutMs?: number;
}

export class PushError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * One `/<label>/<value>` pair of a grouping key. Values that cannot be a path segment as they
 * are (containing `/`, or empty) use `<label>@base64/<base64url>`, with `=` standing for the
 * empty value, which the Pushgateway defines for exactly these cases.
 */
export function groupingSegment(label: string, value: string): string {
  if (value === '') return `/${label}@base64/=`;
  if (value.includes('/')) return `/${label}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `/${label}/${encodeURIComponent(value)}`;
}

export function groupingPath(job: string, grouping: Array<[string, string]> = []): string {
  if (job === '') throw new PushError('the job name must not be empty');
  const seen = new Set<string>(['job']);
  let path = `/metrics${groupingSegment('job', job)}`;
  for (const [label, value] of grouping) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new PushError(`grouping label "${label}" is not a valid label name`);
    if (seen.has(label)) throw new PushError(label === 'job' ? 'the job goes in --job, not in the grouping key' : `grouping label "${label}" is given twice`);
    seen.add(label);
    path += groupingSegment(label, value);
  }
  return path;
}

/** `k=v` arguments as grouping pairs. */
export function parseGroupingArgs(args: string[]): Array<[string, string]> {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new PushError(`--grouping must be LABEL=VALUE, got "${arg}"`);
    return [arg.slice(0, eq), arg.slice(eq + 1)];
  });
}

async function readOptional(path: string | undefined, what: string): Promise<string | undefined> {
  if (!path) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new PushError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Sends one push (or delete) and resolves with the gateway's status; rejects with PushError
 * carrying the gateway's own message (it explains inconsistent or invalid metrics).
 */
export async function pushToGateway(opts: PushOptions, body?: string): Promise<{ status: number; url: string }> {
  let base: URL;
  try {
    base = new URL(opts.gateway);
  } catch {
    throw new PushError(`--gateway "${opts.gateway}" is not a URL; expected e.g. http://pushgateway:9091`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new PushError(`--gateway must be an http:// or https:// URL, got ${base.protocol}`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = `${base.origin}${prefix}${groupingPath(opts.job, opts.grouping)}`;
  const method = HTTP_METHOD[opts.method];
  if (method !== 'DELETE' && body === undefined) throw new PushError('nothing to push');

  const headers: Record<string, string> = {};
  if (method !== 'DELETE') headers['content-type'] = 'text/plain; version=0.0.4; charset=utf-8';
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
  const tls = opts.tls ?? {};
  const dispatcher = new Agent({
    connect: {
      ca: await readOptional(tls.caFile, 'CA file'),
      cert: await readOptional(tls.certFile, 'client certificate'),
      key: await readOptional(tls.keyFile, 'client key'),
      rejectUnauthorized: tls.insecureSkipVerify !== true,
    },
  });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    const response = await request(url, {
      method,
      headers,
      body: method === 'DELETE' ? undefined : body,
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    if (response.statusCode === 401) throw new PushError(`${url}: 401 Unauthorized; give --username and --password-file`, 401);
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new PushError(`${url}: HTTP ${response.statusCode}: ${text.trim() || 'no message'}`, response.statusCode);
    }
    return { status: response.statusCode, url };
  } catch (err) {
    if (err instanceof PushError) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new PushError(`${method} ${url} failed: ${detail}${/CERT|SSL|TLS|VERIFY|SIGNATURE|SELF_SIGNED/i.test(String(detail)) ? ' (check --ca-file, or --insecure-skip-verify for a test gateway)' : ''}`);
  } finally {
    await dispatcher.close();
  }
}
