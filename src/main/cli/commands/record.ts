// `gpu-pulse record`: record what dcgm-exporters serve to an OpenMetrics file with timestamps,
// to replay in GPU Pulse, attach to a ticket, or import into Prometheus with
// `promtool tsdb create-blocks-from openmetrics`.
import { resolve } from 'node:path';
import { parseDuration } from '../../core/export/duration';
import { loadTargets } from '../headless';
import { finishInterruptedRecording, recordingSources, startRecorder, type RecordingSummary } from '../../core/export/recording';
import { createServeSecretStore } from '../../core/fleet/secrets';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse record --out FILE[.gz] [options] SOURCE...
       gpu-pulse record --recover FILE[.gz]

Record what each SOURCE (a dcgm-exporter metrics URL) serves to FILE: OpenMetrics 1.0 text
with sample timestamps, gzipped when FILE ends in .gz. Open it in GPU Pulse to replay it, or
import it into Prometheus:  promtool tsdb create-blocks-from openmetrics FILE DATA_DIR
(gunzip it first). Recording stops when --duration ends or on Ctrl-C / SIGTERM, and the file
is finished properly either way. Data is flushed to disk after every scrape round, so a crash
loses at most one round: --recover then finishes what was recorded.

Options:
  --out FILE            the recording to write (replaced if it exists)
  --duration DURATION   stop after this long (e.g. 60s, 15m); default: until interrupted
  --interval DURATION   time between scrapes of each source (default 5s)
  --targets-file FILE   more sources: one URL per line, or a Prometheus file_sd list
  --recover FILE        finish the recording an interrupted run left in FILE.parts
  -h, --help            show this help

Exit status: 0 when the recording holds data, 1 when no source answered or on an error,
2 on bad usage.
`;

function describe(summary: RecordingSummary): string {
  const span = summary.firstMs === null || summary.lastMs === null ? 'no data' : `${new Date(summary.firstMs).toISOString()} to ${new Date(summary.lastMs).toISOString()}`;
  return `wrote ${summary.path}: ${summary.scrapes} scrapes, ${summary.samples} samples in ${summary.families} families, ${span}, ${summary.bytes} bytes${summary.gzip ? ' (gzip)' : ''}\n`;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('record', HELP, args, io, {
    out: { type: 'string' },
    duration: { type: 'string' },
    interval: { type: 'string', default: '5s' },
    'targets-file': { type: 'string' },
    recover: { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;

  if (values.recover !== undefined) {
    if (values.out !== undefined || positionals.length > 0) return usageError('--recover takes only the recording to finish');
    try {
      io.stdout(describe(await finishInterruptedRecording(resolve(io.cwd, values.recover))));
      return 0;
    } catch (err) {
      io.stderr(`gpu-pulse record: ${(err as Error).message}\n`);
      return 1;
    }
  }

  if (!values.out) return usageError(`--out FILE is required\n\n${HELP}`);
  if (positionals.length === 0 && !values['targets-file']) return usageError(`give at least one SOURCE URL or --targets-file\n\n${HELP}`);
  let intervalMs: number;
  let durationMs: number | undefined;
  let sources;
  try {
    intervalMs = parseDuration(values.interval!, '--interval');
    if (intervalMs < 100) throw new Error('--interval must be at least 100ms');
    durationMs = values.duration === undefined ? undefined : parseDuration(values.duration, '--duration');
    if (durationMs !== undefined && durationMs <= 0) throw new Error('--duration must be positive');
    const targets = await loadTargets({ urls: positionals, targetsFile: values['targets-file'] });
    sources = await recordingSources(targets, createServeSecretStore());
  } catch (err) {
    return usageError((err as Error).message);
  }

  const out = resolve(io.cwd, values.out);
  const failing = new Set<string>();
  let recorder;
  try {
    recorder = await startRecorder({
      out,
      sources,
      intervalMs,
      durationMs,
      onScrape(event) {
        // Say when a source starts failing and when it is back, not at every round.
        if (!event.ok && !failing.has(event.source)) {
          failing.add(event.source);
          io.stderr(`gpu-pulse record: ${event.source}: not recorded: ${event.message}\n`);
        } else if (event.ok && failing.delete(event.source)) {
          io.stderr(`gpu-pulse record: ${event.source}: recording again\n`);
        }
      },
    });
  } catch (err) {
    io.stderr(`gpu-pulse record: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout(
    `recording ${sources.length} source${sources.length === 1 ? '' : 's'} to ${out} every ${intervalMs / 1000}s${durationMs === undefined ? '' : ` for ${durationMs / 1000}s`}; Ctrl-C to stop\n`,
  );

  const onSignal = () => void recorder.stop().catch(() => undefined);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await recorder.done;
    io.stdout(describe(summary));
    if (summary.samples === 0) {
      io.stderr('gpu-pulse record: no source answered; the recording is empty\n');
      return 1;
    }
    return 0;
  } catch (err) {
    io.stderr(`gpu-pulse record: cannot finish ${out}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
