// `gpu-pulse push`: read the sources once and push GPU Pulse's computed metrics to a
// Prometheus Pushgateway, e.g. at the end of a batch job.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDuration } from '../../core/export/duration';
import { CollectError, collectOnce, describeTargetFailure, loadTargets } from '../headless';
import { PushError, parseGroupingArgs, pushToGateway, type PushMethod } from '../../core/export/pushgateway';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse push --gateway URL --job NAME [options] SOURCE...

Scrape each SOURCE (a dcgm-exporter metrics URL) once and push GPU Pulse's computed metrics
to a Prometheus Pushgateway under the grouping key job=NAME plus any --grouping labels.

Options:
  --gateway URL             the Pushgateway, e.g. http://pushgateway:9091
  --job NAME                job label of the group
  --grouping LABEL=VALUE    more grouping-key labels (repeatable); values with "/" or empty
                            values are sent base64url-encoded, as the Pushgateway expects
  --replace                 replace every metric in the group (HTTP PUT; the default)
  --add                     replace only the metric names pushed (HTTP POST)
  --delete                  delete the group (HTTP DELETE; no SOURCE needed)
  --targets-file FILE       more sources: one URL per line, or a Prometheus file_sd list
  --username USER           basic auth user for the gateway
  --password-file FILE      file holding the basic auth password (never on the command line)
  --ca-file FILE            CA certificate(s) to verify an https gateway
  --cert-file FILE          client certificate for the gateway
  --key-file FILE           client key for the gateway
  --insecure-skip-verify    do not verify the gateway's certificate (testing only)
  --timeout DURATION        how long to wait for the sources and the gateway (default 30s)
  -h, --help                show this help

Exit status: 0 when the gateway accepted the request, 1 when it refused it or every source
failed, 2 on bad usage.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('push', HELP, args, io, {
    gateway: { type: 'string' },
    job: { type: 'string' },
    grouping: { type: 'string', multiple: true, default: [] },
    replace: { type: 'boolean', default: false },
    add: { type: 'boolean', default: false },
    delete: { type: 'boolean', default: false },
    'targets-file': { type: 'string' },
    username: { type: 'string' },
    'password-file': { type: 'string' },
    'ca-file': { type: 'string' },
    'cert-file': { type: 'string' },
    'key-file': { type: 'string' },
    'insecure-skip-verify': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '30s' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;
  if (!values.gateway) return usageError(`--gateway URL is required\n\n${HELP}`);
  if (!values.job) return usageError(`--job NAME is required\n\n${HELP}`);
  const modes = (['replace', 'add', 'delete'] as const).filter((m) => values[m]);
  if (modes.length > 1) return usageError(`choose one of --replace, --add and --delete, not ${modes.map((m) => `--${m}`).join(' and ')}`);
  const method: PushMethod = modes[0] ?? 'replace';
  if (method !== 'delete' && positionals.length === 0 && !values['targets-file']) return usageError(`give at least one SOURCE URL or --targets-file\n\n${HELP}`);
  if (method === 'delete' && positionals.length > 0) return usageError('--delete takes no SOURCE: it deletes the group as it is');
  if ((values.username === undefined) !== (values['password-file'] === undefined)) return usageError('--username and --password-file go together');
  if ((values['cert-file'] === undefined) !== (values['key-file'] === undefined)) return usageError('--cert-file and --key-file go together');

  let grouping: Array<[string, string]>;
  let timeoutMs: number;
  let auth: { username: string; password: string } | undefined;
  try {
    grouping = parseGroupingArgs(values.grouping!);
    timeoutMs = parseDuration(values.timeout!, '--timeout');
    if (values.username !== undefined) {
      const file = resolve(io.cwd, values['password-file']!);
      let password: string;
      try {
        password = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        throw new Error(`cannot read --password-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      auth = { username: values.username, password };
    }
  } catch (err) {
    return usageError((err as Error).message);
  }
  const file = (p: string | undefined) => (p === undefined ? undefined : resolve(io.cwd, p));
  const pushOptions = {
    gateway: values.gateway,
    job: values.job,
    grouping,
    method,
    auth,
    tls: { caFile: file(values['ca-file']), certFile: file(values['cert-file']), keyFile: file(values['key-file']), insecureSkipVerify: values['insecure-skip-verify'] },
    timeoutMs,
  };

  try {
    let body: string | undefined;
    let gpus = 0;
    if (method !== 'delete') {
      const targets = await loadTargets({ urls: positionals, targetsFile: values['targets-file'] });
      const collected = await collectOnce({ targets, version: __GPU_PULSE_VERSION__, timeoutMs });
      for (const t of collected.failed) io.stderr(`gpu-pulse push: warning: ${describeTargetFailure(t)}\n`);
      body = await collected.metrics.render('prometheus');
      gpus = collected.gpus.length;
    }
    const result = await pushToGateway(pushOptions, body);
    io.stdout(method === 'delete' ? `deleted ${result.url}\n` : `pushed ${gpus} GPUs to ${result.url} (${method})\n`);
    return 0;
  } catch (err) {
    if (err instanceof CollectError || err instanceof PushError) {
      io.stderr(`gpu-pulse push: ${err.message}\n`);
      return 1;
    }
    if ((err as Error).name === 'TargetsFileError') return usageError((err as Error).message);
    throw err;
  }
}

declare const __GPU_PULSE_VERSION__: string;
