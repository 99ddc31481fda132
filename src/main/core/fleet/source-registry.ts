// The sources that hand the fleet its targets and keep changing them: targets files (re-read as
// they change) and Prometheus discoveries (re-read every minute). Each load is reconciled into
// the fleet by target id: a target that stays keeps its id, so its history and scrape schedule
// carry on; one that is gone stops; a new one starts. A failed load changes nothing but the
// source's error. The registry also describes every source for GET /api/sources, including the
// ones it does not run (Prometheus sources and static targets live in the target list).
import { resolve } from 'node:path';
import type { AddSourceRequest, SourceInfo, TargetInfo } from '../../../shared/api';
import { normaliseBaseUrl } from '../sources/prometheus/api';
import { discoverFromPrometheus } from './prometheus-discovery';
import { watchTargetsFile, type SourceLoadStatus } from './targets-file-watcher';
import { scrapeRequestFor } from './scrape-request';
import type { SecretStore } from './secrets';
import { SourceConfigSchema, type SourceConfig } from './source-config';
import { TargetConfigSchema, toStoredTarget, type TargetAuthInput, type TargetConfig } from './target-config';
import { prepareTargetRequest, type NamedSecrets, type PreparedTargetRequest } from './target-request';

/** What the fleet does with the targets a source yields. */
export interface SourcedTargetSink {
  add(config: TargetConfig, sourceId: string): void;
  /** Same id, other settings (a name, group or interval edited in the file): history stays. */
  update(config: TargetConfig): void;
  remove(targetId: string): void;
}

export interface SourceRegistryOptions {
  sink: SourcedTargetSink;
  secrets: SecretStore;
  /** Persists the sources added through addSource (command-line sources are never saved). */
  save(sources: SourceConfig[]): void;
  /** A source loaded, failed, or was added or removed: publish the sources again. */
  onChange(): void;
  /** Secrets the operator configured by name (serve --secret), which a discovery's auth may name. */
  namedSecrets?: NamedSecrets;
  now?: () => number;
  /** Tests shorten these; production uses each loader's defaults (5 min rescan, 1 min discovery). */
  timing?: { fileDebounceMs?: number; fileRescanMs?: number; discoveryRefreshMs?: number };
}

/** A static target as the fleet holds it: whether it is saved tells "settings" from "command line". */
export interface StaticTargetView {
  info: TargetInfo;
  saved: boolean;
}

interface Loader {
  load(): Promise<SourceLoadStatus>;
  status(): SourceLoadStatus;
  close(): Promise<void> | void;
}

interface RunningSource {
  config: SourceConfig;
  saved: boolean;
  loader: Loader | null;
  /** The targets in force, by their fleet id. */
  targets: Map<string, TargetConfig>;
  /** Set when the loader could not even be created (e.g. a secret that cannot be read). */
  setupError: string | null;
}

let nextSourceSeq = 0;

export class SourceRegistry {
  private readonly sources = new Map<string, RunningSource>();
  private readonly now: () => number;
  private startedAt: number | null = null;

  constructor(private readonly opts: SourceRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Opens the saved sources and the command-line ones and loads each once; a failing one reports its error. */
  async start(saved: readonly SourceConfig[], fromCommandLine: readonly SourceConfig[]): Promise<void> {
    this.startedAt = this.now();
    for (const config of saved) await this.open(config, true);
    for (const config of fromCommandLine) await this.open(config, false);
  }

  get size(): number {
    return this.sources.size;
  }

  async add(req: AddSourceRequest): Promise<SourceInfo> {
    const id = `s-${Date.now().toString(36)}-${(nextSourceSeq++).toString(36)}`;
    let config: SourceConfig;
    if (req.kind === 'targets-file') {
      // Which paths a request may name is the transport's decision (desktop: a file the user
      // picked, never one the page typed; serve: --allow-dir folders only).
      const path = resolve(req.path);
      if (this.find((c) => c.kind === 'targets-file' && c.path === path)) throw new Error(`${path} is already a source`);
      config = SourceConfigSchema.parse({ id, kind: 'targets-file', path, intervalMs: req.intervalMs });
    } else {
      // Credentials as for a target: named secrets resolved, user:password in the URL and
      // credential headers set apart, typed values through the secret store.
      const prepared = prepareTargetRequest({ url: req.url, auth: req.auth, tls: req.tls, headers: req.headers, timeoutMs: req.timeoutMs }, { named: this.opts.namedSecrets ?? {}, previous: null });
      const base = normaliseBaseUrl(prepared.url);
      if (!base.ok) throw new Error(base.message);
      const job = req.job?.trim() || undefined;
      if (this.find((c) => c.kind === 'prometheus-discovery' && c.url === base.url && c.job === job)) {
        throw new Error(`${base.url}${job ? ` (job ${job})` : ''} is already a source`);
      }
      // Secrets go through the same store as a target's (encrypted in the app, references in serve).
      const stored = await toStoredTarget(
        { id, url: base.url, auth: authInput(prepared.auth), tls: prepared.tls, headers: prepared.headers, secretHeaders: prepared.secretHeaders, timeoutMs: prepared.timeoutMs },
        this.opts.secrets,
      );
      config = SourceConfigSchema.parse({
        id,
        kind: 'prometheus-discovery',
        url: base.url,
        job,
        intervalMs: req.intervalMs,
        timeoutMs: stored.timeoutMs,
        auth: stored.auth,
        tls: stored.tls,
        headers: stored.headers,
        secretHeaders: stored.secretHeaders,
      });
    }
    const source = await this.open(config, true);
    const status = this.statusOf(source);
    if (status.lastLoadAt === null && status.lastError !== null) {
      // Nothing was ever loaded: most likely a typing error; nothing is kept or saved.
      await this.close(source, { removeTargets: true });
      throw new Error(status.lastError);
    }
    this.persist();
    return this.info(source);
  }

  async remove(id: string): Promise<void> {
    const source = this.sources.get(id);
    if (!source) throw new Error(`no source with id ${id}`);
    if (!source.saved) throw new Error('a source given on the command line is removed by restarting without it');
    await this.close(source, { removeTargets: true });
    this.persist();
    this.opts.onChange();
  }

  /** Every source: the ones run here, then Prometheus sources and static targets from the fleet's list. */
  describe(fleet: readonly StaticTargetView[]): SourceInfo[] {
    const out = [...this.sources.values()].map((source) => this.info(source));
    const statics = { settings: 0, commandLine: 0 };
    for (const { info, saved } of fleet) {
      if (info.source || info.demo || info.replay) continue;
      if (info.kind === 'prometheus') {
        out.push({
          id: info.id,
          kind: 'prometheus',
          location: info.url,
          detail: info.selector,
          lastLoadAt: info.lastSuccessAt,
          targetCount: info.nodes.length,
          lastError: info.lastError,
          removable: false,
        });
      } else if (saved) statics.settings++;
      else statics.commandLine++;
    }
    const staticSource = (id: string, location: string, count: number): SourceInfo => ({
      id,
      kind: 'static',
      location,
      detail: null,
      lastLoadAt: this.startedAt,
      targetCount: count,
      lastError: null,
      removable: false,
    });
    if (statics.settings > 0) out.push(staticSource('static-settings', 'settings', statics.settings));
    if (statics.commandLine > 0) out.push(staticSource('static-command-line', 'command line', statics.commandLine));
    return out;
  }

  async stop(): Promise<void> {
    // The fleet is stopping too: its targets are not removed one by one.
    await Promise.all([...this.sources.values()].map((source) => this.close(source, { removeTargets: false })));
  }

  private find(match: (config: SourceConfig) => boolean): RunningSource | undefined {
    return [...this.sources.values()].find((s) => match(s.config));
  }

  private async open(config: SourceConfig, saved: boolean): Promise<RunningSource> {
    const source: RunningSource = { config, saved, loader: null, targets: new Map(), setupError: null };
    this.sources.set(config.id, source);
    const apply = (list: TargetConfig[]) => this.apply(source, list);
    const onStatus = () => this.opts.onChange();
    const timing = this.opts.timing ?? {};
    try {
      if (config.kind === 'targets-file') {
        const watcher = watchTargetsFile({
          path: config.path,
          defaults: { intervalMs: config.intervalMs },
          onTargets: apply,
          onStatus,
          debounceMs: timing.fileDebounceMs,
          rescanMs: timing.fileRescanMs,
          now: this.now,
        });
        source.loader = { load: () => watcher.reload(), status: () => watcher.status(), close: () => watcher.close() };
      } else {
        const request = await scrapeRequestFor(
          TargetConfigSchema.parse({ id: config.id, url: config.url, auth: config.auth, tls: config.tls, headers: config.headers, secretHeaders: config.secretHeaders, timeoutMs: config.timeoutMs }),
          this.opts.secrets,
        );
        const discovery = discoverFromPrometheus({
          baseUrl: config.url,
          job: config.job,
          timeoutMs: config.timeoutMs,
          auth: request.auth,
          tls: request.tls,
          headers: request.headers,
          defaults: { intervalMs: config.intervalMs },
          refreshMs: timing.discoveryRefreshMs,
          onTargets: apply,
          onStatus,
          now: this.now,
        });
        source.loader = { load: () => discovery.refresh(), status: () => discovery.status(), close: () => discovery.close() };
      }
    } catch (error) {
      source.setupError = `${config.kind === 'targets-file' ? config.path : config.url}: ${(error as Error).message}`;
      this.opts.onChange();
      return source;
    }
    await source.loader.load();
    this.opts.onChange();
    return source;
  }

  /** Reconciles a new list into the fleet by target id. */
  private apply(source: RunningSource, list: TargetConfig[]): void {
    if (!this.sources.has(source.config.id)) return;
    const next = new Map<string, TargetConfig>();
    for (const target of list) {
      // Namespaced by source: two sources listing one URL are two targets, each removed with its source.
      const id = `${source.config.id}:${target.url}`;
      next.set(id, { ...target, id });
    }
    for (const id of source.targets.keys()) if (!next.has(id)) this.opts.sink.remove(id);
    for (const [id, target] of next) {
      const before = source.targets.get(id);
      if (!before) this.opts.sink.add(target, source.config.id);
      else if (JSON.stringify(before) !== JSON.stringify(target)) this.opts.sink.update(target);
    }
    source.targets = next;
    this.opts.onChange();
  }

  private async close(source: RunningSource, opts: { removeTargets: boolean }): Promise<void> {
    this.sources.delete(source.config.id);
    await source.loader?.close();
    if (opts.removeTargets) for (const id of source.targets.keys()) this.opts.sink.remove(id);
    source.targets.clear();
  }

  private persist(): void {
    this.opts.save([...this.sources.values()].filter((s) => s.saved).map((s) => s.config));
  }

  private statusOf(source: RunningSource): SourceLoadStatus {
    if (source.setupError) return { lastLoadAt: null, targetCount: 0, lastError: source.setupError };
    return source.loader!.status();
  }

  private info(source: RunningSource): SourceInfo {
    const { config } = source;
    const status = this.statusOf(source);
    return {
      id: config.id,
      kind: config.kind,
      location: config.kind === 'targets-file' ? config.path : config.url,
      detail: config.kind === 'prometheus-discovery' ? (config.job ?? null) : null,
      lastLoadAt: status.lastLoadAt,
      targetCount: source.targets.size,
      lastError: status.lastError,
      removable: source.saved,
    };
  }
}

/** A new source's credentials: every secret must be given (there is no stored one to keep). */
function authInput(auth: PreparedTargetRequest['auth']): TargetAuthInput {
  if (auth?.kind === 'basic') {
    if (auth.password === undefined) throw new Error('basic auth needs a password');
    return { kind: 'basic', username: auth.username, password: auth.password };
  }
  if (auth?.kind === 'bearer') {
    if (auth.token === undefined) throw new Error('bearer auth needs a token');
    return { kind: 'bearer', token: auth.token };
  }
  return { kind: 'none' };
}
