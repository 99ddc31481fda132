// `gpu-pulse report`: who held GPUs over a window, how much they used them, what the idle ones
// cost (issue 19), from recordings or a Prometheus server.
import { resolve } from 'node:path';
import { REPORT_GROUPS, DEFAULT_IDLE_BELOW, type ReportGroupBy, type WasteReport } from '../../../shared/waste';
import { wasteReportToCsv } from '../../../shared/waste-csv';
import { formatReportTable, reportFromPrometheus, reportFromRecordings, reportWindow } from '../../core/accounting';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse report FILE... [options]
       gpu-pulse report --prometheus URL [--selector SEL] [options]

Adds up who held which GPUs over a window, how much they used them and what the idle ones
cost. FILE is a recording (gpu-pulse record output: OpenMetrics with timestamps, .gz too).

Options:
  --prometheus URL            read raw samples from this Prometheus server instead of files
  --selector SEL              label matchers for --prometheus, e.g. '{cluster="a100-pool"}'
  --start T --end T           the window; T is RFC 3339 (2026-12-01T08:00:00Z) or Unix seconds
  --since DURATION            the window ending now, e.g. 24h (default for --prometheus: 24h;
                              for files: the whole recording)
  --by namespace|pod|job|node|model   owner of a GPU (default namespace)
  --idle-below X              idle threshold as a fraction of real utilization (default 0.05)
  --price-per-gpu-hour X      adds a cost column: GPU-hours × X
  --format table|json|csv     output (default table)
  -h, --help                  show this help

Definitions (README, "Fleet waste"): the interval from a GPU's sample to its next carries the
first sample's owner and state when the gap is at most 5 minutes; idle is real utilization
below the threshold with every input present, busy at or above it (a lower bound counts),
unknown otherwise. GPUs without the owner label are reported as unallocated.

Exit status: 0 on success, 1 when a source cannot be read, 2 on bad usage.
`;

const FORMATS = ['table', 'json', 'csv'] as const;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('report', HELP, args, io, {
    prometheus: { type: 'string' },
    selector: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    since: { type: 'string' },
    by: { type: 'string', default: 'namespace' },
    'idle-below': { type: 'string' },
    'price-per-gpu-hour': { type: 'string' },
    format: { type: 'string', default: 'table' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals, usageError } = parsed;

  if (values.prometheus === undefined && positionals.length === 0) return usageError(`give recording FILEs or --prometheus URL\n\n${HELP}`);
  if (values.prometheus !== undefined && positionals.length > 0) return usageError('give recording FILEs or --prometheus URL, not both');
  if (values.selector !== undefined && values.prometheus === undefined) return usageError('--selector goes with --prometheus');
  if (!(REPORT_GROUPS as readonly string[]).includes(values.by!)) return usageError(`--by must be one of ${REPORT_GROUPS.join(', ')}, got "${values.by}"`);
  if (!(FORMATS as readonly string[]).includes(values.format!)) return usageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  const idleBelow = values['idle-below'] === undefined ? DEFAULT_IDLE_BELOW : Number(values['idle-below']);
  if (!(idleBelow > 0 && idleBelow <= 1)) return usageError(`--idle-below must be a fraction above 0 and at most 1 (0.05 is 5 %), got "${values['idle-below']}"`);
  const price = values['price-per-gpu-hour'] === undefined ? null : Number(values['price-per-gpu-hour']);
  if (price !== null && !(Number.isFinite(price) && price >= 0 && values['price-per-gpu-hour']!.trim() !== '')) {
    return usageError(`--price-per-gpu-hour must be a number ≥ 0, got "${values['price-per-gpu-hour']}"`);
  }
  let window: { startMs: number; endMs: number } | null;
  try {
    window = reportWindow({ start: values.start, end: values.end, since: values.since ?? (values.prometheus !== undefined && values.start === undefined ? '24h' : undefined) }, Date.now());
  } catch (err) {
    return usageError((err as Error).message);
  }
  const request = { by: values.by as ReportGroupBy, idleBelow, pricePerGpuHour: price, window };

  let report: WasteReport;
  try {
    if (values.prometheus !== undefined) {
      const out = await reportFromPrometheus({ baseUrl: values.prometheus, selector: values.selector }, { ...request, window: window! });
      report = out.report;
      for (const warning of new Set(out.fetch.warnings)) io.stderr(`gpu-pulse report: Prometheus warning: ${warning}\n`);
    } else {
      report = await reportFromRecordings(positionals.map((p) => resolve(io.cwd, p)), request);
    }
  } catch (err) {
    io.stderr(`gpu-pulse report: ${(err as Error).message}\n`);
    return 1;
  }
  if (values.format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.format === 'csv') io.stdout(wasteReportToCsv(report));
  else io.stdout(formatReportTable(report));
  return 0;
}
