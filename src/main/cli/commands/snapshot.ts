// `gpu-pulse snapshot`: read each source once (an exporter URL, an exposition file, a
// `dcgmi dmon` capture, or `-` for stdin) and print every GPU with its real utilization,
// workload class and health, as a terminal table (snapshot/table.ts), JSON (snapshot/output.ts)
// or CSV (snapshot/csv.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPrometheusSource } from '../../core/sources/prometheus/source';
import { compareGpuOrder } from '../../../shared/gpu-order';
import type { GpuSnapshot, NodeExtra } from '../../../shared/gpu';
import { DEFAULT_WEIGHTS, PRESETS, isPresetName, parseWeights, type Weights } from '../../core/compute';
import { createDcgmPipeline, explainNoGpus } from '../../core/dcgm';
import { createScraper } from '../../core/sources/http-scrape/scraper';
import { currentFamilies, EMPTY_BODY_REMEDY, readFamilies } from '../../core/sources/read-families';
import { toCsv } from '../snapshot/csv';
import { toSnapshotGpu, type SnapshotOutput, type SnapshotProblem } from '../snapshot/output';
import { toTable } from '../snapshot/table';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse snapshot SOURCE... [options]

Read each SOURCE once and print its GPUs with real utilization, workload class and health.
SOURCE is a dcgm-exporter URL (http://node:9400/metrics), a saved exposition file, a
\`dcgmi dmon\` capture (its last tick is shown), or - for standard input.

Options:
  --format table|json|csv   output format (default table)
  --preset ai|hpc|mem       real-utilization weights preset (default ai)
  --weights SM,TENSOR,DRAM,GR
                            custom weights, normalised to sum 1 (e.g. 0.5,0.2,0.2,0.1)
  --prometheus URL          also read every dcgm series a Prometheus server holds (repeatable)
  --selector SELECTOR       with --prometheus: label matchers, e.g. '{cluster="a100-pool"}'
  -h, --help                show this help

Exit status: 0 when every source was read, 1 when one could not be, 2 on bad usage.
`;

const SCRAPE_TIMEOUT_MS = 10_000;

type Format = 'table' | 'json' | 'csv';

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('snapshot', HELP, args, io, {
    format: { type: 'string', default: 'table' },
    preset: { type: 'string' },
    weights: { type: 'string' },
    prometheus: { type: 'string', multiple: true, default: [] },
    selector: { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals: sources, usageError } = parsed;
  const format = values.format as Format;
  if (!['table', 'json', 'csv'].includes(format)) return usageError(`--format must be table, json or csv, got "${values.format}"`);
  if (values.preset !== undefined && values.weights !== undefined) return usageError('use either --preset or --weights, not both');
  let weights: Weights = DEFAULT_WEIGHTS;
  if (values.preset !== undefined) {
    if (!isPresetName(values.preset)) return usageError(`--preset must be ai, hpc or mem, got "${values.preset}"`);
    weights = PRESETS[values.preset];
  } else if (values.weights !== undefined) {
    try {
      weights = parseWeights(values.weights);
    } catch (err) {
      return usageError(`--weights: ${(err as Error).message}`);
    }
  }
  const servers = values.prometheus ?? [];
  if (sources.length === 0 && servers.length === 0) return usageError(`give at least one SOURCE or --prometheus URL\n\n${HELP}`);
  if (values.selector !== undefined && servers.length === 0) return usageError('--selector goes with --prometheus');

  const output: SnapshotOutput = { gpus: [], extras: [], problems: [] };
  let failed = false;
  const scraper = createScraper();
  try {
    for (const source of sources) {
      const result = await readSource(source, io, weights, scraper);
      output.gpus.push(...result.gpus);
      output.extras.push(...result.extras);
      output.problems.push(...result.problems);
      failed ||= result.failed;
    }
    for (const server of servers) {
      const result = await readPrometheus(server, values.selector, weights);
      output.gpus.push(...result.gpus);
      output.extras.push(...result.extras);
      output.problems.push(...result.problems);
      failed ||= result.failed;
    }
  } finally {
    await scraper.close();
  }

  if (format === 'json') {
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    io.stdout(format === 'csv' ? toCsv(output.gpus) : toTable(output));
    for (const p of output.problems) {
      const where = p.line > 0 ? `${p.source}:${p.line}:${p.column}` : p.source;
      io.stderr(`${where}: ${p.severity}: ${p.message} [${p.code}]\n`);
    }
  }
  return failed ? 1 : 0;
}

interface SourceResult extends SnapshotOutput {
  failed: boolean;
}

async function readSource(source: string, io: CliIo, weights: Weights, scraper: ReturnType<typeof createScraper>): Promise<SourceResult> {
  const fail = (message: string): SourceResult => ({
    gpus: [],
    extras: [],
    problems: [{ source, line: 0, column: 0, code: 'source-unreadable', message, severity: 'error' }],
    failed: true,
  });

  let body: Buffer;
  let fallbackNode: string;
  if (/^https?:\/\//i.test(source)) {
    const result = await scraper.scrape({ url: source, timeoutMs: SCRAPE_TIMEOUT_MS });
    if (!result.ok) return fail(`${result.message}; ${result.remedy}`);
    body = result.body;
    fallbackNode = new URL(source).host;
  } else if (source === '-') {
    body = await io.readStdin();
    fallbackNode = 'stdin';
  } else {
    const file = path.resolve(io.cwd, source);
    try {
      body = await readFile(file);
    } catch (err) {
      return fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    fallbackNode = path.basename(file);
  }

  // A dmon capture's last tick (see currentFamilies), a whole exposition otherwise.
  const read = readFamilies(body);
  const problems: SnapshotProblem[] = read.problems.map((p) => ({ ...p, source }));
  if (read.empty) problems.push({ source, line: 0, column: 0, code: 'empty-body', message: `the source is empty; ${EMPTY_BODY_REMEDY}`, severity: 'warning' });

  const families = currentFamilies(read);
  const result = createDcgmPipeline({ weights }).ingest(families, { sourceId: source, fallbackNode, observedAt: Date.now() });
  problems.push(...result.problems.map((p) => ({ ...p, source })));
  // DCGM series but no GPU is a failure to say, not an empty fleet.
  const noGpus = explainNoGpus({ families, problems: read.problems, gpuCount: result.gpus.length, text: () => Buffer.from(read.bytes).toString('utf8') });
  if (noGpus) problems.push({ ...noGpus, source });
  const gpus = [...result.gpus].sort(compareGpuOrder).map(toSnapshotGpu);
  return { gpus, extras: result.extras, problems, failed: noGpus !== null };
}

/** The latest values a Prometheus server holds, one pipeline per scraped instance as in the service. */
async function readPrometheus(server: string, selector: string | undefined, weights: Weights): Promise<SourceResult> {
  const problem = (message: string, severity: 'error' | 'warning'): SnapshotProblem => ({ source: server, line: 0, column: 0, code: 'prometheus', message, severity });
  let source;
  try {
    source = createPrometheusSource({ baseUrl: server, selector });
  } catch (err) {
    return { gpus: [], extras: [], problems: [problem(`${(err as Error).message}; ${(err as { remedy?: string }).remedy ?? ''}`, 'error')], failed: true };
  }
  try {
    const poll = await source.poll();
    if (!poll.ok) return { gpus: [], extras: [], problems: [problem(`${poll.message}; ${poll.remedy}${poll.query ? ` (query: ${poll.query})` : ''}`, 'error')], failed: true };
    const gpus: GpuSnapshot[] = [];
    const extras: NodeExtra[] = [];
    const problems: SnapshotProblem[] = poll.notice ? [problem(`${poll.notice.message} (query: ${poll.notice.query}); ${poll.notice.remedy}`, 'warning')] : [];
    for (const batch of poll.batches) {
      const out = createDcgmPipeline({ weights }).ingest(batch.families, { sourceId: server, fallbackNode: batch.fallbackNode, observedAt: batch.observedAt });
      gpus.push(...out.gpus);
      extras.push(...out.extras);
      problems.push(...out.problems.map((p) => ({ ...p, source: server })));
    }
    return { gpus: gpus.sort(compareGpuOrder).map(toSnapshotGpu), extras, problems, failed: false };
  } finally {
    await source.close();
  }
}
