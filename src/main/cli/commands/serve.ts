import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';
import { startServe } from '../../server/serve';
import { targetsFromUrls } from '../headless';
import { defaultConfigDir } from '../../core/settings/file-store';
import { resolve } from 'node:path';
import { parseTargetsFile } from '../../core/fleet/targets-file';
import { SourceConfigSchema, type SourceConfig } from '../../core/fleet/source-config';
import { makeTargetConfig } from '../../core/fleet/target-input';
import { parseSelector } from '../../core/sources/prometheus/source';
import { parseNamedSecret } from '../../core/fleet/target-request';
import type { SecretRef } from '../../core/fleet/secrets';
import { readFile, stat } from 'node:fs/promises';

const HELP = `Usage: gpu-pulse serve [options]

Serve the GPU Pulse UI and API over HTTP, for machines without a display.

Options:
  --host HOST          address to bind (default 127.0.0.1; any other address requires a token)
  --port N             port to listen on, 0 for a free one (default 8484)
  --demo               also run the built-in demo fleet (4 simulated nodes, 8 GPUs each)
  --target URL         scrape this dcgm-exporter URL (repeatable; not saved)
  --targets-file FILE  scrape the URLs in FILE: one per line, or a Prometheus file_sd JSON/YAML list;
                       re-read when it changes and every 5 minutes (repeatable)
  --discover-prometheus URL
                       scrape directly the exporters this Prometheus scrapes, followed every minute
                       (repeatable): those of --discover-job, or else every one serving DCGM metrics
  --discover-job NAME  with --discover-prometheus: adopt the targets of this scrape job
  --discover-username USER, --discover-password-file FILE, --discover-bearer-token-file FILE
                       with --discover-prometheus: credentials for the Prometheus API (read from files)
  --interval SECONDS   poll interval for --target, --targets-file and discovered targets (default 15)
  --replay FILE        replay a recording (gpu-pulse record output, .gz, or a dcgmi dmon capture)
  --prometheus URL     read the GPUs a Prometheus server scrapes (repeatable; polled every --interval)
  --selector SEL       with --prometheus: label matchers, e.g. '{cluster="a100-pool"}'
  --config-dir DIR     where settings live (default ${defaultConfigDir()})
  --token TOKEN        require this token for /api and /metrics (generated when binding beyond
                       loopback); use one on shared machines, where other users reach loopback
  --token-file FILE    read the token from FILE (keeps it out of the process list)
  --allow-host NAME    also accept this host name in requests, e.g. behind a reverse proxy
                       (repeatable; this machine's loopback names are always accepted)
  --allow-dir DIR      let requests open files in DIR for the inspector and replay (repeatable;
                       otherwise files arrive by upload only)
  --secret NAME=env:VAR|NAME=file:PATH
                       a credential targets added in the UI may use by NAME (repeatable);
                       serve never stores a password typed in the UI
  -h, --help           show this help
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('serve', HELP, args, io, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8484' },
    demo: { type: 'boolean', default: false },
    target: { type: 'string', multiple: true, default: [] },
    'targets-file': { type: 'string', multiple: true, default: [] },
    'discover-prometheus': { type: 'string', multiple: true, default: [] },
    'discover-job': { type: 'string' },
    'discover-username': { type: 'string' },
    'discover-password-file': { type: 'string' },
    'discover-bearer-token-file': { type: 'string' },
    interval: { type: 'string' },
    replay: { type: 'string' },
    prometheus: { type: 'string', multiple: true, default: [] },
    selector: { type: 'string' },
    'config-dir': { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'allow-host': { type: 'string', multiple: true, default: [] },
    'allow-dir': { type: 'string', multiple: true, default: [] },
    secret: { type: 'string', multiple: true, default: [] },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;
  if (positionals.length > 0) return usageError(`unexpected argument "${positionals[0]}" (targets go after --target)`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  const intervalMs = values.interval === undefined ? undefined : Math.round(Number(values.interval) * 1000);
  if (intervalMs !== undefined && !(intervalMs >= 1000 && intervalMs <= 3_600_000)) return usageError(`--interval must be a number of seconds from 1 to 3600, got "${values.interval}"`);
  let targets;
  try {
    targets = targetsFromUrls(values.target ?? [], intervalMs);
  } catch (err) {
    io.stderr(`gpu-pulse serve: --target: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    (values.prometheus ?? []).forEach((url, i) => targets.push(makeTargetConfig({ url, id: `prometheus-${i}`, kind: 'prometheus', selector: values.selector, intervalMs })));
  } catch (err) {
    io.stderr(`gpu-pulse serve: --prometheus: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.selector !== undefined) {
    const selector = parseSelector(values.selector);
    if (!selector.ok) {
      io.stderr(`gpu-pulse serve: --selector: ${selector.message} (${selector.remedy})\n`);
      return 2;
    }
  }
  const sources: SourceConfig[] = [];
  for (const [i, file] of (values['targets-file'] ?? []).entries()) {
    const path = resolve(io.cwd, file);
    try {
      // A file that cannot be read at start is most likely a typing error: say so now. Later
      // bad edits keep the last good list while serving.
      await parseTargetsFile(path, { intervalMs });
    } catch (err) {
      io.stderr(`gpu-pulse serve: ${(err as Error).message}\n`);
      return 2;
    }
    sources.push(SourceConfigSchema.parse({ id: `file-${i}`, kind: 'targets-file', path, intervalMs }));
  }
  const namedSecrets: Record<string, SecretRef> = {};
  for (const spec of values.secret ?? []) {
    try {
      const [name, ref] = parseNamedSecret(spec);
      namedSecrets[name] = ref;
    } catch (err) {
      return usageError(`--secret: ${(err as Error).message}`);
    }
  }
  for (const dir of values['allow-dir'] ?? []) {
    if (!(await stat(dir).then((st) => st.isDirectory(), () => false))) return usageError(`--allow-dir: ${JSON.stringify(dir)} is not a folder`);
  }
  if (targets.some((t) => new URL(t.url).username || new URL(t.url).password)) {
    return usageError('--target: a URL with user:password would show the password; give it as --secret NAME=env:VAR (or file:PATH) and add the target with that secret in the UI or API');
  }
  let token = values.token;
  if (values['token-file']) {
    if (token) return usageError('give --token or --token-file, not both');
    try {
      token = (await readFile(values['token-file'], 'utf8')).trim();
    } catch (err) {
      return usageError(`--token-file: cannot read ${values['token-file']} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!token) return usageError(`--token-file: ${values['token-file']} is empty`);
  }
  const discovery = discoverySources(values, intervalMs, io.cwd);
  if ('error' in discovery) return usageError(discovery.error);
  sources.push(...discovery.sources);
  const running = await startServe({
    host: values.host!,
    port,
    demo: values.demo!,
    targets,
    sources,
    replay: values.replay,
    configDir: values['config-dir'] ?? defaultConfigDir(),
    token,
    allowHosts: values['allow-host'],
    allowDirs: values['allow-dir'],
    namedSecrets,
    version: __GPU_PULSE_VERSION__,
    log: (line) => io.stderr(line + '\n'),
  });
  io.stdout(`listening on ${running.url}\n`);
  if (running.token) io.stdout(`open ${running.url}/?token=${running.token}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

interface DiscoveryFlags {
  'discover-prometheus'?: string[];
  'discover-job'?: string;
  'discover-username'?: string;
  'discover-password-file'?: string;
  'discover-bearer-token-file'?: string;
}

/** --discover-* flags -> discovery sources; secrets stay in their files (read at each connection). */
function discoverySources(values: DiscoveryFlags, intervalMs: number | undefined, cwd: string): { sources: SourceConfig[] } | { error: string } {
  const urls = values['discover-prometheus'] ?? [];
  const username = values['discover-username'];
  const passwordFile = values['discover-password-file'];
  const tokenFile = values['discover-bearer-token-file'];
  if (urls.length === 0) {
    const stray = (['discover-job', 'discover-username', 'discover-password-file', 'discover-bearer-token-file'] as const).find((f) => values[f] !== undefined);
    return stray ? { error: `--${stray} goes with --discover-prometheus URL` } : { sources: [] };
  }
  if ((username === undefined) !== (passwordFile === undefined)) return { error: '--discover-username and --discover-password-file go together' };
  if (tokenFile !== undefined && username !== undefined) return { error: 'give either basic auth or --discover-bearer-token-file, not both' };
  const auth =
    username !== undefined
      ? { kind: 'basic', username, password: { file: resolve(cwd, passwordFile!) } }
      : tokenFile !== undefined
        ? { kind: 'bearer', token: { file: resolve(cwd, tokenFile) } }
        : { kind: 'none' };
  const sources: SourceConfig[] = [];
  for (const [i, url] of urls.entries()) {
    const parsed = SourceConfigSchema.safeParse({ id: `discovery-${i}`, kind: 'prometheus-discovery', url, job: values['discover-job'], intervalMs, auth });
    if (!parsed.success) return { error: `--discover-prometheus ${url}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    sources.push(parsed.data);
  }
  return { sources };
}

declare const __GPU_PULSE_VERSION__: string;
