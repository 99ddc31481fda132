// PulseService: the one object every front end talks to (DESIGN.md §4). It owns the targets,
// drives scrape -> parse -> translate/compute -> history -> publish, and batches the changes
// into ticks. It never imports electron; the desktop app and serve mode both compose it.
import type { AddTargetRequest, AppInfo, HistoryRequest, HistoryResponse, PulseApi, TargetInfo, TargetState, Tick } from '../../shared/api';
import { HISTORY_FIELDS } from '../../shared/api';
import type { GpuSnapshot, NodeExtra } from '../../shared/gpu';
import { parseExposition, formatFromContentType } from './exposition';
import { createDcgmPipeline } from './dcgm';
import { createScraper, type Scraper, type ScrapeRequest } from './sources/http-scrape';
import { HistoryStore } from './fleet/history';
import { ScrapeScheduler } from './fleet/scheduler';
import type { TargetConfig } from './fleet/targets';
import type { SettingsStore } from './settings/store';

export const DEMO_INTERVAL_MS = 2_000;
const STALE_AFTER_INTERVALS = 3;

export interface DemoFleetHandle {
  exporters: Array<{ url: string; hostname: string }>;
  close(): Promise<void>;
}

export interface PulseServiceOptions {
  mode: AppInfo['mode'];
  version: string;
  settings: SettingsStore;
  /** `auto`: run the demo fleet while no target is configured (the desktop default). */
  demo: 'auto' | 'on' | 'off';
  /** Targets given on the command line: scraped but not persisted. */
  extraTargets?: TargetConfig[];
  startDemoFleet?: () => Promise<DemoFleetHandle>;
  resolveAuth?: (target: TargetConfig) => Promise<ScrapeRequest['auth']>;
  scraper?: Scraper;
  concurrency?: number;
  /** Delay that coalesces changes into one tick. */
  tickBatchMs?: number;
  now?: () => number;
}

interface TargetRuntime {
  config: TargetConfig;
  demo: boolean;
  persisted: boolean;
  info: TargetInfo;
  pipeline: ReturnType<typeof createDcgmPipeline>;
  gpuKeys: Set<string>;
}

export class PulseService implements PulseApi {
  private readonly targets = new Map<string, TargetRuntime>();
  private readonly gpus = new Map<string, GpuSnapshot>();
  private readonly extras = new Map<string, NodeExtra[]>();
  private readonly listeners = new Set<(tick: Tick) => void>();
  private readonly history = new HistoryStore({ fields: [...HISTORY_FIELDS], rawWindowMs: 3_600_000, rawStepMs: DEMO_INTERVAL_MS });
  private readonly scraper: Scraper;
  private readonly scheduler: ScrapeScheduler;
  private readonly now: () => number;
  private demoFleet: DemoFleetHandle | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private pending: { gpus: Map<string, GpuSnapshot>; removedGpus: Set<string>; targets: Set<string>; removedTargets: Set<string> } = emptyPending();
  private flushTimer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly opts: PulseServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.scraper = opts.scraper ?? createScraper();
    this.scheduler = new ScrapeScheduler({
      concurrency: opts.concurrency ?? 64,
      jitterRatio: 0.1,
      run: (target: TargetConfig) => this.scrapeTarget(target.id),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const configured = this.opts.settings.load().targets;
    for (const config of configured) this.addRuntime(config, { persisted: true, demo: false });
    for (const config of this.opts.extraTargets ?? []) this.addRuntime(config, { persisted: false, demo: false });
    const wantDemo = this.opts.demo === 'on' || (this.opts.demo === 'auto' && this.targets.size === 0);
    if (wantDemo) await this.startDemo();
    this.scheduler.start();
    this.staleTimer = setInterval(() => this.markStaleTargets(), 1000);
    this.staleTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.scheduler.stop();
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.stopDemo();
    await this.scraper.close();
  }

  // ---- PulseApi ----

  async getAppInfo(): Promise<AppInfo> {
    return { version: this.opts.version, mode: this.opts.mode, demo: this.demoFleet !== null };
  }

  async getTargets(): Promise<TargetInfo[]> {
    return [...this.targets.values()].map((t) => ({ ...t.info }));
  }

  async getGpus(): Promise<GpuSnapshot[]> {
    return [...this.gpus.values()];
  }

  async getHistory(req: HistoryRequest): Promise<HistoryResponse> {
    const to = this.now();
    const from = to - (req.windowMs ?? 15 * 60_000);
    const series: HistoryResponse['series'] = {};
    for (const key of req.keys) {
      if (!this.gpus.has(key)) continue;
      const result = this.history.query(key, req.fields, from, to);
      series[key] = { t: result.t, values: result.series };
    }
    return { series };
  }

  async addTarget(req: AddTargetRequest): Promise<TargetInfo> {
    const url = new URL(req.url).toString();
    const duplicate = [...this.targets.values()].find((t) => !t.demo && t.config.url === url);
    if (duplicate) throw new Error(`${url} is already a target ("${duplicate.info.name}")`);
    const config = makeTargetConfig({ url, name: req.name, group: req.group, intervalMs: req.intervalMs });
    // The demo fleet stands in only while nothing is configured.
    if (this.opts.demo === 'auto') await this.stopDemo();
    const runtime = this.addRuntime(config, { persisted: true, demo: false });
    this.persistTargets();
    return { ...runtime.info };
  }

  async removeTarget(id: string): Promise<void> {
    const runtime = this.targets.get(id);
    if (!runtime) throw new Error(`no target with id ${id}`);
    this.removeRuntime(runtime);
    if (runtime.persisted) this.persistTargets();
  }

  async setPinned(targetId: string, pinned: boolean): Promise<TargetInfo> {
    const runtime = this.targets.get(targetId);
    if (!runtime) throw new Error(`no target with id ${targetId}`);
    runtime.config = { ...runtime.config, pinned };
    runtime.info = { ...runtime.info, pinned };
    if (runtime.persisted) this.persistTargets();
    this.queueTarget(runtime);
    return { ...runtime.info };
  }

  onTick(listener: (tick: Tick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Scrape duration etc. for self-metrics and tests. */
  historyBytes(): number {
    return this.history.bytes();
  }

  // ---- pipeline ----

  private async scrapeTarget(id: string): Promise<'ok' | 'failed'> {
    const runtime = this.targets.get(id);
    if (!runtime) return 'failed';
    const { config } = runtime;
    const auth = this.opts.resolveAuth ? await this.opts.resolveAuth(config) : undefined;
    const result = await this.scraper.scrape({ url: config.url, timeoutMs: config.timeoutMs, auth, tls: config.tls, headers: config.headers });
    if (!this.targets.has(id)) return 'failed';
    if (!result.ok) {
      this.recordFailure(runtime, result.state, result.message, result.remedy, result.durationMs);
      return 'failed';
    }
    if (result.body.length === 0) {
      this.recordFailure(
        runtime,
        'down',
        `empty body (HTTP ${result.status}, 0 bytes) from ${config.url}`,
        'dcgm-exporter answers an empty body for a few seconds while it reloads its configuration; if it lasts, check the exporter',
        result.durationMs,
      );
      return 'failed';
    }
    const parsed = parseExposition(result.body, { format: formatFromContentType(result.contentType), mode: 'lenient' });
    const firstError = parsed.problems.find((p) => p.severity === 'error');
    if (firstError || parsed.families.length === 0) {
      const why = firstError ? `line ${firstError.line}, column ${firstError.column}: ${firstError.message}` : 'no metric families in the body';
      this.recordFailure(
        runtime,
        'parse-error',
        `not Prometheus exposition text from ${config.url} (${why})`,
        'check that the URL is a metrics endpoint such as http://host:9400/metrics',
        result.durationMs,
      );
      return 'failed';
    }
    const observedAt = this.now();
    const out = runtime.pipeline.ingest(parsed.families, { sourceId: id, fallbackNode: new URL(config.url).hostname, observedAt });
    const seen = new Set<string>();
    for (const gpu of out.gpus) {
      seen.add(gpu.key);
      this.gpus.set(gpu.key, gpu);
      this.history.push(gpu.key, observedAt, historyValues(gpu));
      this.pending.gpus.set(gpu.key, gpu);
    }
    for (const key of runtime.gpuKeys) if (!seen.has(key)) this.dropGpu(key);
    runtime.gpuKeys = seen;
    this.extras.set(id, out.extras);
    const nodes = [...new Set(out.gpus.map((g) => g.node))].sort();
    runtime.info = {
      ...runtime.info,
      state: 'up',
      lastScrapeAt: observedAt,
      lastSuccessAt: observedAt,
      lastError: out.gpus.length === 0 ? `no dcgm GPU series at ${config.url}` : null,
      remedy: out.gpus.length === 0 ? 'point the target at a dcgm-exporter (default port 9400)' : null,
      lastDurationMs: result.durationMs,
      gpuCount: out.gpus.length,
      nodes,
    };
    this.queueTarget(runtime);
    return 'ok';
  }

  private recordFailure(runtime: TargetRuntime, state: TargetState, message: string, remedy: string, durationMs: number): void {
    // The last data stays visible (with its age); the state says why it is not fresh.
    runtime.info = { ...runtime.info, state, lastScrapeAt: this.now(), lastError: message, remedy, lastDurationMs: durationMs };
    this.queueTarget(runtime);
  }

  private markStaleTargets(): void {
    const now = this.now();
    for (const runtime of this.targets.values()) {
      const { info } = runtime;
      if (info.state !== 'up' || info.lastSuccessAt === null) continue;
      const ageMs = now - info.lastSuccessAt;
      if (ageMs > STALE_AFTER_INTERVALS * info.intervalMs) {
        runtime.info = { ...info, state: 'stale', lastError: `no fresh data for ${Math.round(ageMs / 1000)} s (${STALE_AFTER_INTERVALS} intervals)`, remedy: 'the exporter is slow to answer or the scrape queue is saturated' };
        this.queueTarget(runtime);
      }
    }
  }

  // ---- targets ----

  private addRuntime(config: TargetConfig, flags: { persisted: boolean; demo: boolean }): TargetRuntime {
    const runtime: TargetRuntime = {
      config,
      demo: flags.demo,
      persisted: flags.persisted,
      pipeline: createDcgmPipeline(),
      gpuKeys: new Set(),
      info: {
        id: config.id,
        url: config.url,
        name: config.name,
        group: config.group ?? null,
        state: 'pending',
        lastScrapeAt: null,
        lastSuccessAt: null,
        lastError: null,
        remedy: null,
        lastDurationMs: null,
        gpuCount: 0,
        intervalMs: config.intervalMs,
        pinned: config.pinned ?? false,
        demo: flags.demo,
        nodes: [],
      },
    };
    this.targets.set(config.id, runtime);
    this.scheduler.upsert(config);
    this.queueTarget(runtime);
    return runtime;
  }

  private removeRuntime(runtime: TargetRuntime): void {
    this.scheduler.remove(runtime.config.id);
    this.targets.delete(runtime.config.id);
    for (const key of runtime.gpuKeys) this.dropGpu(key);
    this.extras.delete(runtime.config.id);
    this.pending.targets.delete(runtime.config.id);
    this.pending.removedTargets.add(runtime.config.id);
    this.scheduleFlush();
  }

  private dropGpu(key: string): void {
    this.gpus.delete(key);
    this.history.remove(key);
    this.pending.gpus.delete(key);
    this.pending.removedGpus.add(key);
    this.scheduleFlush();
  }

  private persistTargets(): void {
    const targets = [...this.targets.values()].filter((t) => t.persisted).map((t) => t.config);
    this.opts.settings.update((s) => ({ ...s, targets }));
  }

  private async startDemo(): Promise<void> {
    if (!this.opts.startDemoFleet || this.demoFleet) return;
    this.demoFleet = await this.opts.startDemoFleet();
    for (const exporter of this.demoFleet.exporters) {
      this.addRuntime(makeTargetConfig({ url: exporter.url, name: exporter.hostname, intervalMs: DEMO_INTERVAL_MS, id: `demo-${exporter.hostname}` }), {
        persisted: false,
        demo: true,
      });
    }
  }

  private async stopDemo(): Promise<void> {
    if (!this.demoFleet) return;
    for (const runtime of [...this.targets.values()]) if (runtime.demo) this.removeRuntime(runtime);
    const fleet = this.demoFleet;
    this.demoFleet = null;
    await fleet.close();
  }

  // ---- ticks ----

  private queueTarget(runtime: TargetRuntime): void {
    this.pending.targets.add(runtime.config.id);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), this.opts.tickBatchMs ?? 100);
  }

  private flush(): void {
    this.flushTimer = null;
    const pending = this.pending;
    this.pending = emptyPending();
    const tick: Tick = {
      at: this.now(),
      gpus: [...pending.gpus.values()],
      removedGpus: [...pending.removedGpus],
      targets: [...pending.targets].map((id) => this.targets.get(id)?.info).filter((t): t is TargetInfo => t !== undefined),
      removedTargets: [...pending.removedTargets],
    };
    for (const listener of this.listeners) {
      try {
        listener(tick);
      } catch {
        // A broken subscriber must not stop the others or the pipeline.
      }
    }
  }
}

function emptyPending() {
  return { gpus: new Map<string, GpuSnapshot>(), removedGpus: new Set<string>(), targets: new Set<string>(), removedTargets: new Set<string>() };
}

function historyValues(gpu: GpuSnapshot): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const field of HISTORY_FIELDS) {
    values[field] = field === 'realUtil' ? gpu.realUtil : (gpu.readings[field] ?? null);
  }
  return values;
}

let nextTargetSeq = 0;

/** A target config with defaults; the id is stable for the URL so restarts keep pins and history keys. */
export function makeTargetConfig(input: { url: string; name?: string; group?: string; intervalMs?: number; id?: string }): TargetConfig {
  const url = new URL(input.url);
  return {
    id: input.id ?? `t-${Date.now().toString(36)}-${(nextTargetSeq++).toString(36)}`,
    url: url.toString(),
    name: input.name ?? url.host,
    group: input.group,
    intervalMs: input.intervalMs ?? 15_000,
    timeoutMs: 10_000,
    pinned: false,
  } as TargetConfig;
}
