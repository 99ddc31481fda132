// The PulseService without a window, as the exporter, textfile, push and record commands
// use it: targets from URLs and targets files, secret references resolved the serve-mode way
// (environment or file), one-shot collection, and the exporter's long-running server.
import type { TargetInfo } from '../../shared/api';
import type { GpuSnapshot } from '../../shared/gpu';
import { startExporterServer, type RunningExporterServer } from '../core/export/exporter-server';
import type { PulseMetrics } from '../core/export/metrics-registry';
import type { WebConfig } from '../core/export/web-config';
import { createServeSecretStore, type SecretStore } from '../core/fleet/secrets';
import type { TargetConfig } from '../core/fleet/target-config';
import { makeTargetConfig } from '../core/fleet/target-input';
import { parseTargetsFile } from '../core/fleet/targets-file';
import { PulseService } from '../core/service';
import { defaultSettings } from '../core/settings/schema';
import { memorySettingsStore } from '../core/settings/store';

export function createHeadlessService(opts: { targets: TargetConfig[]; version: string; secrets?: SecretStore }): PulseService {
  return new PulseService({
    mode: 'serve',
    version: opts.version,
    settings: memorySettingsStore(defaultSettings()),
    demo: 'off',
    extraTargets: opts.targets,
    secrets: opts.secrets ?? createServeSecretStore(),
  });
}

/** Exporter URLs as targets with ids `cli-0`, `cli-1`..., as serve mode names them. */
export function targetsFromUrls(urls: string[], intervalMs?: number): TargetConfig[] {
  return urls.map((url, i) => {
    try {
      return makeTargetConfig({ url, id: `cli-${i}`, intervalMs });
    } catch {
      throw new Error(`"${url}" is not a URL; give an exporter address such as http://node:9400/metrics`);
    }
  });
}

/**
 * The targets a command names: URLs plus the entries of a targets file. `intervalMs`
 * overrides the scrape interval of all of them.
 */
export async function loadTargets(opts: { urls: string[]; targetsFile?: string; intervalMs?: number }): Promise<TargetConfig[]> {
  const targets = targetsFromUrls(opts.urls);
  if (opts.targetsFile) targets.push(...(await parseTargetsFile(opts.targetsFile)));
  return opts.intervalMs === undefined ? targets : targets.map((t) => ({ ...t, intervalMs: opts.intervalMs! }));
}

export class CollectError extends Error {
  constructor(
    message: string,
    readonly targets: TargetInfo[],
  ) {
    super(message);
    this.name = 'CollectError';
  }
}

export interface CollectedSnapshot {
  gpus: GpuSnapshot[];
  targets: TargetInfo[];
  /** Targets whose first scrape failed (the others still produced data). */
  failed: TargetInfo[];
  /** The registry over this fixed snapshot, self-metrics included. */
  metrics: PulseMetrics;
}

export function describeTargetFailure(t: TargetInfo): string {
  return `${t.url}: ${t.state}${t.lastError ? ` (${t.lastError})` : ''}${t.remedy ? `; ${t.remedy}` : ''}`;
}

/**
 * One-shot collection for the textfile and Pushgateway commands: start the service, wait until
 * every target has finished its first scrape, stop it, and return what it computed. Throws
 * CollectError when no target answered, or on timeout.
 */
export async function collectOnce(opts: { targets: TargetConfig[]; version: string; timeoutMs?: number; secrets?: SecretStore }): Promise<CollectedSnapshot> {
  if (opts.targets.length === 0) throw new CollectError('no sources given', []);
  // The scheduler starts each target at a random phase of its interval; a short interval makes
  // the first scrape prompt. The service stops right after it, so there is no second one.
  const targets = opts.targets.map((t) => ({ ...t, intervalMs: 1_000 }));
  const service = createHeadlessService({ targets, version: opts.version, secrets: opts.secrets });
  const timeoutMs = opts.timeoutMs ?? Math.max(...targets.map((t) => t.timeoutMs ?? 10_000)) + 5_000;
  await service.start();
  try {
    const deadline = Date.now() + timeoutMs;
    let infos = await service.getTargets();
    while (infos.some((t) => t.state === 'pending')) {
      if (Date.now() > deadline) {
        const pending = infos.filter((t) => t.state === 'pending').map((t) => t.url);
        throw new CollectError(`no answer within ${timeoutMs} ms from ${pending.join(', ')}`, infos);
      }
      await new Promise((r) => setTimeout(r, 50));
      infos = await service.getTargets();
    }
    const gpus = await service.getGpus();
    const failed = infos.filter((t) => t.state !== 'up');
    if (failed.length === infos.length) {
      throw new CollectError(`every source failed:\n${failed.map((t) => `  ${describeTargetFailure(t)}`).join('\n')}`, infos);
    }
    return { gpus, targets: infos, failed, metrics: service.metrics };
  } finally {
    await service.stop();
  }
}

export interface RunningExporter extends RunningExporterServer {
  service: PulseService;
}

/**
 * `gpu-pulse exporter` without the command line: the service scraping `targets`, and the server
 * publishing what it computes plus the self-metrics.
 */
export async function startExporter(opts: {
  targets: TargetConfig[];
  host: string;
  port: number;
  webConfig?: WebConfig | null;
  version: string;
  secrets?: SecretStore;
  log?: (line: string) => void;
}): Promise<RunningExporter> {
  const service = createHeadlessService({ targets: opts.targets, version: opts.version, secrets: opts.secrets });
  const metrics = service.metrics;
  await service.start();
  let server: RunningExporterServer;
  try {
    server = await startExporterServer({
      host: opts.host,
      port: opts.port,
      metrics,
      webConfig: opts.webConfig,
      log: opts.log,
      status: async () => {
        const targets = await service.getTargets();
        const up = targets.filter((t) => t.state === 'up').length;
        const gpus = (await service.getGpus()).length;
        return `${up} of ${targets.length} sources up, ${gpus} GPUs.`;
      },
    });
  } catch (err) {
    await service.stop();
    throw err;
  }
  return {
    ...server,
    service,
    async close() {
      await server.close();
      await service.stop();
    },
  };
}
