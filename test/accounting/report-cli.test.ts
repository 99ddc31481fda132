// `gpu-pulse report` usage errors (exit 2 with a reason), the window and time syntax, and CSV
// cells that a spreadsheet would run as formulas.
import { describe, expect, it } from 'vitest';
import { parseReportTime, reportWindow } from '../../src/main/core/accounting';
import { main } from '../../src/main/cli';
import { csvCell } from '../../src/shared/csv-cell';
import { wasteReportToCsv } from '../../src/shared/waste-csv';
import type { WasteRow } from '../../src/shared/waste';
import { captureIo } from '../export/support/peers';

async function usage(args: string[]): Promise<string> {
  const cap = captureIo();
  expect(await main(['report', ...args], cap.io)).toBe(2);
  return cap.stderr();
}

describe('gpu-pulse report usage', () => {
  it('exits 2 with a clear message', async () => {
    expect(await usage([])).toMatch(/^gpu-pulse report: give recording FILEs or --prometheus URL/);
    expect(await usage(['a.om', '--prometheus', 'http://p:9090'])).toMatch(/not both/);
    expect(await usage(['a.om', '--selector', '{a="b"}'])).toMatch(/--selector goes with --prometheus/);
    expect(await usage(['a.om', '--by', 'team'])).toMatch(/--by must be one of namespace, pod, job, node, model, got "team"/);
    expect(await usage(['a.om', '--format', 'xml'])).toMatch(/--format must be one of table, json, csv/);
    expect(await usage(['a.om', '--idle-below', '5'])).toMatch(/--idle-below must be a fraction/);
    expect(await usage(['a.om', '--price-per-gpu-hour=-1'])).toMatch(/--price-per-gpu-hour must be a number ≥ 0/);
    expect(await usage(['a.om', '--since', '24h', '--start', '1'])).toMatch(/either --since or --start and --end/);
    expect(await usage(['a.om', '--start', '1'])).toMatch(/--start and --end go together/);
    expect(await usage(['a.om', '--start', 'yesterday', '--end', '2'])).toMatch(/--start must be RFC 3339 .* got "yesterday"/);
    expect(await usage(['a.om', '--start', '20', '--end', '10'])).toMatch(/--end must be after --start/);
    expect(await usage(['a.om', '--bogus'])).toMatch(/Unknown option '--bogus'/);
  });

  it('exits 1 when a recording cannot be read', async () => {
    const cap = captureIo();
    expect(await main(['report', '/nonexistent/x.om'], cap.io)).toBe(1);
    expect(cap.stderr()).toMatch(/cannot read \/nonexistent\/x\.om: ENOENT/);
  });
});

describe('report window', () => {
  it('reads RFC 3339 and Unix seconds', () => {
    expect(parseReportTime('2026-12-01T08:00:00Z', 'T')).toBe(Date.UTC(2026, 11, 1, 8));
    expect(parseReportTime('2026-12-01T09:00:00+01:00', 'T')).toBe(Date.UTC(2026, 11, 1, 8));
    expect(parseReportTime('1796112000', 'T')).toBe(1_796_112_000_000);
    expect(parseReportTime('1796112000.5', 'T')).toBe(1_796_112_000_500);
    expect(() => parseReportTime('2026-12-01', 'T')).toThrow(/RFC 3339/);
  });

  it('takes --since back from now, and no window as null', () => {
    expect(reportWindow({ since: '24h' }, 100_000_000)).toEqual({ startMs: 100_000_000 - 86_400_000, endMs: 100_000_000 });
    expect(reportWindow({}, 0)).toBeNull();
  });
});

describe('waste CSV', () => {
  it('neutralises owner cells a spreadsheet would run as formulas (the shared csv-cell)', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('ml-team')).toBe('ml-team');
    expect(csvCell(null)).toBe('');
  });

  it('writes the issue header, owners and the unallocated row; missing values empty', () => {
    const row = (owner: string | null, hours: number): WasteRow => ({
      owner,
      gpus: 1,
      gpuHours: hours,
      idleGpuHours: hours,
      unknownGpuHours: 0,
      meanRealUtil: null,
      energyKWh: null,
      energySource: null,
      cost: null,
      longestIdle: null,
    });
    const csv = wasteReportToCsv({ start: '', end: '', by: 'namespace', idleBelow: 0.05, rows: [row('=cmd|x', 2)], unallocated: row(null, 1) });
    expect(csv).toBe('owner,gpus,gpu_hours,idle_gpu_hours,unknown_gpu_hours,mean_real_util,energy_kwh,cost\r\n' + "'=cmd|x,1,2,2,0,,,\r\n" + '(unallocated),1,1,1,0,,,\r\n');
  });
});
