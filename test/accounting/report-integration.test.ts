// Issue 19's acceptance: a recording with known busy, idle, unknown and unallocated periods,
// accounted from the file (within 1 % of the hand-computed figures), then backfilled into a
// real Prometheus with `promtool tsdb create-blocks-from openmetrics` and accounted from there
// through raw range-vector samples (within 3 %), plus the CLI's JSON and CSV over the file.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFromPrometheus, reportFromRecordings } from '../../src/main/core/accounting';
import { main } from '../../src/main/cli';
import { WASTE_CSV_COLUMNS, type WasteReport, type WasteRow } from '../../src/shared/waste';
import { captureIo, runPromtool, startPrometheus, tempDir, type RunningPeer } from '../export/support/peers';
import { EXPECTED, SPAN_S, writeKnownFleet } from './support/known-fleet';

let dir: Awaited<ReturnType<typeof tempDir>>;
let prometheus: RunningPeer | undefined;
let recording: string;
// Two full hours that ended a while ago: inside Prometheus' retention, clear of its head block.
const startMs = Math.floor((Date.now() - 4 * 3_600_000) / 3_600_000) * 3_600_000;
const endMs = startMs + SPAN_S * 1000;

beforeAll(async () => {
  dir = await tempDir('report');
  recording = await writeKnownFleet(dir.path, startMs, { gzip: true });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await dir?.remove();
});

function within(actual: number | null, expected: number | null, tolerance: number, what: string): void {
  if (expected === null || expected === 0) {
    expect(actual, what).toBe(expected);
    return;
  }
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - expected) / Math.abs(expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectRow(row: WasteRow | undefined, owner: keyof typeof EXPECTED, tolerance: number): void {
  const want = EXPECTED[owner];
  expect(row, owner).toBeDefined();
  expect(row!.gpus, `${owner} gpus`).toBe(want.gpus);
  within(row!.gpuHours, want.gpuHours, tolerance, `${owner} gpuHours`);
  within(row!.idleGpuHours, want.idleGpuHours, tolerance, `${owner} idleGpuHours`);
  within(row!.unknownGpuHours, want.unknownGpuHours, tolerance, `${owner} unknownGpuHours`);
  within(row!.meanRealUtil, want.meanRealUtil, tolerance, `${owner} meanRealUtil`);
  within(row!.energyKWh, want.energyKWh, tolerance, `${owner} energyKWh`);
  expect(row!.energySource, `${owner} energySource`).toBe(want.energySource);
  if (want.longestIdle === null) {
    expect(row!.longestIdle).toBeNull();
  } else {
    expect(row!.longestIdle!.gpu).toBe(want.longestIdle.gpu);
    expect(row!.longestIdle!.start).toBe(new Date(startMs + want.longestIdle.startS * 1000).toISOString());
    within(row!.longestIdle!.hours, want.longestIdle.hours, tolerance, `${owner} longest idle`);
  }
}

function expectReport(report: WasteReport, tolerance: number): void {
  expect(report.by).toBe('namespace');
  expect(report.rows.map((r) => r.owner)).toEqual(['notebook', 'train', 'infer']);
  for (const row of report.rows) expectRow(row, row.owner as 'notebook' | 'train' | 'infer', tolerance);
  expectRow(report.unallocated, 'unallocated', tolerance);
  expect(report.unallocated.owner).toBeNull();
}

describe('a report over a recording with known periods', () => {
  it('gives the hand-computed figures from the file (within 1 %)', async () => {
    const report = await reportFromRecordings([recording], { by: 'namespace', window: null });
    expectReport(report, 0.01);
    expect(report.start).toBe(new Date(startMs).toISOString());
    expect(report.end).toBe(new Date(endMs).toISOString());
  });

  it('gives the same figures from a real Prometheus backfilled with it (within 3 %), in a bounded number of requests', async () => {
    const plain = join(dir.path, 'known-fleet.om');
    await writeFile(plain, gunzipSync(await readFile(recording)));
    const data = join(dir.path, 'tsdb');
    const imported = await runPromtool(['tsdb', 'create-blocks-from', 'openmetrics', plain, data]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    prometheus = await startPrometheus({ dir: dir.path, config: 'global:\n  scrape_interval: 1m\nscrape_configs: []\n', dataDir: data });

    const { report, fetch } = await reportFromPrometheus({ baseUrl: prometheus.url }, { by: 'namespace', window: { startMs, endMs } });
    expectReport(report, 0.03);
    expect(report.start).toBe(new Date(startMs).toISOString());
    // SM, tensor, DRAM, GR, GPU_UTIL, energy, power (GPU-b1 has no counter): 7 families × 3 hours
    // (the window plus the 5 minutes before it), a name discovery and a series listing.
    expect(fetch.families.sort()).toEqual(
      [
        'DCGM_FI_DEV_GPU_UTIL',
        'DCGM_FI_DEV_POWER_USAGE',
        'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
        'DCGM_FI_PROF_DRAM_ACTIVE',
        'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
        'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
        'DCGM_FI_PROF_SM_ACTIVE',
      ].sort(),
    );
    expect(fetch.requests).toBe(2 + 7 * 3);

    // A window inside the data clips: the last hour only. b0 is notebook's all hour (3600 s); a1
    // from 3600 s to the gap at 4800 s and from 5400 s to 7200 s (3000 s): 6600 s.
    const lastHour = await reportFromPrometheus({ baseUrl: prometheus.url }, { by: 'namespace', window: { startMs: endMs - 3_600_000, endMs } });
    const fromFile = await reportFromRecordings([recording], { by: 'namespace', window: { startMs: endMs - 3_600_000, endMs } });
    const notebook = (r: WasteReport) => r.rows.find((row) => row.owner === 'notebook')!;
    expect(notebook(fromFile).gpuHours).toBeCloseTo(6600 / 3600, 6);
    within(notebook(lastHour.report).gpuHours, 6600 / 3600, 0.03, 'last hour notebook gpuHours from Prometheus');
    expect(fromFile.unallocated.gpuHours).toBe(0);
  }, 180_000);

  it('prints the report as JSON and as CSV from the command line', async () => {
    const json = captureIo();
    expect(await main(['report', recording, '--format', 'json', '--price-per-gpu-hour', '2'], json.io)).toBe(0);
    const report = JSON.parse(json.stdout()) as WasteReport;
    expect(Object.keys(report)).toEqual(['start', 'end', 'by', 'idleBelow', 'rows', 'unallocated']);
    expect(report.idleBelow).toBe(0.05);
    expect(report.rows[0]).toMatchObject({ owner: 'notebook', gpus: 2, cost: Math.round(EXPECTED.notebook.gpuHours * 2 * 1e4) / 1e4 });

    const csv = captureIo();
    expect(await main(['report', recording, '--format', 'csv', '--by', 'pod'], csv.io)).toBe(0);
    const lines = csv.stdout().trimEnd().split('\r\n');
    expect(lines[0]).toBe(WASTE_CSV_COLUMNS.join(','));
    expect(lines[0]).toBe('owner,gpus,gpu_hours,idle_gpu_hours,unknown_gpu_hours,mean_real_util,energy_kwh,cost');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
      // Most idle first (6600 s, 5400 s, 3600 s); then by GPU-hours (7200 s, 6600 s).
      'notebook/nb-alice',
      'train/trainer-1',
      'notebook/nb-bob',
      'infer/server-0',
      'train/trainer-0',
      '(unallocated)',
    ]);

    const table = captureIo();
    expect(await main(['report', recording, '--start', new Date(startMs).toISOString(), '--end', String(endMs / 1000)], table.io)).toBe(0);
    expect(table.stdout()).toMatch(/^GPU waste by namespace from .* \(idle below 5% real utilization\)\nOWNER/);
    expect(table.stdout()).toMatch(/\nnotebook +2 +2\.83 +2\.83 +0\.00 +1\.0% +0\.17 +- +1\.33 h on node-a\/GPU-a1/);
  });
});
