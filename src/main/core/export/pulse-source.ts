// The PulseService as the data behind the exporter, textfile and Pushgateway commands: started
// headless on the given targets, with secret references resolved the serve-mode way
// (environment or file); its self-metrics come with it.
import type { TargetInfo } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { createServeSecretStore, type SecretStore } from '../fleet/secrets';
import { parseTargetsFile, type TargetConfig } from '../fleet/targets';
import { PulseService } from '../service';
import { makeTargetConfig } from '../fleet/target-input';
import { defaultSettings } from '../settings/schema';
import { memorySettingsStore } from '../settings/store';
import type { PulseMetrics } from './metrics-registry';

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

/**
 * The targets a command names: URLs (ids `cli-0`, `cli-1`... as serve mode gives them) plus the
 * entries of a targets file. `intervalMs` overrides the scrape interval of all of them.
 */
export async function loadTargets(opts: { urls: string[]; targetsFile?: string; intervalMs?: number }): Promise<TargetConfig[]> {
  const targets: TargetConfig[] = opts.urls.map((url, i) => {
    try {
      return makeTargetConfig({ url, id: `cli-${i}` });
    } catch {
      throw new Error(`"${url}" is not a URL; give an exporter address such as http://node:9400/metrics`);
    }
  });
  if (opts.targetsFile) targets.push(...(await parseTargetsFile(opts.targetsFile)));
  return opts.intervalMs === undefined ? targets : targets.map((t) => ({ ...t, intervalMs: opts.intervalMs! }));
}
