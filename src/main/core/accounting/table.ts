// The report as a terminal table: owners (most idle first), then the unallocated row.
import type { WasteReport, WasteRow } from '../../../shared/waste';

const HEADERS = ['OWNER', 'GPUS', 'GPU-H', 'IDLE GPU-H', 'UNKNOWN GPU-H', 'MEAN UTIL', 'ENERGY kWh', 'COST', 'LONGEST IDLE'];

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function cells(row: WasteRow, owner: string): string[] {
  const idle = row.longestIdle ? `${row.longestIdle.hours.toFixed(2)} h on ${row.longestIdle.gpu} from ${row.longestIdle.start}` : '-';
  const energy = row.energyKWh === null ? '-' : `${row.energyKWh.toFixed(2)}${row.energySource === 'counter' ? '' : ` (${row.energySource})`}`;
  return [
    owner,
    String(row.gpus),
    fixed(row.gpuHours, 2),
    fixed(row.idleGpuHours, 2),
    fixed(row.unknownGpuHours, 2),
    row.meanRealUtil === null ? '-' : `${(row.meanRealUtil * 100).toFixed(1)}%`,
    energy,
    fixed(row.cost, 2),
    idle,
  ];
}

export function formatReportTable(report: WasteReport): string {
  const body = report.rows.map((row) => cells(row, row.owner ?? ''));
  if (report.unallocated.gpuHours > 0) body.push(cells(report.unallocated, '(unallocated)'));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const render = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const title = `GPU waste by ${report.by} from ${report.start} to ${report.end} (idle below ${report.idleBelow * 100}% real utilization)`;
  if (body.length === 0) return `${title}\nno GPU samples in this window\n`;
  return [title, render(HEADERS), ...body.map(render)].join('\n') + '\n';
}
