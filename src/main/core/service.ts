// PulseService: the one object every front end talks to (DESIGN.md §4). It owns the targets,
// drives scrape -> parse -> translate/compute -> history -> publish, and batches the changes
// into ticks. It never imports electron; the desktop app and serve mode both compose it.
import type {
  AddSourceRequest,
  AddTargetRequest,
  AppInfo,
  HistoryRequest,
  HistoryResponse,
  InspectionComparison,
  InspectionInfo,
  InspectionSeriesPage,
  InspectionSeriesRequest,
  InspectionSource,
  InspectionSourceRequest,
  PulseBackend,
  TargetInfo,
  ExportedSnapshot,
  PushRequest,
  PushResult,
  RecordingStatus,
  ReplayControl,
  StartRecordingRequest,
  ReplayStatus,
  SourceInfo,
  TargetTestResult,
  Tick,
} from '../../shared/api';
import { HISTORY_FIELDS } from '../../shared/api';
import type { GpuSnapshot, NodeExtra } from '../../shared/gpu';

type DcgmPipeline = ReturnType<typeof createDcgmPipeline>;
import { parseExposition, formatFromContentType } from './exposition';
import { createDcgmPipeline } from './dcgm';
import { createPrometheusSource, parseSelector, type PrometheusSource } from './sources/prometheus';
import { createScraper, type Scraper, type ScrapeRequest } from './sources/http-scrape/scraper';
import { HistoryStore, type HistoryOptions } from './fleet/history';
import { DEFAULT_COALESCE_MS, ScrapeScheduler } from './fleet/scheduler';
import { TargetStateTracker } from './fleet/target-state';
import { buildScrapeRequest, createTargetRunner, type IngestOutcome, type ScrapeSuccess } from './fleet/scrape-target';
import { probeTarget } from './target-probe';
import { createSelfMetrics, type SelfMetrics } from './fleet/self-metrics';
import { DEFAULT_TIMEOUT_MS, TargetConfigSchema, toStoredTarget, type TargetConfig, type TargetInput } from './fleet/targets';
import { createServeSecretStore, type SecretRef, type SecretStore } from './fleet/secrets';
import type { SettingsStore } from './settings/store';
import { Inspector } from './inspect/inspector';
import { readRecording } from './export/recording-reader';
import { RecordingPlayer } from './export/player';
import type { Family } from './exposition/types';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { AppActions } from './export/app-actions';
import { maskUrlCredentials, prepareTargetRequest, type NamedSecrets, type PreparedTargetRequest } from './fleet/target-request';
import { parseScrapeBody } from './fleet/scrape-limits';
import { SourceRegistry, type SourceRegistryOptions } from './fleet/source-registry';
import type { SourceConfig } from './fleet/source-config';
import { WasteLedger, WasteReports } from './accounting';
import type { HeldIdleGpu, WasteReport, WasteReportRequest } from '../../shared/waste';

export const DEMO_INTERVAL_MS = 2_000;
const RUN_NOW_FLEET_SIZE = 50;

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
  /** Targets files and discoveries given on the command line: followed but not persisted. */
  extraSources?: SourceConfig[];
  /** Tests shorten the sources' re-read periods. */
  sourceTiming?: SourceRegistryOptions['timing'];
  startDemoFleet?: () => Promise<DemoFleetHandle>;
  /** Resolves the secret references in target auth (safeStorage in the app, env/file in serve). */
  secrets?: SecretStore;
  /** Secrets the operator configured by name (serve --secret); requests may choose them. */
  namedSecrets?: NamedSecrets;
  scraper?: Scraper;
  concurrency?: number;
  /** Where recordings made from the app are written (the app's data folder, serve's config folder). */
  dataDir?: string;
  /** History tiers (defaults: 1 h raw, 24 h at 1 min). */
  history?: Partial<Omit<HistoryOptions, 'fields'>>;
  /** Delay that coalesces changes into one tick. */
  tickBatchMs?: number;
  now?: () => number;
}

interface TargetRuntime {
  config: TargetConfig;
  /** Node name for series without a hostname label: host:port of a target, the source of a replay. */
  fallbackNode: string;
  demo: boolean;
  replay: boolean;
  persisted: boolean;
  /** The source (targets file, discovery) that lists this target; null for static targets. */
  source: string | null;
  pipeline: ReturnType<typeof createDcgmPipeline>;
  /** Prometheus sources: the server client and one pipeline per scraped instance (counter state). */
  prometheus: { source: PrometheusSource | null; pipelines: Map<string, DcgmPipeline>; backfilledFrom: Map<string, number> } | null;
  gpuKeys: Set<string>;
  nodes: string[];
  /** Set when the last successful scrape found no GPU series. */
  notice: { message: string; remedy: string } | null;
  /** The info last published in a tick, to publish state changes that happen without a scrape. */
  published: TargetInfo | null;
}

export class PulseService implements PulseBackend {
  private readonly targets = new Map<string, TargetRuntime>();
  private readonly gpus = new Map<string, GpuSnapshot>();
  private readonly extras = new Map<string, NodeExtra[]>();
  private readonly listeners = new Set<(tick: Tick) => void>();
  private readonly history: HistoryStore;
  private readonly scraper: Scraper;
  private readonly secrets: SecretStore;
  private readonly scheduler: ScrapeScheduler;
  private readonly states: TargetStateTracker;
  readonly selfMetrics: SelfMetrics;
  private readonly now: () => number;
  private demoFleet: DemoFleetHandle | null = null;
  private replay: { name: string; player: RecordingPlayer; runtimes: TargetRuntime[]; sources: string[] } | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private recordingTimer: NodeJS.Timeout | null = null;
  private pending = emptyPending();
  private flushTimer: NodeJS.Timeout | null = null;
  private started = false;
  readonly inspector: Inspector;
  private readonly actions: AppActions;
  private readonly sources: SourceRegistry;
  /** Fleet waste (issue 19): held-idle state and reports; its registry joins /metrics. */
  readonly waste: WasteLedger;
  private readonly wasteReports: WasteReports;

  constructor(private readonly opts: PulseServiceOptions) {
    this.now = opts.now ?? Date.now;
    // Sized for the common 5 s interval: a target polled faster keeps a shorter raw window and
    // the 1-minute tier covers the rest, so memory stays what the configuration says.
    this.history = new HistoryStore({ rawWindowMs: 3_600_000, rawStepMs: 5_000, ...opts.history, fields: [...HISTORY_FIELDS] });
    this.states = new TargetStateTracker({ now: this.now });
    this.waste = new WasteLedger({ now: this.now, history: opts.history });
    this.inspector = new Inspector({
      onChange: (info) => {
        this.pending.inspections.set(info.id, info);
        this.scheduleFlush();
      },
    });
    this.scraper = opts.scraper ?? createScraper();
    this.secrets = opts.secrets ?? createServeSecretStore();
    this.wasteReports = new WasteReports({ ledger: this.waste, target: (id) => this.targets.get(id)?.config, secrets: this.secrets, now: this.now });
    this.selfMetrics = createSelfMetrics({
      targetStateCounts: () => this.states.countByState(),
      historyBytes: () => this.history.bytes(),
      historyFullBytes: () => this.history.fullBytes(),
    });
    const runTarget = createTargetRunner({
      scraper: this.scraper,
      secrets: this.secrets,
      tracker: this.states,
      ingest: (target, result) => this.ingest(target, result),
      onScrapeDone: (target, durationMs, failure) => {
        this.selfMetrics.observeScrape(target.id, durationMs, failure);
        const runtime = this.targets.get(target.id);
        if (runtime) this.queueTarget(runtime);
      },
    });
    this.actions = new AppActions({
      gpus: () => [...this.gpus.values()],
      selfMetrics: this.selfMetrics.registry,
      targets: () => [...this.targets.values()].filter((t) => !t.replay && t.config.kind === 'exporter').map((t) => t.config),
      secrets: this.secrets,
      dataDir: opts.dataDir ?? join(tmpdir(), 'gpu-pulse'),
      now: this.now,
    });
    this.sources = new SourceRegistry({
      sink: {
        add: (config, source) => this.addRuntime(config, { persisted: false, demo: false, source }),
        update: (config) => this.updateSourcedRuntime(config),
        remove: (id) => {
          const runtime = this.targets.get(id);
          if (runtime) this.removeRuntime(runtime);
        },
      },
      secrets: this.secrets,
      save: (sources) => this.opts.settings.update((s) => ({ ...s, sources })),
      onChange: () => this.queueSources(),
      namedSecrets: opts.namedSecrets,
      timing: opts.sourceTiming,
      now: this.now,
    });
    this.scheduler = new ScrapeScheduler({
      concurrency: opts.concurrency ?? 64,
      jitterRatio: 0.1,
      coalesceMs: DEFAULT_COALESCE_MS,
      run: (target: TargetConfig) => (target.kind === 'prometheus' ? this.pollPrometheus(target) : runTarget(target)),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const configured = this.opts.settings.load().targets;
    for (const config of configured) this.addRuntime(config, { persisted: true, demo: false });
    for (const config of this.opts.extraTargets ?? []) this.addRuntime(config, { persisted: false, demo: false });
    await this.sources.start(this.opts.settings.load().sources, this.opts.extraSources ?? []);
    const wantDemo = this.opts.demo === 'on' || (this.opts.demo === 'auto' && this.targets.size === 0 && this.sources.size === 0);
    if (wantDemo) await this.startDemo();
    this.scheduler.start();
    this.staleTimer = setInterval(() => this.publishStateChanges(), 1000);
    this.staleTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.sources.stop();
    await this.scheduler.stop();
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.recordingTimer) clearInterval(this.recordingTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.stopDemo();
    await this.closeReplay();
    await this.actions.dispose();
    await Promise.all([...this.targets.values()].map((t) => t.prometheus?.source?.close()));
    await this.inspector.dispose();
    await this.scraper.close();
  }

  // ---- PulseApi ----

  async getAppInfo(): Promise<AppInfo> {
    return { version: this.opts.version, mode: this.opts.mode, demo: this.demoFleet !== null, notifications: this.opts.settings.load().notifications, secretNames: Object.keys(this.opts.namedSecrets ?? {}) };
  }

  async getTargets(): Promise<TargetInfo[]> {
    return [...this.targets.values()].map((t) => this.targetInfo(t));
  }

  async getGpus(): Promise<GpuSnapshot[]> {
    return [...this.gpus.values()];
  }

  getWasteReport(req: WasteReportRequest): Promise<WasteReport> {
    return this.wasteReports.report(req);
  }

  getHeldIdleGpus(): Promise<HeldIdleGpu[]> {
    return this.wasteReports.heldIdle();
  }

  async getHistory(req: HistoryRequest): Promise<HistoryResponse> {
    const to = this.now();
    const from = to - (req.windowMs ?? 15 * 60_000);
    await this.backfillPrometheus(req.keys, from, to);
    const series: HistoryResponse['series'] = {};
    for (const key of req.keys) {
      if (!this.gpus.has(key)) continue;
      const result = this.history.query(key, req.fields, from, to);
      series[key] = { t: result.t, values: result.series };
    }
    return { series };
  }

  async addTarget(request: AddTargetRequest): Promise<TargetInfo> {
    const req = this.prepare(request, null);
    const url = req.kind === 'prometheus' ? new URL(req.url).toString() : normalizeTargetUrl(req.url);
    const selector = req.kind === 'prometheus' ? (req.selector?.trim() || undefined) : undefined;
    // The same Prometheus server with another selector is another source.
    const duplicate = [...this.targets.values()].find((t) => !t.demo && !t.replay && t.config.url === url && t.config.kind === (req.kind ?? 'exporter') && t.config.selector === selector);
    if (duplicate) throw new Error(`${url} is already a target ("${duplicate.config.name || duplicate.config.url}")`);
    const config = await toStoredTarget(targetInput(newTargetId(), req, null), this.secrets);
    // The demo fleet stands in only while nothing is configured.
    if (this.opts.demo === 'auto') await this.stopDemo();
    const runtime = this.addRuntime(config, { persisted: true, demo: false });
    this.persistTargets();
    return this.targetInfo(runtime);
  }

  async removeTarget(id: string): Promise<void> {
    const runtime = this.targets.get(id);
    if (!runtime) throw new Error(`no target with id ${id}`);
    if (runtime.source) throw new Error(`${runtime.config.url} is listed by a source (${runtime.source}); remove it there`);
    this.removeRuntime(runtime);
    if (runtime.persisted) this.persistTargets();
  }

  async updateTarget(id: string, req: AddTargetRequest): Promise<TargetInfo> {
    const runtime = this.targets.get(id);
    if (!runtime) throw new Error(`no target with id ${id}`);
    if (runtime.demo || runtime.replay) throw new Error(`${runtime.demo ? 'demo' : 'replay'} targets cannot be edited; add your own target instead`);
    if (runtime.source) throw new Error(`${runtime.config.url} is listed by a source (${runtime.source}); edit it there`);
    const config = await toStoredTarget(targetInput(id, this.prepare(req, runtime.config), runtime.config), this.secrets);
    const urlChanged = config.url !== runtime.config.url;
    runtime.config = config;
    if (runtime.prometheus) {
      void runtime.prometheus.source?.close();
      runtime.prometheus = { source: null, pipelines: new Map(), backfilledFrom: new Map() };
    }
    if (urlChanged) {
      // Another endpoint: its GPUs and counter history start from scratch.
      for (const key of runtime.gpuKeys) this.dropGpu(key);
      runtime.gpuKeys = new Set();
      runtime.pipeline = createDcgmPipeline();
    }
    this.states.reset(id);
    this.states.upsert(id, config.intervalMs);
    this.scheduler.upsert(config, { runNow: true });
    if (runtime.persisted) this.persistTargets();
    this.queueTarget(runtime);
    return this.targetInfo(runtime);
  }

  async testTarget(req: AddTargetRequest): Promise<TargetTestResult> {
    // Nothing is stored: a typed secret is used for this one request and dropped.
    const input = targetInput('probe', this.prepare(req, null), null);
    const reveal = (secret: string | SecretRef) => (typeof secret === 'string' ? secret : this.secrets.get(secret));
    let auth: ScrapeRequest['auth'];
    if (input.auth?.kind === 'basic') auth = { kind: 'basic', username: input.auth.username, password: await reveal(input.auth.password) };
    else if (input.auth?.kind === 'bearer') auth = { kind: 'bearer', token: await reveal(input.auth.token) };
    const headers = { ...input.headers };
    for (const [name, value] of Object.entries(input.secretHeaders ?? {})) headers[name] = await reveal(value);
    return probeTarget(this.scraper, { url: input.url, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS, auth, tls: input.tls, headers });
  }

  /** A front end's request: named secrets resolved, URL credentials and credential headers set apart. */
  private prepare(req: AddTargetRequest, previous: TargetConfig | null): PreparedTargetRequest {
    return prepareTargetRequest(req, { named: this.opts.namedSecrets ?? {}, previous });
  }

  // ---- sources (fleet/source-registry) ----

  async getSources(): Promise<SourceInfo[]> {
    return this.sources.describe([...this.targets.values()].map((t) => ({ info: this.targetInfo(t), saved: t.persisted })));
  }

  async addSource(req: AddSourceRequest): Promise<SourceInfo> {
    const info = await this.sources.add(req);
    // Like a first target, a first source replaces the demo fleet.
    if (this.opts.demo === 'auto') await this.stopDemo();
    return info;
  }

  removeSource(id: string): Promise<void> {
    return this.sources.remove(id);
  }

  private queueSources(): void {
    this.pending.sources = true;
    this.scheduleFlush();
  }

  async getNodeExtras(node: string): Promise<NodeExtra[]> {
    return [...this.extras.values()].flat().filter((extra) => extra.node === node);
  }

  async setNotifications(enabled: boolean): Promise<void> {
    this.opts.settings.update((s) => ({ ...s, notifications: enabled }));
  }

  async setPinned(targetId: string, pinned: boolean): Promise<TargetInfo> {
    const runtime = this.targets.get(targetId);
    if (!runtime) throw new Error(`no target with id ${targetId}`);
    runtime.config = { ...runtime.config, pinned };
    if (runtime.persisted) this.persistTargets();
    this.queueTarget(runtime);
    return this.targetInfo(runtime);
  }

  // ---- inspector ----

  inspectPath(path: string): Promise<InspectionInfo> {
    return this.inspector.inspectPath(path);
  }

  /** serve mode's upload route: the bytes of a file dropped in the browser. */
  inspectUpload(name: string, body: AsyncIterable<Uint8Array>, sizeBytes: number | null): Promise<InspectionInfo> {
    return this.inspector.inspectStream(name, body, sizeBytes);
  }

  async listInspections(): Promise<InspectionInfo[]> {
    return this.inspector.list();
  }

  async getInspection(id: string): Promise<InspectionInfo> {
    return this.inspector.get(id);
  }

  async getInspectionSeries(id: string, req: InspectionSeriesRequest): Promise<InspectionSeriesPage> {
    return this.inspector.series(id, req);
  }

  getInspectionSource(id: string, req: InspectionSourceRequest): Promise<InspectionSource> {
    return this.inspector.source(id, req);
  }

  async compareInspections(a: string, b: string): Promise<InspectionComparison> {
    return this.inspector.compare(a, b);
  }

  async closeInspection(id: string): Promise<void> {
    this.inspector.close(id);
  }

  // ---- export actions ----

  exportSnapshot(format: 'prometheus' | 'openmetrics'): Promise<ExportedSnapshot> {
    return this.actions.snapshot(format);
  }

  pushToGateway(req: PushRequest): Promise<PushResult> {
    return this.actions.push(req);
  }

  async startRecording(req: StartRecordingRequest): Promise<RecordingStatus> {
    const status = await this.actions.startRecording(req);
    this.queueRecording();
    // Progress (scrape count) reaches the UI with the ticks while it records.
    this.recordingTimer = setInterval(() => this.queueRecording(), 2000);
    return status;
  }

  async stopRecording(): Promise<RecordingStatus> {
    if (this.recordingTimer) clearInterval(this.recordingTimer);
    this.recordingTimer = null;
    const status = await this.actions.stopRecording();
    this.queueRecording();
    return status;
  }

  async getRecording(): Promise<RecordingStatus | null> {
    return this.actions.status();
  }

  async replayRecording(fileName: string): Promise<ReplayStatus> {
    return this.openReplay(await this.actions.recordingPath(fileName));
  }

  /** serve mode's download route for finished recordings. */
  recordingPath(fileName: string): Promise<string> {
    return this.actions.recordingPath(fileName);
  }

  private queueRecording(): void {
    this.pending.recording = true;
    this.scheduleFlush();
  }

  // ---- replay ----

  async openReplay(path: string): Promise<ReplayStatus> {
    const recording = await readRecording(path);
    if (recording.frames.length === 0) throw new Error(`${basename(path)} holds no samples to replay`);
    await this.closeReplay();
    if (this.opts.demo === 'auto') await this.stopDemo();
    const name = basename(path);
    const runtimes = new Map<string | null, TargetRuntime>();
    recording.sources.forEach((source, i) => {
      const label = source ?? name;
      const config = makeTargetConfig({ url: `http://replay.invalid/${i}`, id: `replay-${i}`, name: `${label} (replay)` });
      runtimes.set(source, this.addRuntime(config, { persisted: false, demo: false, replay: { fallbackNode: label } }));
    });
    const player = new RecordingPlayer(recording, {
      onFrame: (families, timestampMs, source) => {
        const runtime = runtimes.get(source);
        if (!runtime || !this.targets.has(runtime.config.id)) return;
        const now = this.now();
        this.ingestFamilies(runtime, families, timestampMs, now);
        this.states.recordSuccess(runtime.config.id, 0, now);
        this.queueTarget(runtime);
      },
      onStatus: () => this.queueReplay(),
    });
    this.replay = { name, player, runtimes: [...runtimes.values()], sources: recording.sources.map((s) => s ?? name) };
    // Show the first moment at once, then play.
    player.seek(0);
    player.play();
    this.queueReplay();
    return this.replayStatus()!;
  }

  async replayInspection(id: string): Promise<ReplayStatus> {
    return this.openReplay(this.inspector.filePath(id));
  }

  async controlReplay(control: ReplayControl): Promise<ReplayStatus | null> {
    const replay = this.replay;
    if (!replay) throw new Error('no recording is being replayed; open one first');
    switch (control.action) {
      case 'play':
        replay.player.play();
        break;
      case 'pause':
        replay.player.pause();
        break;
      case 'seek':
        replay.player.seek(Math.min(control.positionMs, replay.player.durationMs));
        break;
      case 'speed':
        replay.player.setSpeed(control.speed);
        break;
      case 'close':
        await this.closeReplay();
        return null;
    }
    this.queueReplay();
    return this.replayStatus();
  }

  async getReplay(): Promise<ReplayStatus | null> {
    return this.replayStatus();
  }

  private replayStatus(): ReplayStatus | null {
    if (!this.replay) return null;
    const status = this.replay.player.status();
    return { name: this.replay.name, state: status.state, speed: status.speed, positionMs: status.positionMs, durationMs: status.durationMs, recordedStartMs: status.startMs, sources: this.replay.sources };
  }

  private async closeReplay(): Promise<void> {
    const replay = this.replay;
    if (!replay) return;
    this.replay = null;
    replay.player.dispose();
    for (const runtime of replay.runtimes) if (this.targets.has(runtime.config.id)) this.removeRuntime(runtime);
    this.queueReplay();
  }

  private queueReplay(): void {
    this.pending.replay = true;
    this.scheduleFlush();
  }

  /** Ask front ends to show an inspection (File > Open, argv, open-with). */
  showInspection(id: string): void {
    this.pending.showInspection = id;
    this.scheduleFlush();
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

  /** Parse a scraped body and feed it through the dcgm pipeline; the runner records the state. */
  private async ingest(config: TargetConfig, result: ScrapeSuccess): Promise<IngestOutcome> {
    const runtime = this.targets.get(config.id);
    if (!runtime) return { ok: true };
    if (result.body.length === 0) {
      return {
        ok: false,
        state: 'down',
        transient: true,
        message: `empty body (HTTP ${result.status}, 0 bytes) from ${config.url}`,
        remedy: 'dcgm-exporter answers an empty body for a few seconds while it reloads its configuration; if it lasts, check the exporter',
      };
    }
    const bounded = await parseScrapeBody(result.body, { format: formatFromContentType(result.contentType), sampleLimit: config.sampleLimit, gpuLimit: config.gpuLimit });
    if (!bounded.ok) return bounded.outcome;
    const parsed = bounded.result;
    if (!this.targets.has(config.id)) return { ok: true };
    const firstError = parsed.problems.find((p) => p.severity === 'error');
    if (firstError || parsed.families.length === 0) {
      const why = firstError ? `line ${firstError.line}, column ${firstError.column}: ${firstError.message}` : 'no metric families in the body';
      return {
        ok: false,
        message: `not Prometheus exposition text from ${config.url} (${why})`,
        remedy: 'check that the URL is a metrics endpoint such as http://host:9400/metrics',
      };
    }
    const now = this.now();
    this.ingestFamilies(runtime, parsed.families, now, now);
    return { ok: true };
  }

  /**
   * Families from any source (scrape, replay frame) -> GPUs, history, tick. `observedAt` is the
   * data's own time (rates use it); history is kept on the wall clock so views always move forward.
   */
  private ingestFamilies(runtime: TargetRuntime, families: Family[], observedAt: number, wallClock: number): void {
    this.applyBatches(runtime, [{ families, fallbackNode: runtime.fallbackNode, observedAt, pipeline: runtime.pipeline }], wallClock);
  }

  /** One refresh of a source: every batch through its pipeline; GPUs no batch mentions are dropped. */
  private applyBatches(runtime: TargetRuntime, batches: Array<{ families: Family[]; fallbackNode: string; observedAt: number; pipeline: DcgmPipeline }>, wallClock: number | null): void {
    const { config } = runtime;
    const seen = new Set<string>();
    const extras: NodeExtra[] = [];
    for (const batch of batches) {
      const out = batch.pipeline.ingest(batch.families, { sourceId: config.id, fallbackNode: batch.fallbackNode, observedAt: batch.observedAt });
      for (const gpu of out.gpus) {
        seen.add(gpu.key);
        const previous = this.gpus.get(gpu.key);
        this.gpus.set(gpu.key, gpu);
        // Prometheus answers the same scrape again until the next one: keep history to real samples.
        if (!previous || previous.observedAt !== gpu.observedAt) this.history.push(gpu.key, wallClock ?? gpu.observedAt, historyValues(gpu));
        this.pending.gpus.set(gpu.key, gpu);
      }
      this.waste.observe(out.gpus, wallClock ?? this.now());
      extras.push(...out.extras);
    }
    for (const key of runtime.gpuKeys) if (!seen.has(key)) this.dropGpu(key);
    runtime.gpuKeys = seen;
    this.extras.set(config.id, extras);
    runtime.nodes = [...new Set([...seen].map((k) => this.gpus.get(k)!.node))].sort();
    runtime.notice = seen.size === 0 ? { message: `no dcgm GPU series at ${config.url}`, remedy: 'point the target at a dcgm-exporter (default port 9400)' } : null;
  }

  private targetInfo(runtime: TargetRuntime): TargetInfo {
    const { config } = runtime;
    const status = this.states.get(config.id)!;
    const notice = status.state === 'up' ? runtime.notice : null;
    return {
      id: config.id,
      kind: config.kind,
      url: maskUrlCredentials(config.url),
      selector: config.selector ?? null,
      name: config.name || new URL(config.url).host,
      group: config.group || null,
      state: status.state,
      lastScrapeAt: status.lastScrapeAt,
      lastSuccessAt: status.lastSuccessAt,
      lastError: maskUrlCredentials((notice ? notice.message : status.lastError) ?? '') || null,
      remedy: notice ? notice.remedy : status.remedy,
      lastDurationMs: status.lastDurationMs,
      gpuCount: runtime.gpuKeys.size,
      intervalMs: config.intervalMs,
      pinned: config.pinned,
      demo: runtime.demo,
      replay: runtime.replay || undefined,
      nodes: runtime.nodes,
      timeoutMs: config.timeoutMs,
      authKind: config.auth.kind,
      username: config.auth.kind === 'basic' ? config.auth.username : null,
      tls: config.tls ?? null,
      source: runtime.source ?? undefined,
    };
  }

  /** States also change with time alone (data going stale): publish those changes too. */
  private publishStateChanges(): void {
    for (const runtime of this.targets.values()) {
      const before = runtime.published;
      if (before && before.state !== this.states.get(runtime.config.id)!.state) this.queueTarget(runtime);
    }
  }

  // ---- Prometheus sources ----

  /** Created at the first poll, when the credentials can be resolved (an async step). */
  private async prometheusSource(runtime: TargetRuntime): Promise<PrometheusSource> {
    const prometheus = runtime.prometheus!;
    if (prometheus.source) return prometheus.source;
    const { config } = runtime;
    const request = await buildScrapeRequest(config, this.secrets);
    prometheus.source = createPrometheusSource({
      baseUrl: config.url,
      selector: config.selector,
      timeoutMs: config.timeoutMs,
      maxBytes: config.maxBytes,
      tls: config.tls,
      headers: request.headers,
      auth: request.auth,
    });
    return prometheus.source;
  }

  private async pollPrometheus(config: TargetConfig): Promise<'ok' | 'failed'> {
    const runtime = this.targets.get(config.id);
    if (!runtime?.prometheus) return 'failed';
    let source: PrometheusSource;
    try {
      source = await this.prometheusSource(runtime);
    } catch (err) {
      const remedy = (err as { remedy?: string }).remedy ?? 'check the server address, selector and credentials';
      this.states.recordFailure(config.id, { state: 'down', message: (err as Error).message, remedy, durationMs: 0 });
      this.queueTarget(runtime);
      return 'failed';
    }
    const result = await source.poll();
    if (!this.targets.has(config.id)) return 'failed';
    this.selfMetrics.observeScrape(config.id, result.ok ? result.stats.durationMs : result.durationMs, result.ok ? null : result.state);
    if (!result.ok) {
      const query = result.query ? ` (query: ${result.query})` : '';
      this.states.recordFailure(config.id, { state: result.state, message: `${result.message}${query}`, remedy: result.remedy, durationMs: result.durationMs });
      this.queueTarget(runtime);
      return 'failed';
    }
    const { pipelines } = runtime.prometheus;
    const batches = result.batches.map((b) => {
      const id = `${b.instance}\u0000${b.job}`;
      let pipeline = pipelines.get(id);
      if (!pipeline) pipelines.set(id, (pipeline = createDcgmPipeline()));
      return { families: b.families, fallbackNode: b.fallbackNode, observedAt: b.observedAt, pipeline };
    });
    this.applyBatches(runtime, batches, null);
    if (result.notice) runtime.notice = { message: `${result.notice.message} (query: ${result.notice.query})`, remedy: result.notice.remedy };
    this.states.recordSuccess(config.id, result.stats.durationMs);
    this.queueTarget(runtime);
    return 'ok';
  }

  /**
   * A view opened on GPUs read through Prometheus: fill their history for the window from
   * query_range once, so charts have history the moment they open.
   */
  private async backfillPrometheus(keys: string[], fromMs: number, toMs: number): Promise<void> {
    const bySource = new Map<TargetRuntime, GpuSnapshot[]>();
    for (const key of keys) {
      const gpu = this.gpus.get(key);
      const runtime = gpu ? this.targets.get(gpu.sourceId) : undefined;
      if (!gpu || !runtime?.prometheus) continue;
      if ((runtime.prometheus.backfilledFrom.get(key) ?? Infinity) <= fromMs) continue;
      bySource.set(runtime, [...(bySource.get(runtime) ?? []), gpu]);
    }
    for (const [runtime, gpus] of bySource) {
      const prometheus = runtime.prometheus!;
      if (!prometheus.source) continue;
      const result = await prometheus.source.backfill({ fromMs, toMs, stepMs: runtime.config.intervalMs, uuids: [...new Set(gpus.map((g) => g.uuid))] });
      if (!result.ok) continue; // the live view still works; the next view opening tries again
      // Its own pipelines: replaying old frames must not disturb the live counter state.
      const pipelines = new Map<string, DcgmPipeline>();
      const points = new Map<string, Array<[number, Record<string, number | null>]>>();
      const wanted = new Set(gpus.map((g) => g.key));
      for (const frame of result.frames) {
        for (const batch of frame.batches) {
          const id = `${batch.instance}\u0000${batch.job}`;
          let pipeline = pipelines.get(id);
          if (!pipeline) pipelines.set(id, (pipeline = createDcgmPipeline()));
          for (const gpu of pipeline.ingest(batch.families, { sourceId: runtime.config.id, fallbackNode: batch.fallbackNode, observedAt: frame.observedAt }).gpus) {
            if (wanted.has(gpu.key)) points.set(gpu.key, [...(points.get(gpu.key) ?? []), [frame.observedAt, historyValues(gpu)]]);
          }
        }
      }
      for (const [key, backfill] of points) {
        this.mergeHistory(key, backfill);
        prometheus.backfilledFrom.set(key, fromMs);
      }
    }
  }

  /** History rings keep time order: rebuild a GPU's with older points in front of what it has. */
  private mergeHistory(key: string, older: Array<[number, Record<string, number | null>]>): void {
    const existing = this.history.query(key, [...HISTORY_FIELDS], 0, Number.MAX_SAFE_INTEGER);
    const firstExisting = existing.t[0] ?? Infinity;
    this.history.remove(key);
    for (const [t, values] of older) if (t < firstExisting) this.history.push(key, t, values);
    existing.t.forEach((t, i) => {
      const values: Record<string, number | null> = {};
      for (const field of HISTORY_FIELDS) values[field] = existing.series[field]?.[i] ?? null;
      this.history.push(key, t, values);
    });
  }

  // ---- targets ----

  private addRuntime(config: TargetConfig, flags: { persisted: boolean; demo: boolean; replay?: { fallbackNode: string }; source?: string }): TargetRuntime {
    const runtime: TargetRuntime = {
      config,
      fallbackNode: flags.replay?.fallbackNode ?? new URL(config.url).host,
      demo: flags.demo,
      replay: flags.replay !== undefined,
      prometheus: config.kind === 'prometheus' ? { source: null, pipelines: new Map(), backfilledFrom: new Map() } : null,
      persisted: flags.persisted,
      source: flags.source ?? null,
      pipeline: createDcgmPipeline(),
      gpuKeys: new Set(),
      nodes: [],
      notice: null,
      published: null,
    };
    this.targets.set(config.id, runtime);
    this.states.upsert(config.id, config.intervalMs);
    // A replay source is fed by the player, never scraped.
    // Small fleets get data at once; large ones start at random phases so scrapes stay spread out.
    if (!runtime.replay) this.scheduler.upsert(config, { runNow: this.targets.size <= RUN_NOW_FLEET_SIZE });
    this.queueTarget(runtime);
    return runtime;
  }

  /** A source changed a target's settings (same id, so same URL): its history and schedule stay. */
  private updateSourcedRuntime(config: TargetConfig): void {
    const runtime = this.targets.get(config.id);
    if (!runtime) return;
    runtime.config = { ...config, pinned: runtime.config.pinned };
    this.states.upsert(config.id, config.intervalMs);
    this.scheduler.upsert(runtime.config);
    this.queueTarget(runtime);
  }

  private removeRuntime(runtime: TargetRuntime): void {
    this.scheduler.remove(runtime.config.id);
    this.states.remove(runtime.config.id);
    this.selfMetrics.forgetTarget(runtime.config.id);
    void runtime.prometheus?.source?.close();
    this.targets.delete(runtime.config.id);
    for (const key of runtime.gpuKeys) this.dropGpu(key);
    this.extras.delete(runtime.config.id);
    this.pending.targets.delete(runtime.config.id);
    this.pending.removedTargets.add(runtime.config.id);
    this.scheduleFlush();
  }

  private dropGpu(key: string): void {
    this.gpus.delete(key);
    this.waste.forget(key);
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
      targets: [...pending.targets].flatMap((id) => {
        const runtime = this.targets.get(id);
        if (!runtime) return [];
        runtime.published = this.targetInfo(runtime);
        return [runtime.published];
      }),
      removedTargets: [...pending.removedTargets],
    };
    if (pending.inspections.size > 0) tick.inspections = [...pending.inspections.values()];
    if (pending.showInspection) tick.showInspection = pending.showInspection;
    if (pending.replay) tick.replay = this.replayStatus();
    if (pending.recording) tick.recording = this.actions.status();
    if (pending.sources) tick.sources = this.sources.describe([...this.targets.values()].map((t) => ({ info: t.published ?? this.targetInfo(t), saved: t.persisted })));
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
  return {
    gpus: new Map<string, GpuSnapshot>(),
    removedGpus: new Set<string>(),
    targets: new Set<string>(),
    removedTargets: new Set<string>(),
    inspections: new Map<string, InspectionInfo>(),
    showInspection: null as string | null,
    replay: false,
    recording: false,
    sources: false,
  };
}

function historyValues(gpu: GpuSnapshot): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const field of HISTORY_FIELDS) {
    values[field] = field === 'realUtil' ? gpu.realUtil : (gpu.readings[field] ?? null);
  }
  return values;
}

let nextTargetSeq = 0;

function newTargetId(): string {
  return `t-${Date.now().toString(36)}-${(nextTargetSeq++).toString(36)}`;
}

/** Request -> schema input; on update, secrets the user left out keep their stored references. */
function targetInput(id: string, req: PreparedTargetRequest, previous: TargetConfig | null): TargetInput {
  let auth: TargetInput['auth'] = { kind: 'none' };
  const prevAuth = previous?.auth;
  if (req.auth?.kind === 'basic') {
    const password = req.auth.password ?? (prevAuth?.kind === 'basic' ? prevAuth.password : undefined);
    if (password === undefined) throw new Error('basic auth needs a password');
    auth = { kind: 'basic', username: req.auth.username, password };
  } else if (req.auth?.kind === 'bearer') {
    const token = req.auth.token ?? (prevAuth?.kind === 'bearer' ? prevAuth.token : undefined);
    if (token === undefined) throw new Error('bearer auth needs a token');
    auth = { kind: 'bearer', token };
  }
  const tls = req.tls && Object.values(req.tls).some((v) => v !== undefined && v !== false) ? req.tls : undefined;
  if (req.kind === 'prometheus' && req.selector?.trim()) {
    const selector = parseSelector(req.selector);
    if (!selector.ok) throw new Error(`selector: ${selector.message} (${selector.remedy})`);
  }
  return {
    id,
    kind: req.kind ?? 'exporter',
    url: req.kind === 'prometheus' ? new URL(req.url).toString() : normalizeTargetUrl(req.url),
    selector: req.kind === 'prometheus' && req.selector?.trim() ? req.selector.trim() : undefined,
    name: req.name ?? '',
    group: req.group ?? '',
    intervalMs: req.intervalMs,
    timeoutMs: req.timeoutMs,
    auth,
    tls,
    headers: req.headers ?? {},
    secretHeaders: req.secretHeaders ?? previous?.secretHeaders,
    sampleLimit: previous?.sampleLimit,
    gpuLimit: previous?.gpuLimit,
    pinned: previous?.pinned ?? false,
  };
}


/** `http://node:9400` means the exporter's metrics: an empty path becomes /metrics, as Prometheus' metrics_path default. */
export function normalizeTargetUrl(input: string): string {
  const url = new URL(input);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/metrics';
  return url.toString();
}

/** A target config with the schema's defaults and a fresh id unless one is given. */
export function makeTargetConfig(input: { url: string; name?: string; group?: string; intervalMs?: number; id?: string; kind?: 'exporter' | 'prometheus'; selector?: string }): TargetConfig {
  return TargetConfigSchema.parse({
    id: input.id ?? newTargetId(),
    kind: input.kind ?? 'exporter',
    selector: input.selector,
    url: input.kind === 'prometheus' ? new URL(input.url).toString() : normalizeTargetUrl(input.url),
    name: input.name ?? '',
    group: input.group ?? '',
    intervalMs: input.intervalMs,
  });
}
