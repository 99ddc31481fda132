// `gpu-pulse demo-exporter`: run one simulated dcgm-exporter, or a fleet of them, on 127.0.0.1
// until SIGINT/SIGTERM. Scripts and tests wait for the `listening on http://127.0.0.1:PORT`
// lines on stdout (one per exporter, real ports even with --port 0), so nothing else goes there.
import { parseArgs } from 'node:util';

import type { CliIo } from '../io';
import {
  DEFAULT_COLLECT_INTERVAL_MS,
  DEFAULT_DEMO_SEED,
  DEFAULT_MODEL,
  MAX_DEMO_GPUS,
  startDemoExporter,
  startDemoFleet,
} from '../../core/sources/demo';

const HOST = '127.0.0.1';
const MAX_INSTANCES = 5000;

const HELP = `Usage: gpu-pulse demo-exporter --port N [options]
       gpu-pulse demo-exporter --instances N [--base-port P] [options]

Run simulated NVIDIA dcgm-exporters on ${HOST}: /metrics serves the exporter's exposition text
(default and profiling fields) for GPUs running moving workloads; /health answers OK.
Prints "listening on http://${HOST}:PORT" once per exporter, then runs until interrupted.

Options:
  --port N              port for a single exporter, 0 for a free one (required without --instances)
  --instances N         run N exporters in this process (1-${MAX_INSTANCES}), host names H1..HN
  --base-port P         with --instances: exporter i listens on P+i-1; 0 (default) = free ports
  --gpus N              GPUs per exporter, 1-${MAX_DEMO_GPUS} (default 8)
  --hostname H          Hostname label (default demo-node-1); with --instances, the prefix
                        (default demo-node-)
  --seed S              seed for the simulation, 0-4294967295 (default ${DEFAULT_DEMO_SEED})
  --model NAME          modelName label and physical envelope (default "${DEFAULT_MODEL}")
  --collect-interval MS how often values change, like dcgm-exporter's (default ${DEFAULT_COLLECT_INTERVAL_MS})
  -h, --help            show this help
`;

class UsageError extends Error {}

function intFlag(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

// Host names go into a label verbatim; keep them to what a real host name can be.
const HOSTNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export async function run(
  args: string[],
  io: CliIo,
  // Resolves when the exporters should stop; tests pass their own instead of sending signals.
  until?: Promise<unknown>,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        gpus: { type: 'string' },
        hostname: { type: 'string' },
        seed: { type: 'string' },
        model: { type: 'string' },
        instances: { type: 'string' },
        'base-port': { type: 'string' },
        'collect-interval': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`gpu-pulse demo-exporter: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }

  let port: number | undefined;
  let instances: number | undefined;
  let basePort: number | undefined;
  let gpus: number | undefined;
  let seed: number | undefined;
  let collectIntervalMs: number | undefined;
  try {
    port = intFlag('port', values.port, 0, 65535);
    instances = intFlag('instances', values.instances, 1, MAX_INSTANCES);
    basePort = intFlag('base-port', values['base-port'], 0, 65535);
    gpus = intFlag('gpus', values.gpus, 1, MAX_DEMO_GPUS);
    seed = intFlag('seed', values.seed, 0, 4294967295);
    collectIntervalMs = intFlag('collect-interval', values['collect-interval'], 100, 3_600_000);
    if (instances === undefined) {
      if (basePort !== undefined) throw new UsageError('--base-port needs --instances (use --port for one exporter)');
      if (port === undefined) throw new UsageError('--port is required (use --port 0 for a free port), or use --instances');
    } else {
      if (port !== undefined) throw new UsageError('--port cannot be combined with --instances (use --base-port)');
      if (basePort && basePort + instances - 1 > 65535) {
        throw new UsageError(`--base-port ${basePort} with --instances ${instances} runs past port 65535`);
      }
    }
    if (values.hostname !== undefined && !HOSTNAME_RE.test(values.hostname)) {
      throw new UsageError(`--hostname must be a host name (letters, digits, ".", "-", "_"), got "${values.hostname}"`);
    }
    if (values.model !== undefined && (values.model.trim() === '' || /[\x00-\x1f"\\]/.test(values.model))) {
      throw new UsageError(`--model must be a non-empty name without quotes, backslashes or control characters, got "${values.model}"`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`gpu-pulse demo-exporter: ${err.message}\nRun 'gpu-pulse demo-exporter --help' for usage.\n`);
    return 2;
  }

  let running: { ports: number[]; close(): Promise<void> };
  try {
    if (instances === undefined) {
      const e = await startDemoExporter({
        port, host: HOST, gpus, seed, model: values.model, hostname: values.hostname, collectIntervalMs,
      });
      running = { ports: [e.port], close: () => e.close() };
    } else {
      const fleet = await startDemoFleet({
        instances, basePort: basePort ?? 0, gpus, seed, model: values.model,
        hostnamePrefix: values.hostname, collectIntervalMs,
      });
      running = { ports: fleet.exporters.map((e) => e.port), close: () => fleet.close() };
    }
  } catch (err) {
    io.stderr(`gpu-pulse demo-exporter: cannot listen on ${HOST}: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout(running.ports.map((p) => `listening on http://${HOST}:${p}\n`).join(''));
  await (until ?? processSignal());
  await running.close();
  return 0;
}

function processSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      // Drop both listeners so a finished command leaves no handlers behind.
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
