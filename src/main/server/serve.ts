// Composition for `gpu-pulse serve`: settings from a config folder, the service, the demo fleet
// when asked, and the HTTP adapter.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isLoopbackHost } from '../../shared/loopback';
import { PulseService } from '../core/service';
import { fileSettingsStore } from '../core/settings/file-store';
import { startDemoFleet } from '../core/sources/demo';
import type { TargetConfig } from '../core/fleet/target-config';
import type { SourceConfig } from '../core/fleet/source-config';
import { startHttpAdapter, type RunningHttpAdapter } from './http-adapter';
import { createFileAccessPolicy } from '../core/file-access';
import type { SecretRef } from '../core/fleet/secrets';
import { checkRequestPaths } from './request-paths';

export interface ServeOptions {
  host: string;
  port: number;
  demo: boolean;
  targets: TargetConfig[];
  /** Targets files and Prometheus discoveries followed while serving (not saved). */
  sources?: SourceConfig[];
  /** A recording to replay at start (gpu-pulse record output or a dcgmi dmon capture). */
  replay?: string;
  configDir: string;
  token?: string;
  /** Host names besides this machine's own that clients may use (e.g. behind a reverse proxy). */
  allowHosts?: string[];
  /** Folders whose files requests may name (inspector, replay, TLS files); none by default. */
  allowDirs?: string[];
  /** Secrets the operator configured (--secret NAME=env:VAR|file:PATH), chosen in the API by name. */
  namedSecrets?: Record<string, SecretRef>;
  version: string;
  log: (line: string) => void;
}

export interface RunningServe {
  url: string;
  token: string | null;
  service: PulseService;
  http: RunningHttpAdapter;
  close(): Promise<void>;
}

/** The built renderer sits in out/renderer next to out/main (this file may be in a chunk folder). */
export function findRendererDir(): string {
  const candidates = [process.env.GPU_PULSE_RENDERER_DIR, join(__dirname, '..', 'renderer'), join(__dirname, '..', '..', 'renderer'), resolve('out', 'renderer')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'index.html'))) return dir;
  throw new Error('the built UI (out/renderer/index.html) was not found; run `npm run build` first');
}

export async function startServe(opts: ServeOptions): Promise<RunningServe> {
  // Anything reachable beyond this machine must carry a token (DESIGN.md §7).
  const token = opts.token ?? (isLoopbackHost(opts.host) ? null : randomBytes(18).toString('base64url'));
  const settings = fileSettingsStore(opts.configDir);
  if (settings.notice) opts.log(`warning: ${settings.notice}`);
  const service = new PulseService({
    mode: 'serve',
    version: opts.version,
    settings,
    demo: opts.demo ? 'on' : 'off',
    extraTargets: opts.targets,
    extraSources: opts.sources,
    dataDir: opts.configDir,
    namedSecrets: opts.namedSecrets,
    startDemoFleet: () => startDemoFleet({ instances: 4, basePort: 0, gpus: 8, hostnamePrefix: 'demo-node-' }),
  });
  await service.start();
  if (opts.replay) await service.openReplay(opts.replay);
  // The same /metrics as `gpu-pulse exporter`: computed GPU metrics, self-metrics, held-idle gauges.
  const metrics = service.metrics;
  const http = await startHttpAdapter({
    service,
    host: opts.host,
    port: opts.port,
    rendererDir: findRendererDir(),
    token: token ?? undefined,
    allowHosts: opts.allowHosts,
    beforeCall: checkRequestPaths(createFileAccessPolicy(opts.allowDirs ?? [])),
    metrics: (accept, acceptEncoding) => metrics.metricsResponse(accept, acceptEncoding),
  });
  return {
    url: http.url,
    token,
    service,
    http,
    async close() {
      await http.close();
      await service.stop();
    },
  };
}
