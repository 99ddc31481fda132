// `gpu-pulse snapshot`: read each source once (an exporter URL, an exposition file, a
// `dcgmi dmon` capture, or `-` for stdin) and print every GPU with its real utilization,
// workload class and health, as a terminal table, JSON or CSV.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPrometheusSource } from '../../core/sources/prometheus';
import { CANONICAL_FIELDS, type CanonicalField, type Readings } from '../../../shared/canonical';
import { describeClockEventReasons } from '../../../shared/clock-events';
import { compareGpuOrder } from '../../../shared/gpu-order';
import { grReading, type Attribution, type GpuSnapshot, type Health, type MigInstance, type NodeExtra, type WorkloadClass } from '../../../shared/gpu';
import { DEFAULT_WEIGHTS, PRESETS, isPresetName, parseWeights, type Weights } from '../../core/compute';
import { createDcgmPipeline, explainNoGpus } from '../../core/dcgm';
import type { Problem } from '../../core/exposition';
import { createScraper } from '../../core/sources/http-scrape/scraper';
import { currentFamilies, EMPTY_BODY_REMEDY, readFamilies } from '../../core/sources/read-families';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';
import { csvCell } from '../../../shared/csv-cell';

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

/** One GPU as `--format json` prints it (the issue's contract). */
export interface SnapshotGpu {
  key: string;
  node: string;
  uuid: string;
  gpuIndex: number | null;
  migInstance: MigInstance | null;
  model: string | null;
  attribution: Attribution;
  readings: Readings;
  realUtil: { value: number | null; missing: string[] };
  class: WorkloadClass;
  health: Health;
  /** DCGM fields the alias table does not know yet, as served; present only when there are some. */
  raw?: Record<string, number>;
  /** See GpuSnapshot.substitutes; present only when a reading stands in for another. */
  substitutes?: GpuSnapshot['substitutes'];
  /** See GpuSnapshot.approximate; present only when a reading is an estimate. */
  approximate?: GpuSnapshot['approximate'];
}

export interface SnapshotProblem extends Problem {
  /** The SOURCE argument the problem belongs to. */
  source: string;
}

export interface SnapshotOutput {
  gpus: SnapshotGpu[];
  extras: NodeExtra[];
  problems: SnapshotProblem[];
}

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

function toSnapshotGpu(g: GpuSnapshot): SnapshotGpu {
  return {
    key: g.key,
    node: g.node,
    uuid: g.uuid,
    gpuIndex: g.gpuIndex,
    migInstance: g.migInstance,
    model: g.model,
    attribution: g.attribution,
    readings: g.readings,
    realUtil: { value: g.realUtil, missing: g.realUtilMissing },
    class: g.class,
    health: g.health,
    ...(g.raw ? { raw: g.raw } : {}),
    ...(g.substitutes ? { substitutes: g.substitutes } : {}),
    ...(g.approximate ? { approximate: g.approximate } : {}),
  };
}

// ---- table: for a person at a terminal (DCGM.md §9 conventions) ----

const GIB = 1024 ** 3;

function percent(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value * 100)}%` : '-';
}

function gpuLabel(g: SnapshotGpu): string {
  const index = g.gpuIndex === null ? '?' : String(g.gpuIndex);
  return g.migInstance ? `${index}/mig${g.migInstance.id}` : index;
}

/** `used/total GiB share`; `≈` marks a total estimated as used + free (no reserved size served). */
function memory(g: SnapshotGpu): string {
  const { fbUsedBytes: used, fbTotalBytes: total } = g.readings;
  if (typeof used !== 'number') return '-';
  if (typeof total !== 'number' || total <= 0) return `${(used / GIB).toFixed(1)} GiB`;
  const approx = g.approximate?.includes('fbTotalBytes') ? '≈' : '';
  return `${(used / GIB).toFixed(1)}/${approx}${(total / GIB).toFixed(1)} GiB ${Math.round((used / total) * 100)}%`;
}

/** Clock event reasons by name (`-` when not served). */
function clocks(r: Readings): string {
  return typeof r.clockEventReasons === 'number' ? describeClockEventReasons(r.clockEventReasons) : '-';
}

/** GR, or the reading standing in for it marked with `*` (explained in the notes). */
function grCell(g: SnapshotGpu): string {
  const gr = grReading(g);
  return gr.from ? `${percent(gr.value)}*` : percent(gr.value);
}

function realUtilCell(g: SnapshotGpu): string {
  const { value, missing } = g.realUtil;
  if (value === null) return 'unknown';
  // A score over some inputs only is a lower bound.
  return `${missing.length > 0 ? '>=' : ''}${Math.round(value)}%`;
}

function toTable(output: SnapshotOutput): string {
  if (output.gpus.length === 0) return 'No GPUs found.\n';
  const header = ['NODE', 'GPU', 'MODEL', 'REAL', 'CLASS', 'HEALTH', 'SM', 'TENSOR', 'DRAM', 'GR', 'POWER', 'TEMP', 'MEMORY', 'CLOCKS'];
  const rows = output.gpus.map((g) => {
    const r = g.readings;
    return [
      g.node,
      gpuLabel(g),
      g.model ?? '-',
      realUtilCell(g),
      g.class.label,
      g.health.state,
      percent(r.smActive),
      percent(r.tensorActive),
      percent(r.dramActive),
      grCell(g),
      typeof r.powerWatts === 'number' ? `${Math.round(r.powerWatts)}W` : '-',
      typeof r.gpuTempC === 'number' ? `${Math.round(r.gpuTempC)}°C` : '-',
      memory(g),
      clocks(r),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];

  const notes: string[] = [];
  if (output.gpus.some((g) => g.substitutes?.grEngineActive)) {
    notes.push('GR marked * is NVML GPU utilization standing in: the exporter serves no graphics-engine-active counter for that GPU.');
  }
  if (output.gpus.some((g) => g.approximate?.includes('fbTotalBytes'))) {
    notes.push('Memory total marked ≈ is used + free: the exporter serves no reserved size, so the board total is a little larger.');
  }
  for (const g of output.gpus) {
    const who = `${g.node} GPU ${gpuLabel(g)}`;
    if (g.realUtil.missing.length > 0) {
      const names = g.realUtil.missing.map((f) => CANONICAL_FIELDS[f as CanonicalField]?.label ?? f).join(', ');
      notes.push(`${who}: ${g.realUtil.value === null ? 'real utilization unknown' : 'real utilization is a lower bound'}, missing ${names}`);
    }
    for (const reason of g.health.reasons) notes.push(`${who}: ${reason.state} ${reason.message}`);
    if (g.raw) {
      const fields = Object.entries(g.raw).map(([name, value]) => `${name}=${value}`);
      notes.push(`${who}: fields GPU Pulse does not know yet, as served: ${fields.join(' ')}`);
    }
  }
  if (notes.length > 0) out.push('', ...notes);
  if (output.extras.length > 0) {
    const byKind = new Map<string, number>();
    for (const e of output.extras) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    out.push('', `Node extras (not GPUs): ${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

// ---- csv ----
//
// CSV header (one row per GPU or MIG instance; an empty cell is a missing value, never 0):
//   node,gpu_index,uuid,mig_instance,mig_profile,model,key,
//   real_util_percent,real_util_missing,class,bottleneck,health,health_reasons,
//   sm_active_ratio,tensor_active_ratio,dram_active_ratio,gr_engine_active_ratio,gpu_util_ratio,
//   mem_copy_util_ratio,power_w,power_limit_w,gpu_temp_c,mem_temp_c,fb_used_bytes,fb_total_bytes,
//   pcie_tx_bytes_per_s,pcie_rx_bytes_per_s,nvlink_total_bytes_per_s,pods,namespaces,jobs
// Ratios are fractions 0..1 (canonical units); real_util_percent is 0-100. List cells
// (real_util_missing as canonical field names, health_reasons as reason codes, pods,
// namespaces, jobs) are joined with ";". Quoting follows RFC 4180.

const CSV_READINGS: [string, CanonicalField][] = [
  ['sm_active_ratio', 'smActive'],
  ['tensor_active_ratio', 'tensorActive'],
  ['dram_active_ratio', 'dramActive'],
  ['gr_engine_active_ratio', 'grEngineActive'],
  ['gpu_util_ratio', 'gpuUtil'],
  ['mem_copy_util_ratio', 'memCopyUtil'],
  ['power_w', 'powerWatts'],
  ['power_limit_w', 'powerLimitWatts'],
  ['gpu_temp_c', 'gpuTempC'],
  ['mem_temp_c', 'memTempC'],
  ['fb_used_bytes', 'fbUsedBytes'],
  ['fb_total_bytes', 'fbTotalBytes'],
  ['pcie_tx_bytes_per_s', 'pcieTxBytesPerSec'],
  ['pcie_rx_bytes_per_s', 'pcieRxBytesPerSec'],
  ['nvlink_total_bytes_per_s', 'nvlinkTotalBytesPerSec'],
];

export const CSV_HEADER: readonly string[] = [
  'node',
  'gpu_index',
  'uuid',
  'mig_instance',
  'mig_profile',
  'model',
  'key',
  'real_util_percent',
  'real_util_missing',
  'class',
  'bottleneck',
  'health',
  'health_reasons',
  ...CSV_READINGS.map(([column]) => column),
  'pods',
  'namespaces',
  'jobs',
];


function toCsv(gpus: SnapshotGpu[]): string {
  const rows = gpus.map((g) => [
    g.node,
    g.gpuIndex,
    g.uuid,
    g.migInstance?.id,
    g.migInstance?.profile,
    g.model,
    g.key,
    g.realUtil.value,
    g.realUtil.missing.join(';'),
    g.class.label,
    g.class.bottleneck,
    g.health.state,
    g.health.reasons.map((r) => r.code).join(';'),
    ...CSV_READINGS.map(([, field]) => g.readings[field]),
    g.attribution.pods.join(';'),
    g.attribution.namespaces.join(';'),
    g.attribution.jobs.join(';'),
  ]);
  return [CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
