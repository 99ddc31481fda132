// End to end: the GPU focus and plot views in Debian's Chromium against `gpu-pulse serve --demo`
// (built CLI, real demo exporters on loopback, real scrapes). Screenshots go to test-results/.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';

const RESULTS = join(ROOT, 'test-results');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function fleetGpus(base: string): Promise<GpuSnapshot[]> {
  // The first scrape of the demo exporters lands shortly after `listening`.
  for (let attempt = 0; attempt < 50; attempt++) {
    const gpus = (await (await fetch(`${base}/api/gpus`)).json()) as GpuSnapshot[];
    if (gpus.length >= 32) return gpus;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the demo fleet did not report 32 GPUs within 10 s');
}

function gpuHash(key: string): string {
  return `#/gpu/${key.split('/').map(encodeURIComponent).join('/')}`;
}

async function xRange(canvas: Locator): Promise<{ min: number; max: number; zoomed: boolean }> {
  return canvas.evaluate((el) => ({ min: Number(el.dataset.xMin), max: Number(el.dataset.xMax), zoomed: el.dataset.zoomed === 'true' }));
}

const points = (canvas: Locator) => canvas.evaluate((el) => Number(el.dataset.points));

describe('GPU focus and plot views in Chromium against gpu-pulse serve --demo', () => {
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;
  let base: string;
  let gpus: GpuSnapshot[];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const configDir = mkdtempSync(join(tmpdir(), 'gpu-pulse-views-e2e-'));
    serve = await startCli(['serve', '--demo', '--port', '0', '--config-dir', configDir]);
    base = serve.urls[0]!.replace(/\/$/, '');
    gpus = await fleetGpus(base);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('opens the focus view of a GPU and its charts move with the live scrapes', async () => {
    const gpu = gpus.find((g) => g.node === 'demo-node-1' && g.gpuIndex === 0)!;
    await page.goto(`${base}/${gpuHash(gpu.key)}`);
    const view = page.getByTestId('gpu-focus');
    await view.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-testid="focus-chart"]').length >= 5, undefined, { timeout: 10_000 });
    expect(await view.getByRole('heading', { level: 2 }).textContent()).toBe('demo-node-1 / GPU 0');
    expect(await view.textContent()).toContain(gpu.uuid);
    // The demo exporter serves the profiling fields, so the table has the utilization group.
    expect(await page.locator('[data-testid="metric-group"]').first().getAttribute('data-group')).toBe('Utilization');

    // Points and range read in one evaluation: a tick between two reads would mix two renders.
    const util = page.getByTestId('focus-chart').first();
    const snapshot = () => util.evaluate((el) => ({ points: Number(el.dataset.points), max: Number(el.dataset.xMax), zoomed: el.dataset.zoomed === 'true' }));
    const before = await snapshot();
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector<HTMLCanvasElement>('canvas[data-testid="focus-chart"]')!;
        return Number(el.dataset.points) > prev;
      },
      before.points,
      { timeout: 8_000 },
    );
    const after = await snapshot();
    // The live window follows the newest sample.
    expect(after.max).toBeGreaterThan(before.max);
    expect(after.zoomed).toBe(false);
    // The view watches its GPU, so live ticks bring every reading, not just a card's (summary rows
    // would not have the clock and PCIe rows, and would not have moved the chart).
    expect(await page.locator('[data-testid="metric-row"][data-field="smClockHz"]').count()).toBe(1);
    expect(await page.locator('[data-testid="metric-row"][data-field="pcieTxBytesPerSec"]').count()).toBe(1);
    expect(await page.getByTestId('readings-loading').count()).toBe(0);
  });

  it('zooms with the wheel, keeps the zoomed range while data arrives, pans by drag and resets', async () => {
    const util = page.getByTestId('focus-chart').first();
    await util.scrollIntoViewIfNeeded();
    const box = (await util.boundingBox())!;
    const full = await xRange(util);
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('canvas[data-testid="focus-chart"]')!.dataset.zoomed === 'true');
    const zoomed = await xRange(util);
    expect(zoomed.max - zoomed.min).toBeLessThan(full.max - full.min);
    expect(zoomed.min).toBeGreaterThan(full.min);

    // A new scrape arrives (2 s demo interval): the view the user chose does not move.
    const count = await points(util);
    await page.waitForFunction((prev) => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid="focus-chart"]')!.dataset.points) > prev, count, { timeout: 8_000 });
    expect(await xRange(util)).toEqual(zoomed);

    // Drag to the right shows earlier data.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const panned = await xRange(util);
    expect(panned.min).toBeLessThan(zoomed.min);
    expect(panned.max - panned.min).toBeCloseTo(zoomed.max - zoomed.min, -1);

    await util.dblclick();
    const reset = await xRange(util);
    expect(reset.zoomed).toBe(false);
    expect(reset.max - reset.min).toBe(full.max - full.min);

    // Keyboard: + zooms, 0 resets.
    await util.focus();
    await page.keyboard.press('+');
    expect((await xRange(util)).zoomed).toBe(true);
    await page.keyboard.press('0');
    expect((await xRange(util)).zoomed).toBe(false);
  });

  it('exports a chart as a valid PNG of the chart canvas size', async () => {
    const util = page.getByTestId('focus-chart').first();
    const size = await util.evaluate((el: HTMLCanvasElement) => ({ width: el.width, height: el.height }));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG of Real utilization' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^gpu-pulse-real-utilization-.*\.png$/);
    const png = readFileSync((await download.path())!);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual(size);
    expect(size.width).toBeGreaterThan(300);
  });

  it('takes a screenshot of the focus view over a 5 minute window', async () => {
    await page.getByRole('combobox', { name: 'History window' }).selectOption(String(5 * 60_000));
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-testid="focus-chart"]').length >= 5);
    const util = page.getByTestId('focus-chart').first();
    const range = await xRange(util);
    expect(range.max - range.min).toBe(5 * 60_000);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(RESULTS, 'gpu-focus.png'), fullPage: true });
  });

  it('plots one metric for 4 GPUs with a legend naming node and GPU, live', async () => {
    const chosen = ['demo-node-1', 'demo-node-2'].flatMap((node) => gpus.filter((g) => g.node === node && g.migInstance === null).sort((a, b) => a.gpuIndex! - b.gpuIndex!).slice(0, 2));
    expect(chosen).toHaveLength(4);
    await page.goto(`${base}/#/plot?field=powerWatts&keys=${chosen.map((g) => encodeURIComponent(g.key)).join(',')}`);
    await page.getByTestId('plot-view').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="plot-legend-item"]').length === 4, undefined, { timeout: 10_000 });
    const names = await page.getByTestId('plot-legend-item').allTextContents();
    expect(names).toEqual(chosen.map((g) => `${g.node} / GPU ${g.gpuIndex}`));
    for (const name of names) expect(name).toMatch(/^demo-node-\d+ \/ GPU \d+$/);

    const chart = page.getByTestId('plot-chart');
    const before = await points(chart);
    expect(before).toBeGreaterThan(0);
    await page.waitForFunction((prev) => Number(document.querySelector<HTMLCanvasElement>('canvas[data-testid="plot-chart"]')!.dataset.points) > prev, before, { timeout: 8_000 });
    await page.screenshot({ path: join(RESULTS, 'plot-view.png'), fullPage: true });

    // The demo has run for seconds of a 15 min window: zoom onto the newest minute, anchored at
    // the right edge, to show the lines themselves.
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -1200);
    const zoomed = await xRange(chart);
    expect(zoomed.zoomed).toBe(true);
    expect(zoomed.max - zoomed.min).toBeLessThan(2 * 60_000);
    await page.screenshot({ path: join(RESULTS, 'plot-view-zoomed.png') });
    await page.getByRole('button', { name: /^Reset zoom of/ }).click();
    expect((await xRange(chart)).zoomed).toBe(false);
  });

  it('exports the plotted history as CSV with the documented header and one row per GPU sample', async () => {
    const chart = page.getByTestId('plot-chart');
    const pointsBefore = await points(chart);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Export CSV/ }).click()]);
    const pointsAfter = await points(chart);
    expect(download.suggestedFilename()).toMatch(/^gpu-pulse-history-.*\.csv$/);
    const lines = readFileSync((await download.path())!, 'utf8').split('\r\n');
    // The documented header of src/shared/history-csv.ts (the same writer the tests round-trip).
    expect(lines[0]).toBe('time,time_ms,key,node,uuid,gpu,mig_instance,powerWatts');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((line) => line.split(','));
    // The CSV is the chart's own data: as many rows as plotted points (a tick may land between).
    expect(rows.length).toBeGreaterThanOrEqual(pointsBefore);
    expect(rows.length).toBeLessThanOrEqual(pointsAfter);
    const legend = await page.getByTestId('plot-legend-item').allTextContents();
    expect(new Set(rows.map((r) => `${r[3]} / GPU ${r[5]}`))).toEqual(new Set(legend));
    for (const [i, row] of rows.entries()) {
      expect(row).toHaveLength(8);
      expect(new Date(row[0]!).getTime()).toBe(Number(row[1]));
      expect(Number(row[7])).toBeGreaterThan(0);
      // Times ascend within each GPU's rows.
      if (i > 0 && rows[i - 1]![2] === row[2]) expect(Number(row[1])).toBeGreaterThan(Number(rows[i - 1]![1]));
    }
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
