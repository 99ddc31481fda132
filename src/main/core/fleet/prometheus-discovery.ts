// Discovery from a Prometheus that already scrapes the fleet: its targets API lists every
// exporter it scrapes, so GPU Pulse can adopt them and scrape them directly, faster than the
// server's own interval, without anyone copying the list by hand. With a job name the targets of
// that scrape job are adopted; without one, each target's scrape URL is probed once and adopted
// when it serves DCGM metrics (a Prometheus usually scrapes many other exporters). The list is
// followed every minute: nodes added to or removed from the Prometheus configuration come and go.
//
// The targets API is read through the same API client as the Prometheus source (auth, TLS,
// deadlines, size caps and error messages behave alike). Adopted exporters are scraped without
// credentials: Prometheus does not reveal the ones it uses.
import { isDcgmMetricName } from '../dcgm';
import { TargetConfigSchema, type TargetConfig } from './target-config';
import { createScraper, type Scraper } from '../sources/http-scrape/scraper';
import { createApiClient, isObject, normaliseBaseUrl, type PrometheusServer, type RequestStats } from '../sources/prometheus/api';
import { currentFamilies, readFamilies } from '../sources/read-families';
import type { LiveTargetList, LiveTargetListOptions, SourceLoadStatus } from './live-target-list';

export const DISCOVERY_REFRESH_MS = 60_000;
/** A target that answered without DCGM metrics is asked again after this long (it may be redeployed). */
const NOT_DCGM_RECHECK_MS = 30 * 60_000;
const PROBE_CONCURRENCY = 8;
/**
 * The server's answer decides how many targets the fleet grows by: a misconfigured (or hostile)
 * server listing a million targets must not turn into a million scrapes.
 */
export const MAX_DISCOVERED_TARGETS = 10_000;
const PROBE_TIMEOUT_MS = 10_000;
/** A node exporter's page is far smaller; a probe must not pull a huge page from some other exporter. */
const PROBE_MAX_BYTES = 16 * 1024 * 1024;

export interface PrometheusDiscoveryOptions extends PrometheusServer, LiveTargetListOptions {
  /** Adopt the active targets of this scrape job; absent: every target that serves DCGM metrics. */
  job?: string;
  /** Interval and timeout of each adopted target (GPU Pulse's own, not the server's). */
  defaults?: Partial<Pick<TargetConfig, 'intervalMs' | 'timeoutMs'>>;
  refreshMs?: number;
  /** For the probe scrapes; default: a scraper of its own. */
  scraper?: Scraper;
}

export interface PrometheusDiscovery extends LiveTargetList {
  readonly baseUrl: string;
  refresh(): Promise<SourceLoadStatus>;
  close(): Promise<void>;
}

/** One entry of `activeTargets` in /api/v1/targets, the fields used here. */
interface ActiveTarget {
  scrapeUrl: string;
  scrapePool: string;
  labels: Record<string, string>;
}

export function discoverFromPrometheus(opts: PrometheusDiscoveryOptions): PrometheusDiscovery {
  const base = normaliseBaseUrl(opts.baseUrl);
  if (!base.ok) throw new Error(base.message);
  const baseUrl = base.url;
  const now = opts.now ?? Date.now;
  const ownScraper = opts.scraper ? null : createScraper();
  const scraper = opts.scraper ?? ownScraper!;
  const api = createApiClient(scraper, { baseUrl, timeoutMs: opts.timeoutMs ?? 15_000, auth: opts.auth, tls: opts.tls, headers: opts.headers });
  /** Probe verdicts by scrape URL: true = serves DCGM metrics; false (with time) = does not. */
  const verdicts = new Map<string, { dcgm: boolean; at: number }>();
  let status: SourceLoadStatus = { lastLoadAt: null, targetCount: 0, lastError: null };
  let lastList = '';
  let closed = false;
  let running: Promise<SourceLoadStatus> | null = null;

  const timer = setInterval(() => void refresh(), opts.refreshMs ?? DISCOVERY_REFRESH_MS);
  timer.unref?.();

  async function readTargets(): Promise<{ ok: true; targets: ActiveTarget[] } | { ok: false; message: string }> {
    const stats: RequestStats = { requests: 0, bytes: 0 };
    const res = await api.get({ path: '/api/v1/targets', params: [['state', 'active']], query: 'the active targets' }, stats);
    if (!res.ok) return { ok: false, message: `${res.message} (${res.remedy})` };
    const active = isObject(res.data) ? res.data.activeTargets : undefined;
    if (!Array.isArray(active)) return { ok: false, message: `${baseUrl}/api/v1/targets answered without an activeTargets list: not a Prometheus targets API` };
    const targets: ActiveTarget[] = [];
    for (const entry of active) {
      if (!isObject(entry) || typeof entry.scrapeUrl !== 'string' || !isObject(entry.labels)) continue;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(entry.labels)) if (typeof v === 'string') labels[k] = v;
      targets.push({ scrapeUrl: entry.scrapeUrl, scrapePool: typeof entry.scrapePool === 'string' ? entry.scrapePool : (labels.job ?? ''), labels });
    }
    return { ok: true, targets };
  }

  /** Whether the exporter at `url` serves DCGM metrics; null when it could not be asked. */
  async function servesDcgm(url: string): Promise<boolean | null> {
    const result = await scraper.scrape({ url, timeoutMs: PROBE_TIMEOUT_MS, maxBytes: PROBE_MAX_BYTES });
    if (!result.ok) return null;
    return currentFamilies(readFamilies(result.body, { contentType: result.contentType })).some((family) => isDcgmMetricName(family.name));
  }

  async function probeAll(candidates: ActiveTarget[]): Promise<ActiveTarget[]> {
    const at = now();
    const toProbe = candidates.filter((t) => {
      const verdict = verdicts.get(t.scrapeUrl);
      return !verdict || (!verdict.dcgm && at - verdict.at > NOT_DCGM_RECHECK_MS);
    });
    let next = 0;
    const worker = async () => {
      while (next < toProbe.length && !closed) {
        const target = toProbe[next++];
        const dcgm = await servesDcgm(target.scrapeUrl);
        // An exporter that is down now is asked again at the next refresh.
        if (dcgm !== null) verdicts.set(target.scrapeUrl, { dcgm, at: now() });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, toProbe.length) }, worker));
    const listed = new Set(candidates.map((t) => t.scrapeUrl));
    for (const url of verdicts.keys()) if (!listed.has(url)) verdicts.delete(url);
    return candidates.filter((t) => verdicts.get(t.scrapeUrl)?.dcgm === true);
  }

  async function refreshOnce(): Promise<SourceLoadStatus> {
    const read = await readTargets();
    if (closed) return status;
    if (!read.ok) {
      // The last adopted list stays: a Prometheus restart must not empty the fleet.
      status = { ...status, lastError: read.message };
      return status;
    }
    const job = opts.job;
    const candidates = job ? read.targets.filter((t) => t.scrapePool === job || t.labels.job === job) : read.targets;
    let notice: string | null = null;
    if (candidates.length > MAX_DISCOVERED_TARGETS) {
      notice = `${baseUrl} lists ${candidates.length} ${job ? `targets in job "${job}"` : 'targets'}; only the first ${MAX_DISCOVERED_TARGETS} are ${job ? 'adopted' : 'probed'} (name the dcgm-exporter job to narrow the list)`;
    }
    const bounded = candidates.slice(0, MAX_DISCOVERED_TARGETS);
    const adopted = job ? bounded : await probeAll(bounded);
    if (closed) return status;
    const targets = toTargetConfigs(adopted, opts.defaults ?? {});
    if (job && adopted.length === 0) {
      const jobs = [...new Set(read.targets.map((t) => t.scrapePool))].sort();
      notice = `${baseUrl} has no active target in scrape job "${job}" (its jobs: ${jobs.join(', ') || 'none'})`;
    }
    status = { lastLoadAt: now(), targetCount: targets.length, lastError: notice };
    const list = JSON.stringify(targets.map((t) => [t.id, t.name, t.group, t.intervalMs, t.timeoutMs]));
    if (list !== lastList) {
      lastList = list;
      opts.onTargets(targets);
    }
    return status;
  }

  function refresh(): Promise<SourceLoadStatus> {
    if (closed) return Promise.resolve(status);
    // A refresh already under way answers for this one too.
    running ??= refreshOnce()
      .then((result) => {
        if (!closed) opts.onStatus?.(result);
        return result;
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    baseUrl,
    refresh,
    status: () => status,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await ownScraper?.close();
    },
  };
}

/** One target per scrape URL, named by the `instance` label and grouped by `job`, as Prometheus shows them. */
function toTargetConfigs(adopted: ActiveTarget[], defaults: Partial<Pick<TargetConfig, 'intervalMs' | 'timeoutMs'>>): TargetConfig[] {
  const seen = new Set<string>();
  const targets: TargetConfig[] = [];
  for (const t of [...adopted].sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl))) {
    if (seen.has(t.scrapeUrl)) continue;
    seen.add(t.scrapeUrl);
    const parsed = TargetConfigSchema.safeParse({
      id: t.scrapeUrl,
      url: t.scrapeUrl,
      name: t.labels.instance ?? '',
      group: t.labels.job ?? t.scrapePool,
      intervalMs: defaults.intervalMs,
      timeoutMs: defaults.timeoutMs,
    });
    // A scrape URL GPU Pulse cannot scrape (another scheme) is left out rather than failing the list.
    if (parsed.success) targets.push(parsed.data);
  }
  return targets;
}
