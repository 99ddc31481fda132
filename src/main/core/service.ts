// PulseService: the one object every front end talks to (DESIGN.md §4). It implements the
// PulseApi contract and starts and stops; the work is done by the parts it composes (targets
// and ingest in fleet/, replay and exports in export/, the inspector, the tick batcher).
// It never imports electron; the desktop app, serve mode and the CLI all compose it.
import type { AddTargetRequest, AppInfo, ExportedSnapshot, HistoryRequest, HistoryResponse, InspectionComparison, InspectionInfo, InspectionSeriesPage,
  InspectionSeriesRequest, InspectionSource, InspectionSourceRequest, PulseBackend, PushRequest, PushResult, RecordingStatus, ReplayControl,
  ReplayStatus, StartRecordingRequest, TargetInfo, TargetTestResult, Tick } from '../../shared/api';
import type { GpuSnapshot, NodeExtra } from '../../shared/gpu';
import type { AddSourceRequest, SourceInfo } from '../../shared/api';
import type { HeldIdleGpu, WasteReport, WasteReportRequest } from '../../shared/waste';
import { WasteLedger, WasteReports } from './accounting';
import type { SourceConfig } from './fleet/source-config';
import { SourceRegistry, type SourceRegistryOptions } from './fleet/source-registry';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createScraper, type Scraper } from './sources/http-scrape/scraper';
import { PrometheusPoller } from './sources/prometheus/poller';
import type { HistoryOptions } from './fleet/history';
import { FleetIngest } from './fleet/ingest';
import { DemoTargets, type DemoFleetHandle } from './fleet/demo-targets';
import { createPrometheusRunner } from './fleet/prometheus-target';
import { DEFAULT_COALESCE_MS, ScrapeScheduler } from './fleet/scheduler';
import { createTargetRunner } from './fleet/scrape-target';
import { scrapeRequestFor } from './fleet/scrape-request';
import { createServeSecretStore, type SecretStore } from './fleet/secrets';
import { createSelfMetrics } from './fleet/self-metrics';
import { DEFAULT_TIMEOUT_MS, type TargetConfig } from './fleet/target-config';
import { targetInput } from './fleet/target-input';
import { probeTarget } from './fleet/target-probe';
import { TargetRegistry } from './fleet/target-registry';
import type { NamedSecrets } from './fleet/target-request';
import { TargetStateTracker } from './fleet/target-state';
import { AppActions } from './export/app-actions';
import { createPulseMetrics, type PulseMetrics } from './export/metrics-registry';
import { loadReplay, ReplaySession } from './export/replay-session';
import { Inspector } from './inspect/inspector';
import type { SettingsStore } from './settings/store';
import { TickBatcher } from './tick-batcher';

/** Up to this many targets scrape at once when added; larger fleets start at random phases. */
const RUN_NOW_FLEET_SIZE = 50;

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

export class PulseService implements PulseBackend {
  /** Computed GPU metrics and self-metrics: the one registry /metrics, exports and pushes render. */
  readonly metrics: PulseMetrics;
  private readonly ticks: TickBatcher;
  private readonly targets: TargetRegistry;
  private readonly ingest: FleetIngest;
  private readonly poller = new PrometheusPoller();
  private readonly scheduler: ScrapeScheduler;
  private readonly scraper: Scraper;
  private readonly secrets: SecretStore;
  private readonly demo: DemoTargets;
  private readonly replay: ReplaySession;
  private readonly actions: AppActions;
  private readonly inspector: Inspector;
  private readonly sources: SourceRegistry;
  /** Fleet waste (issue 19): held-idle state and reports; its gauges join the metrics. */
  private readonly waste: WasteLedger;
  private readonly wasteReports: WasteReports;
  private readonly now: () => number;
  private started = false;

  constructor(private readonly opts: PulseServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.ticks = new TickBatcher(
      {
        publishTarget: (id) => this.targets.publish(id),
        replayStatus: () => this.replay.status(),
        recordingStatus: () => this.actions.status(),
        sourceInfos: () => this.sources.describe(this.targets.all().map((t) => ({ info: t.published ?? this.targets.info(t), saved: t.persisted }))),
        now: this.now,
      },
      opts.tickBatchMs ?? 100,
    );
    this.waste = new WasteLedger({ now: this.now, history: opts.history });
    const ingestListener = {
      gpuChanged: (gpu: GpuSnapshot) => this.ticks.gpuChanged(gpu),
      gpuRemoved: (key: string) => (this.waste.forget(key), this.ticks.gpuRemoved(key)),
      batchObserved: (gpus: readonly GpuSnapshot[], at: number) => this.waste.observe(gpus, at),
      identicalBody: () => selfMetrics.observeIdenticalBody(),
    };
    this.ingest = new FleetIngest(ingestListener, opts.history, this.now);
    this.scraper = opts.scraper ?? createScraper();
    this.secrets = opts.secrets ?? createServeSecretStore();
    const states = new TargetStateTracker({ now: this.now });
    const selfMetrics = createSelfMetrics({
      targetStateCounts: () => states.countByState(),
      historyBytes: () => this.historyBytes(),
      historyFullBytes: () => this.ingest.historyFullBytes() + this.waste.historyFullBytes(),
    });
    this.metrics = createPulseMetrics({ gpus: () => this.ingest.allGpus(), merge: [selfMetrics.registry, this.waste.registry] });
    this.targets = new TargetRegistry(opts.settings, this.secrets, states, {
      // Replays are fed by their player, never scraped; a large fleet starts at random phases.
      added: (runtime) => {
        if (!runtime.replay) this.scheduler.upsert(runtime.config, { runNow: this.targets.size <= RUN_NOW_FLEET_SIZE });
        this.ticks.targetChanged(runtime.config.id);
      },
      updated: (runtime, endpointChanged) => {
        this.poller.reset(runtime.config.id);
        if (endpointChanged) this.ingest.dropGpusOf(runtime);
        this.scheduler.upsert(runtime.config, { runNow: true });
      },
      removed: (runtime) => {
        this.scheduler.remove(runtime.config.id);
        selfMetrics.forgetTarget(runtime.config.id);
        this.poller.forget(runtime.config.id);
        this.ingest.dropTarget(runtime);
        this.ticks.targetRemoved(runtime.config.id);
      },
      changed: (runtime) => this.ticks.targetChanged(runtime.config.id),
      rescheduled: (runtime) => this.scheduler.upsert(runtime.config),
    }, opts.namedSecrets);
    this.wasteReports = new WasteReports({ ledger: this.waste, target: (id) => this.targets.get(id)?.config, secrets: this.secrets, now: this.now });
    this.sources = new SourceRegistry({
      sink: this.targets.sourceSink,
      secrets: this.secrets,
      save: (sources) => this.opts.settings.update((s) => ({ ...s, sources })),
      onChange: () => this.ticks.sourcesChanged(),
      namedSecrets: opts.namedSecrets,
      timing: opts.sourceTiming,
      now: this.now,
    });
    this.inspector = new Inspector({ onChange: (info) => this.ticks.inspectionChanged(info) });
    const runExporter = createTargetRunner({
      scraper: this.scraper,
      secrets: this.secrets,
      tracker: states,
      ingest: (target, result) => {
        const runtime = this.targets.get(target.id);
        return runtime ? this.ingest.body(runtime, result, () => this.targets.has(target.id)) : { ok: true };
      },
      onScrapeDone: (target, durationMs, failure) => {
        selfMetrics.observeScrape(target.id, durationMs, failure);
        if (this.targets.has(target.id)) this.ticks.targetChanged(target.id);
      },
    });
    const runPrometheus = createPrometheusRunner({
      poller: this.poller,
      targets: this.targets,
      ingest: this.ingest,
      secrets: this.secrets,
      onPolled: (target, durationMs, failure) => selfMetrics.observeScrape(target.id, durationMs, failure),
      changed: (runtime) => this.ticks.targetChanged(runtime.config.id),
    });
    this.scheduler = new ScrapeScheduler({
      concurrency: opts.concurrency ?? 64,
      jitterRatio: 0.1,
      coalesceMs: DEFAULT_COALESCE_MS,
      run: (target: TargetConfig, { lagMs }) => (selfMetrics.observeStartLag(lagMs), target.kind === 'prometheus' ? runPrometheus(target) : runExporter(target)),
    });
    this.demo = new DemoTargets(this.targets, opts.startDemoFleet);
    this.replay = new ReplaySession({
      targets: this.targets,
      ingest: this.ingest,
      now: this.now,
      changed: (runtime) => this.ticks.targetChanged(runtime.config.id),
      statusChanged: () => this.ticks.replayChanged(),
    });
    this.actions = new AppActions({
      metrics: this.metrics,
      targets: () => this.targets.liveExporters(),
      secrets: this.secrets,
      dataDir: opts.dataDir ?? join(tmpdir(), 'gpu-pulse'),
      now: this.now,
      recordingChanged: () => this.ticks.recordingChanged(),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const config of this.opts.settings.load().targets) this.targets.add(config, { persisted: true, demo: false });
    for (const config of this.opts.extraTargets ?? []) this.targets.add(config, { persisted: false, demo: false });
    await this.sources.start(this.opts.settings.load().sources, this.opts.extraSources ?? []);
    if (this.opts.demo === 'on' || (this.opts.demo === 'auto' && this.targets.size === 0 && this.sources.size === 0)) await this.demo.start();
    this.scheduler.start();
    this.targets.watchStaleness();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.sources.stop();
    await this.scheduler.stop();
    this.targets.stopWatchingStaleness();
    this.ticks.stop();
    await this.demo.stop();
    this.replay.close();
    await this.actions.dispose();
    await this.poller.close();
    await this.inspector.dispose();
    await this.scraper.close();
  }

  // ---- PulseApi: fleet ----

  async getAppInfo(): Promise<AppInfo> { return { version: this.opts.version, mode: this.opts.mode, demo: this.demo.running, notifications: this.opts.settings.load().notifications, secretNames: Object.keys(this.opts.namedSecrets ?? {}) }; }

  async getTargets(): Promise<TargetInfo[]> { return this.targets.all().map((t) => this.targets.info(t)); }

  async getGpus(): Promise<GpuSnapshot[]> { return this.ingest.allGpus(); }

  getWasteReport(req: WasteReportRequest): Promise<WasteReport> { return this.wasteReports.report(req); }

  getHeldIdleGpus(): Promise<HeldIdleGpu[]> { return this.wasteReports.heldIdle(); }

  async getHistory(req: HistoryRequest): Promise<HistoryResponse> {
    const to = this.now();
    const from = to - (req.windowMs ?? 15 * 60_000);
    const gpus = req.keys.flatMap((key) => this.ingest.gpu(key) ?? []);
    const backfilled = await this.poller.backfill(gpus, from, to, (id) => this.targets.get(id)?.config.intervalMs ?? 15_000);
    for (const [key, snapshots] of backfilled) this.ingest.prependHistory(key, snapshots);
    return { series: this.ingest.query(req.keys, req.fields, from, to) };
  }

  async getNodeExtras(node: string): Promise<NodeExtra[]> { return this.ingest.nodeExtras(node); }

  async addTarget(req: AddTargetRequest): Promise<TargetInfo> {
    const config = await this.targets.configFor(req);
    // The demo fleet stands in only while nothing is configured.
    if (this.opts.demo === 'auto') await this.demo.stop();
    const runtime = this.targets.add(config, { persisted: true, demo: false });
    this.targets.persist();
    return this.targets.info(runtime);
  }

  async removeTarget(id: string): Promise<void> { this.targets.removeByUser(id); }

  async updateTarget(id: string, req: AddTargetRequest): Promise<TargetInfo> { return this.targets.info(await this.targets.update(id, req)); }

  async setPinned(targetId: string, pinned: boolean): Promise<TargetInfo> { return this.targets.info(this.targets.setPinned(targetId, pinned)); }

  async testTarget(req: AddTargetRequest): Promise<TargetTestResult> {
    // Nothing is stored: a typed secret is used for this one request and dropped.
    const input = targetInput('probe', this.targets.prepare(req, null), null);
    const request = await scrapeRequestFor({ ...input, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS }, this.secrets);
    return probeTarget(this.scraper, request);
  }

  // ---- PulseApi: sources (fleet/source-registry) ----

  async getSources(): Promise<SourceInfo[]> { return this.sources.describe(this.targets.all().map((t) => ({ info: this.targets.info(t), saved: t.persisted }))); }

  async addSource(req: AddSourceRequest): Promise<SourceInfo> {
    const info = await this.sources.add(req);
    // Like a first target, a first source replaces the demo fleet.
    if (this.opts.demo === 'auto') await this.demo.stop();
    return info;
  }

  removeSource(id: string): Promise<void> { return this.sources.remove(id); }

  async setNotifications(enabled: boolean): Promise<void> { this.opts.settings.update((s) => ({ ...s, notifications: enabled })); }

  onTick(listener: (tick: Tick) => void): () => void {
    return this.ticks.onTick(listener);
  }

  /** Bytes the history buffers (charts and waste ledger) hold now (the soak benchmark watches it). */
  historyBytes(): number { return this.ingest.historyBytes() + this.waste.historyBytes(); }

  // ---- PulseApi: inspector ----

  inspectPath(path: string): Promise<InspectionInfo> { return this.inspector.inspectPath(path); }

  /** serve mode's upload route: the bytes of a file dropped in the browser. */
  inspectUpload(name: string, body: AsyncIterable<Uint8Array>, sizeBytes: number | null): Promise<InspectionInfo> { return this.inspector.inspectStream(name, body, sizeBytes); }

  async listInspections(): Promise<InspectionInfo[]> { return this.inspector.list(); }

  async getInspection(id: string): Promise<InspectionInfo> { return this.inspector.get(id); }

  async getInspectionSeries(id: string, req: InspectionSeriesRequest): Promise<InspectionSeriesPage> { return this.inspector.series(id, req); }

  getInspectionSource(id: string, req: InspectionSourceRequest): Promise<InspectionSource> { return this.inspector.source(id, req); }

  async compareInspections(a: string, b: string): Promise<InspectionComparison> { return this.inspector.compare(a, b); }

  async closeInspection(id: string): Promise<void> { this.inspector.close(id); }

  /** Ask front ends to show an inspection (File > Open, argv, open-with). */
  showInspection(id: string): void { this.ticks.showInspection(id); }

  // ---- PulseApi: export, recording and replay ----

  exportSnapshot(format: 'prometheus' | 'openmetrics'): Promise<ExportedSnapshot> { return this.actions.snapshot(format); }

  pushToGateway(req: PushRequest): Promise<PushResult> { return this.actions.push(req); }

  startRecording(req: StartRecordingRequest): Promise<RecordingStatus> { return this.actions.startRecording(req); }

  stopRecording(): Promise<RecordingStatus> { return this.actions.stopRecording(); }

  async getRecording(): Promise<RecordingStatus | null> { return this.actions.status(); }

  /** serve mode's download route for finished recordings. */
  recordingPath(fileName: string): Promise<string> { return this.actions.recordingPath(fileName); }

  async replayRecording(fileName: string): Promise<ReplayStatus> { return this.openReplay(await this.actions.recordingPath(fileName)); }

  async replayInspection(id: string): Promise<ReplayStatus> { return this.openReplay(this.inspector.filePath(id)); }

  async openReplay(path: string): Promise<ReplayStatus> {
    const { name, recording } = await loadReplay(path);
    this.replay.close();
    if (this.opts.demo === 'auto') await this.demo.stop();
    return this.replay.start(name, recording);
  }

  controlReplay(control: ReplayControl): Promise<ReplayStatus | null> { return this.replay.control(control); }

  async getReplay(): Promise<ReplayStatus | null> { return this.replay.status(); }
}
