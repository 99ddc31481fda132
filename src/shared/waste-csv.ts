// The waste report as CSV: the header, one row per owner, then the unallocated row
// (its owner cell says so: an empty cell would read as missing). Used by
// `gpu-pulse report --format csv` and the Waste view's export, so both write the same file.
// Cells go through the shared csv-cell (RFC 4180 quoting and formula-injection neutralising).
import { csvCell } from './csv-cell';
import { WASTE_CSV_COLUMNS, type WasteReport, type WasteRow } from './waste';

/** The owner cell of the unallocated row. */
export const UNALLOCATED_OWNER = '(unallocated)';

function line(row: WasteRow): string {
  return [
    csvCell(row.owner ?? UNALLOCATED_OWNER),
    csvCell(row.gpus),
    csvCell(row.gpuHours),
    csvCell(row.idleGpuHours),
    csvCell(row.unknownGpuHours),
    csvCell(row.meanRealUtil),
    csvCell(row.energyKWh),
    csvCell(row.cost),
  ].join(',');
}

export function wasteReportToCsv(report: WasteReport): string {
  const rows = [WASTE_CSV_COLUMNS.join(','), ...report.rows.map(line)];
  if (report.unallocated.gpuHours > 0) rows.push(line(report.unallocated));
  return rows.join('\r\n') + '\r\n';
}
