// `gpu-pulse textfile`: read the sources once and write GPU Pulse's computed metrics to a file
// for node_exporter's textfile collector (run it from cron or a systemd timer).
import { resolve } from 'node:path';
import { parseDuration } from '../../core/export/duration';
import { CollectError, collectOnce, describeTargetFailure, loadTargets } from '../headless';
import { writeTextfile } from '../../core/export/textfile';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse textfile --out PATH SOURCE... [options]

Scrape each SOURCE (a dcgm-exporter metrics URL) once and write GPU Pulse's computed metrics
(gpu_pulse_real_utilization_ratio, gpu_pulse_workload_class, gpu_pulse_health,
gpu_pulse_gpu_info, self-metrics) in text format 0.0.4 to PATH, atomically: node_exporter's
textfile collector (--collector.textfile.directory) never reads a half-written file.

Options:
  --out PATH            file to write; node_exporter reads only names ending in .prom
  --targets-file FILE   more sources: one URL per line, or a Prometheus file_sd list
  --timeout DURATION    how long to wait for the sources (default 30s)
  -h, --help            show this help

Exit status: 0 when the file was written (sources that failed are reported on stderr),
1 when every source failed or the file could not be written, 2 on bad usage.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('textfile', HELP, args, io, {
    out: { type: 'string' },
    'targets-file': { type: 'string' },
    timeout: { type: 'string', default: '30s' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;
  if (!values.out) return usageError(`--out PATH is required\n\n${HELP}`);
  if (positionals.length === 0 && !values['targets-file']) return usageError(`give at least one SOURCE URL or --targets-file\n\n${HELP}`);
  let timeoutMs: number;
  let targets;
  try {
    timeoutMs = parseDuration(values.timeout!, '--timeout');
    targets = await loadTargets({ urls: positionals, targetsFile: values['targets-file'] });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const out = resolve(io.cwd, values.out);
  if (!out.endsWith('.prom')) io.stderr(`gpu-pulse textfile: warning: node_exporter's textfile collector reads only files ending in .prom, not ${out}\n`);

  try {
    const collected = await collectOnce({ targets, version: __GPU_PULSE_VERSION__, timeoutMs });
    for (const t of collected.failed) io.stderr(`gpu-pulse textfile: warning: ${describeTargetFailure(t)}\n`);
    const bytes = await writeTextfile(out, collected.metrics);
    io.stdout(`wrote ${out} (${collected.gpus.length} GPUs, ${bytes} bytes)\n`);
    return 0;
  } catch (err) {
    const message = err instanceof CollectError ? err.message : `cannot write ${out}: ${(err as Error).message}`;
    io.stderr(`gpu-pulse textfile: ${message}\n`);
    return 1;
  }
}

declare const __GPU_PULSE_VERSION__: string;
