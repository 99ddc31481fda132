// `gpu-pulse exporter`: headless, scrapes dcgm-exporters and serves what GPU Pulse computes
// (real utilization, workload class, health, GPU info) at /metrics for Prometheus.
import { parseDuration } from '../../core/export/duration';
import { isLoopbackHost } from '../../../shared/loopback';
import { parseListenAddress } from '../../core/export/exporter-server';
import { loadTargets, startExporter } from '../headless';
import { loadWebConfig, type WebConfig } from '../../core/export/web-config';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse exporter --source URL [--source URL...] [options]

Scrape dcgm-exporters and serve GPU Pulse's computed metrics for Prometheus:
gpu_pulse_real_utilization_ratio, gpu_pulse_workload_class, gpu_pulse_health,
gpu_pulse_gpu_info and GPU Pulse's own scrape metrics, at /metrics (OpenMetrics 1.0 or
text 0.0.4 by the Accept header, gzip when accepted), with /health and a landing page.

Options:
  --source URL          a dcgm-exporter metrics URL (repeatable; URLs may also be given
                        without --source)
  --targets-file FILE   more sources: one URL per line, or a Prometheus file_sd list
  --listen HOST:PORT    address to serve on (default 127.0.0.1:9401; port 0 = a free one)
  --web-config FILE     TLS and basic auth, in the format every Prometheus exporter reads
                        (tls_server_config, basic_auth_users with bcrypt hashes)
  --interval DURATION   how often to scrape each source (default 15s)
  -h, --help            show this help

Prints "listening on URL" when ready; stops on SIGINT or SIGTERM.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('exporter', HELP, args, io, {
    source: { type: 'string', multiple: true, default: [] },
    'targets-file': { type: 'string' },
    listen: { type: 'string', default: '127.0.0.1:9401' },
    'web-config': { type: 'string' },
    interval: { type: 'string', default: '15s' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;
  let listen: { host: string; port: number };
  let intervalMs: number;
  try {
    listen = parseListenAddress(values.listen!);
    intervalMs = parseDuration(values.interval!, '--interval');
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (intervalMs < 1000) return usageError('--interval must be at least 1s');
  const urls = [...values.source!, ...positionals];
  if (urls.length === 0 && !values['targets-file']) return usageError(`give at least one --source URL or --targets-file\n\n${HELP}`);

  let targets;
  let webConfig: WebConfig | null = null;
  try {
    targets = await loadTargets({ urls, targetsFile: values['targets-file'], intervalMs });
    if (values['web-config']) webConfig = await loadWebConfig(values['web-config']);
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (targets.length === 0) return usageError('the targets file lists no targets');
  if (!isLoopbackHost(listen.host) && Object.keys(webConfig?.basicAuthUsers ?? {}).length === 0) {
    io.stderr(`gpu-pulse exporter: warning: serving on ${listen.host} without basic auth; anyone who can reach it can read the metrics (see --web-config)\n`);
  }

  let running;
  try {
    running = await startExporter({ targets, host: listen.host, port: listen.port, webConfig, version: __GPU_PULSE_VERSION__, log: (line) => io.stderr(`${line}\n`) });
  } catch (err) {
    io.stderr(`gpu-pulse exporter: cannot listen on ${values.listen}: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout(`listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

declare const __GPU_PULSE_VERSION__: string;
