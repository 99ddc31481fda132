// The waste report as CSV: the header, one row per owner, then the unallocated row
// (its owner cell says so: an empty cell would read as missing). Used by
// `gpu-pulse report --format csv` and the Waste view's export, so both write the same file.
import { csvNumberCell, csvTextCell } from './csv/cell';
import { WASTE_CSV_COLUMNS, type WasteReport, type WasteRow } from './waste';

/** The owner cell of the unallocated row. */
export const UNALLOCATED_OWNER = '(unallocated)';

function line(row: WasteRow): string {
  return [
    csvTextCell(row.owner ?? UNALLOCATED_OWNER),
    csvNumberCell(row.gpus),
    csvNumberCell(row.gpuHours),
    csvNumberCell(row.idleGpuHours),
    csvNumberCell(row.unknownGpuHours),
    csvNumberCell(row.meanRealUtil),
    csvNumberCell(row.energyKWh),
    csvNumberCell(row.cost),
  ].join(',');
}

export function wasteReportToCsv(report: WasteReport): string {
  const rows = [WASTE_CSV_COLUMNS.join(','), ...report.rows.map(line)];
  if (report.unallocated.gpuHours > 0) rows.push(line(report.unallocated));
  return rows.join('\r\n') + '\r\n';
}
