// The targets the service reads: their configs and runtime bookkeeping, pins, persistence to
// the settings store, and the TargetInfo the front ends see. Scheduling, ingest and polling
// react to the hooks; this module only keeps the list and its state honest.
import type { AddTargetRequest, TargetInfo } from '../../../shared/api';
import { createDcgmPipeline, type DcgmPipeline } from '../dcgm';
import type { SettingsStore } from '../settings/store';
import type { SecretStore } from './secrets';
import { toStoredTarget, type TargetConfig } from './target-config';
import { newTargetId, targetInput, targetUrl } from './target-input';
import { maskUrlCredentials, prepareTargetRequest, type NamedSecrets, type PreparedTargetRequest } from './target-request';
import { TargetStateTracker } from './target-state';
import type { SourcedTargetSink } from './source-registry';

export interface TargetRuntime {
  config: TargetConfig;
  /** Node name for series without a hostname label: host:port of a target, the source of a replay. */
  fallbackNode: string;
  demo: boolean;
  replay: boolean;
  persisted: boolean;
  /** The source (targets file, discovery) that lists this target; null for static targets. */
  source: string | null;
  /** Counter state of an exporter target (a Prometheus source keeps one per instance, in its poller). */
  pipeline: DcgmPipeline;
  gpuKeys: Set<string>;
  nodes: string[];
  /** Set when the last successful scrape found no GPU series. */
  notice: { message: string; remedy: string } | null;
  /** The info last published in a tick, to publish state changes that happen without a scrape. */
  published: TargetInfo | null;
  /** Fingerprint of the last body ingested (fleet/body-fingerprint), to skip one that repeats it. */
  lastBody: string | null;
}

export interface TargetFlags {
  persisted: boolean;
  demo: boolean;
  /** A replay source is fed by the player, never scraped. */
  replay?: { fallbackNode: string };
  /** The source that lists the target (fleet/source-registry). */
  source?: string;
}

export interface TargetRegistryHooks {
  added(runtime: TargetRuntime): void;
  /** Settings changed; `endpointChanged` when the URL did (its GPUs and counters start over). */
  updated(runtime: TargetRuntime, endpointChanged: boolean): void;
  removed(runtime: TargetRuntime): void;
  changed(runtime: TargetRuntime): void;
  /** A source changed the target's settings: schedule it again (no run now, history stays). */
  rescheduled(runtime: TargetRuntime): void;
}

export class TargetRegistry {
  private readonly targets = new Map<string, TargetRuntime>();
  private staleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: SettingsStore,
    private readonly secrets: SecretStore,
    readonly states: TargetStateTracker,
    private readonly hooks: TargetRegistryHooks,
    /** Secrets the operator configured by name (serve --secret); requests may choose them. */
    private readonly namedSecrets: NamedSecrets = {},
  ) {}

  /** A front end's request: named secrets resolved, URL credentials and credential headers set apart. */
  prepare(req: AddTargetRequest, previous: TargetConfig | null): PreparedTargetRequest {
    return prepareTargetRequest(req, { named: this.namedSecrets, previous });
  }

  get(id: string): TargetRuntime | undefined {
    return this.targets.get(id);
  }

  has(id: string): boolean {
    return this.targets.has(id);
  }

  get size(): number {
    return this.targets.size;
  }

  all(): TargetRuntime[] {
    return [...this.targets.values()];
  }

  /** Live exporter targets (what a recording can scrape). */
  liveExporters(): TargetConfig[] {
    return this.all().filter((t) => !t.replay && t.config.kind === 'exporter').map((t) => t.config);
  }

  add(config: TargetConfig, flags: TargetFlags): TargetRuntime {
    const runtime: TargetRuntime = {
      config,
      fallbackNode: flags.replay?.fallbackNode ?? new URL(config.url).host,
      demo: flags.demo,
      replay: flags.replay !== undefined,
      persisted: flags.persisted,
      source: flags.source ?? null,
      pipeline: createDcgmPipeline(),
      gpuKeys: new Set(),
      nodes: [],
      notice: null,
      lastBody: null,
      published: null,
    };
    this.targets.set(config.id, runtime);
    this.states.upsert(config.id, config.intervalMs);
    this.hooks.added(runtime);
    return runtime;
  }

  remove(runtime: TargetRuntime): void {
    this.states.remove(runtime.config.id);
    this.targets.delete(runtime.config.id);
    this.hooks.removed(runtime);
  }

  /** A request to add a target, checked and with its secrets stored; not added yet. */
  async configFor(request: AddTargetRequest): Promise<TargetConfig> {
    const req = this.prepare(request, null);
    const url = targetUrl(req.kind, req.url);
    const selector = req.kind === 'prometheus' ? (req.selector?.trim() || undefined) : undefined;
    // The same Prometheus server with another selector is another source.
    const duplicate = this.all().find((t) => !t.demo && !t.replay && t.config.url === url && t.config.kind === (req.kind ?? 'exporter') && t.config.selector === selector);
    if (duplicate) throw new Error(`${url} is already a target ("${duplicate.config.name || duplicate.config.url}")`);
    return toStoredTarget(targetInput(newTargetId(), req, null), this.secrets);
  }

  async update(id: string, req: AddTargetRequest): Promise<TargetRuntime> {
    const runtime = this.require(id);
    if (runtime.demo || runtime.replay) throw new Error(`${runtime.demo ? 'demo' : 'replay'} targets cannot be edited; add your own target instead`);
    if (runtime.source) throw new Error(`${runtime.config.url} is listed by a source (${runtime.source}); edit it there`);
    const config = await toStoredTarget(targetInput(id, this.prepare(req, runtime.config), runtime.config), this.secrets);
    const endpointChanged = config.url !== runtime.config.url;
    runtime.config = config;
    // New limits may read the same body differently: the next one is ingested whatever it is.
    runtime.lastBody = null;
    if (endpointChanged) runtime.pipeline = createDcgmPipeline();
    this.states.reset(id);
    this.states.upsert(id, config.intervalMs);
    this.hooks.updated(runtime, endpointChanged);
    if (runtime.persisted) this.persist();
    this.hooks.changed(runtime);
    return runtime;
  }

  /** Where the sources (targets files, discoveries) put the targets they list. */
  readonly sourceSink: SourcedTargetSink = {
    add: (config, source) => void this.add(config, { persisted: false, demo: false, source }),
    // Same id, so same URL: the target's history and schedule stay.
    update: (config) => {
      const runtime = this.targets.get(config.id);
      if (!runtime) return;
      runtime.config = { ...config, pinned: runtime.config.pinned };
      runtime.lastBody = null;
      this.states.upsert(config.id, config.intervalMs);
      this.hooks.rescheduled(runtime);
      this.hooks.changed(runtime);
    },
    remove: (id) => {
      const runtime = this.targets.get(id);
      if (runtime) this.remove(runtime);
    },
  };

  /** The user removes a target; one a source lists is removed there. */
  removeByUser(id: string): void {
    const runtime = this.require(id);
    if (runtime.source) throw new Error(`${runtime.config.url} is listed by a source (${runtime.source}); remove it there`);
    this.remove(runtime);
    if (runtime.persisted) this.persist();
  }

  setPinned(id: string, pinned: boolean): TargetRuntime {
    const runtime = this.require(id);
    runtime.config = { ...runtime.config, pinned };
    if (runtime.persisted) this.persist();
    this.hooks.changed(runtime);
    return runtime;
  }

  require(id: string): TargetRuntime {
    const runtime = this.targets.get(id);
    if (!runtime) throw new Error(`no target with id ${id}`);
    return runtime;
  }

  persist(): void {
    const targets = this.all().filter((t) => t.persisted).map((t) => t.config);
    this.settings.update((s) => ({ ...s, targets }));
  }

  /** The info a tick carries, remembered so later state changes can be noticed. */
  publish(id: string): TargetInfo | null {
    const runtime = this.targets.get(id);
    if (!runtime) return null;
    runtime.published = this.info(runtime);
    return runtime.published;
  }

  /** States also change with time alone (data going stale): report those as changes, every second. */
  watchStaleness(): void {
    this.staleTimer = setInterval(() => {
      for (const runtime of this.all()) if (runtime.published && runtime.published.state !== this.states.get(runtime.config.id)!.state) this.hooks.changed(runtime);
    }, 1000);
    this.staleTimer.unref?.();
  }

  stopWatchingStaleness(): void {
    if (this.staleTimer) clearInterval(this.staleTimer);
  }

  info(runtime: TargetRuntime): TargetInfo {
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
}
