// One HTTP scrape of an exporter endpoint, with every way it can fail turned into a state, a
// message naming the cause and a remedy. Network safety (DESIGN.md §7): one deadline covers
// connect, headers and the whole body, so a slow drip cannot hold a slot; the body is capped
// before and after gzip decompression (body.ts); TLS verification stays on unless a target
// opts out (agents.ts); failures are named in failures.ts.
import { request, type Agent } from 'undici';
import { PROMETHEUS_TEXT_ACCEPT } from '../../exposition/media-type';
import { createAgent } from './agents';
import { discard, readBody } from './body';
import { classifyError, failureResult, header, statusFailure, timeoutFailure, tooLarge, formatBytes } from './failures';
import { DEFAULT_MAX_BYTES, ScrapeFailure, type ScrapeProgress, type ScrapeRequest, type ScrapeResult, type ScrapeTls, type Scraper } from './types';

// The Accept header Prometheus 3 sends for the text formats; re-exported for callers here.
export { PROMETHEUS_TEXT_ACCEPT };
export { DEFAULT_MAX_BYTES, type ScrapeAuth, type ScrapeFailureState, type ScrapeRequest, type ScrapeResult, type ScrapeTls, type Scraper } from './types';

/** How far past our deadline undici's own timeouts sit (see scrape). */
const UNDICI_TIMEOUT_MARGIN_MS = 1000;

export function createScraper(opts: { connectionsPerOrigin?: number } = {}): Scraper {
  const connectionsPerOrigin = opts.connectionsPerOrigin ?? 2;
  // One Agent per distinct TLS configuration, so keep-alive sockets are reused across scrapes
  // and a target's client certificate never leaks onto another target's connection.
  const agents = new Map<string, Promise<Agent>>();
  let closed = false;

  function agentFor(tls: ScrapeTls | undefined): Promise<Agent> {
    const key = JSON.stringify([
      tls?.caFile ?? null,
      tls?.certFile ?? null,
      tls?.keyFile ?? null,
      tls?.insecureSkipVerify === true,
    ]);
    let agent = agents.get(key);
    if (!agent) {
      agent = createAgent(tls, connectionsPerOrigin);
      agents.set(key, agent);
      // A missing CA file today may exist tomorrow: do not cache the failure.
      agent.catch(() => agents.delete(key));
    }
    return agent;
  }

  async function scrape(req: ScrapeRequest): Promise<ScrapeResult> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    if (closed) {
      return failureResult(new ScrapeFailure('down', 'scraper is closed', 'restart the service'), elapsed());
    }
    const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    const progress: ScrapeProgress = { phase: 'connect', received: 0 };
    try {
      const url = parseUrl(req.url);
      const dispatcher = await agentFor(url.protocol === 'https:' ? req.tls : undefined);
      const response = await request(url, {
        method: 'GET',
        dispatcher,
        signal: deadline.signal,
        headers: buildHeaders(req),
        // Our deadline covers the whole exchange; these only stop undici's own defaults
        // (300 s) from being the effective limit if the signal were ever lost. They sit a
        // second past it: undici ticks timers above 1 s every 499 ms and backdates a new one to
        // the previous tick, so one equal to our deadline could fire up to 499 ms before it,
        // naming the wrong cause (a "Headers Timeout Error" instead of our deadline).
        headersTimeout: req.timeoutMs + UNDICI_TIMEOUT_MARGIN_MS,
        bodyTimeout: req.timeoutMs + UNDICI_TIMEOUT_MARGIN_MS,
      });
      progress.phase = 'body';
      const status = response.statusCode;
      if (status < 200 || status > 299) {
        // Drain nothing: reading a large or slow error page would cost the slot.
        discard(response.body);
        throw statusFailure(status, req.url, response.headers);
      }
      const declared = Number(header(response.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(response.body);
        throw tooLarge(`Content-Length ${declared} bytes exceeds the ${formatBytes(maxBytes)} cap`, maxBytes);
      }
      const encoding = (header(response.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
      const body = await readBody(response.body, encoding, maxBytes, progress);
      return {
        ok: true,
        status,
        body,
        contentType: header(response.headers, 'content-type'),
        durationMs: elapsed(),
        bytes: body.length,
      };
    } catch (error) {
      if (deadline.signal.aborted) {
        return failureResult(timeoutFailure(req, progress), elapsed());
      }
      return failureResult(classifyError(error, req), elapsed());
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    closed = true;
    const pending = [...agents.values()];
    agents.clear();
    await Promise.all(
      pending.map(async (agentPromise) => {
        const agent = await agentPromise.catch(() => null);
        // destroy, not close: close waits for in-flight requests, which may be a slow drip.
        await agent?.destroy();
      }),
    );
  }

  return { scrape, close };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ScrapeFailure('down', `invalid URL ${JSON.stringify(raw)}`, 'enter a URL such as http://node01:9400/metrics');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ScrapeFailure('down', `unsupported URL scheme ${url.protocol} in ${raw}`, 'use an http:// or https:// URL');
  }
  return url;
}

function buildHeaders(req: ScrapeRequest): Record<string, string> {
  const headers: Record<string, string> = {
    ...req.headers,
    accept: req.accept ?? PROMETHEUS_TEXT_ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': 'gpu-pulse',
  };
  const auth = req.auth;
  if (auth?.kind === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  } else if (auth?.kind === 'bearer') {
    headers.authorization = `Bearer ${auth.token}`;
  }
  return headers;
}
