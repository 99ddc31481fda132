// `gpu-pulse FILE...` (and `gpu-pulse open FILE...`): what the desktop inspector shows, for a
// terminal. Each file goes through the same Inspector (worker parse, lenient mode, dcgm
// pipeline): format, families, GPUs and every problem as file:line:column. With --serve the
// files are opened in `gpu-pulse serve` instead and their inspector URLs printed.
import path from 'node:path';
import type { InspectionInfo } from '../../../shared/api';
import { Inspector } from '../../core/inspect/inspector';
import { defaultConfigDir } from '../../core/settings/file-store';
import type { CliIo } from '../io';
import { parseCommandArgs } from '../args';

const HELP = `Usage: gpu-pulse FILE... [options]
       gpu-pulse open FILE... [options]

Inspect exposition files (Prometheus text 0.0.4, OpenMetrics 1.0, gzip-compressed or not) and
dcgmi dmon captures: the detected format, the metric families, the GPUs of a dcgm-exporter
capture with real utilization, class and health, and every problem with line and column.

Options:
  --json               print the inspection as JSON (format, families, problems, GPUs)
  --families N         list at most N families in the table (default 40; 0 for all)
  --serve              open the files in \`gpu-pulse serve\` and print their inspector URLs
  --port N             with --serve: port to listen on (default 8484, 0 for a free one)
  --config-dir DIR     with --serve: where settings live (default ${defaultConfigDir()})
  -h, --help           show this help

Exit status: 0 when every file parsed without errors, 1 when a file has errors or cannot be
read, 2 on bad usage.
`;

const FORMAT_NAMES = { prometheus: 'Prometheus text 0.0.4', openmetrics: 'OpenMetrics 1.0', dmon: 'dcgmi dmon capture' } as const;
const GPU_ROWS = 20;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('open', HELP, args, io, {
    json: { type: 'boolean', default: false },
    families: { type: 'string', default: '40' },
    serve: { type: 'boolean', default: false },
    port: { type: 'string', default: '8484' },
    'config-dir': { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    io.stderr(`gpu-pulse open: give at least one FILE\n\n${HELP}`);
    return 2;
  }
  const familyLimit = Number(values.families);
  if (!Number.isInteger(familyLimit) || familyLimit < 0) {
    io.stderr(`gpu-pulse open: --families must be a whole number, got "${values.families}"\n`);
    return 2;
  }
  const files = positionals.map((f) => path.resolve(io.cwd, f));
  if (values.serve) return serveFiles(files, values.port!, values['config-dir'] ?? defaultConfigDir(), io);

  const settled = new Map<string, (info: InspectionInfo) => void>();
  const inspector = new Inspector({
    onChange: (info) => {
      if (info.status !== 'parsing') settled.get(info.id)?.(info);
    },
  });
  let failed = false;
  const results: InspectionInfo[] = [];
  try {
    for (const file of files) {
      let info: InspectionInfo;
      try {
        const started = await inspector.inspectPath(file);
        info = await new Promise<InspectionInfo>((resolve) => {
          settled.set(started.id, resolve);
          const now = inspector.get(started.id);
          if (now.status !== 'parsing') resolve(now);
        });
      } catch (err) {
        io.stderr(`${file}: error: ${(err as Error).message}\n`);
        failed = true;
        continue;
      }
      failed ||= info.status === 'failed' || info.problems.some((p) => p.severity === 'error');
      results.push(info);
      if (!values.json) io.stdout(describe(info, file, familyLimit));
      if (info.status === 'failed') io.stderr(`${file}: error: ${info.error}\n`);
      for (const p of info.problems) io.stderr(`${file}:${p.line}:${p.column}: ${p.severity}: ${p.message} [${p.code}]\n`);
    }
  } finally {
    await inspector.dispose();
  }
  if (values.json) io.stdout(`${JSON.stringify(results.map(toJson), null, 2)}\n`);
  return failed ? 1 : 0;
}

function toJson(info: InspectionInfo) {
  const { id: _id, openedAt: _openedAt, progress: _progress, ...rest } = info;
  return rest;
}

function describe(info: InspectionInfo, file: string, familyLimit: number): string {
  if (info.status === 'failed') return `${file}\n  could not be read\n\n`;
  const errors = info.problems.filter((p) => p.severity === 'error').length;
  const lines = [
    file,
    `  ${info.format ? FORMAT_NAMES[info.format] : 'unknown format'} · ${mib(info.sizeBytes)} · ${info.families.length} families · ${info.sampleCount} series · ${errors} errors · ${info.problems.length - errors} warnings`,
  ];
  const total = info.gpuTotal ?? info.gpus.length;
  if (total > 0) {
    const nodes = new Set(info.gpus.map((g) => g.node)).size;
    lines.push('', `  GPUs: ${total} on ${nodes}${total > info.gpus.length ? '+' : ''} node(s)`);
    lines.push(...table(['NODE', 'GPU', 'MODEL', 'REAL', 'CLASS', 'HEALTH', 'POWER', 'TEMP'], info.gpus.slice(0, GPU_ROWS).map((g) => [
      g.node,
      g.migInstance ? `${g.gpuIndex ?? '?'}/mig${g.migInstance.id}` : String(g.gpuIndex ?? '?'),
      g.model ?? '-',
      g.realUtil === null ? 'unknown' : `${g.realUtilMissing.length > 0 ? '>=' : ''}${Math.round(g.realUtil)}%`,
      g.class.label,
      g.health.state,
      typeof g.readings.powerWatts === 'number' ? `${Math.round(g.readings.powerWatts)}W` : '-',
      typeof g.readings.gpuTempC === 'number' ? `${Math.round(g.readings.gpuTempC)}C` : '-',
    ])));
    if (total > GPU_ROWS) lines.push(`  … ${total - GPU_ROWS} more; \`gpu-pulse snapshot ${path.basename(file)}\` prints them all`);
  }
  if (info.families.length > 0) {
    const shown = familyLimit === 0 ? info.families : info.families.slice(0, familyLimit);
    lines.push('', ...table(['FAMILY', 'TYPE', 'SERIES', 'UNIT', 'HELP'], shown.map((f) => [f.name, f.type, String(f.seriesCount), f.unit ?? '-', f.help ?? ''])));
    if (shown.length < info.families.length) lines.push(`  … ${info.families.length - shown.length} more families (--families 0 lists all)`);
  }
  return `${lines.join('\n')}\n\n`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // The last column (help, temperature) is not padded, so lines carry no trailing spaces.
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function serveFiles(files: string[], portText: string, configDir: string, io: CliIo): Promise<number> {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`gpu-pulse open: --port must be an integer from 0 to 65535, got "${portText}"\n`);
    return 2;
  }
  // Loaded only here: the plain terminal summary needs no HTTP server.
  const { startServe } = await import('../../server/serve');
  const running = await startServe({ host: '127.0.0.1', port, demo: false, targets: [], configDir, version: __GPU_PULSE_VERSION__, log: (l) => io.stderr(`${l}\n`) });
  io.stdout(`listening on ${running.url}\n`);
  let failed = false;
  for (const file of files) {
    try {
      const info = await running.service.inspectPath(file);
      io.stdout(`open ${running.url}/#/inspector/${encodeURIComponent(info.id)}  (${file})\n`);
    } catch (err) {
      io.stderr(`${file}: error: ${(err as Error).message}\n`);
      failed = true;
    }
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return failed ? 1 : 0;
}

declare const __GPU_PULSE_VERSION__: string;
