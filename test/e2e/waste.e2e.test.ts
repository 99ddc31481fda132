// End to end: the Waste view on the demo fleet (`gpu-pulse serve --demo`, real demo exporters
// labelled with pods) in Debian's Chromium: owners by idle GPU-hours with their bars, GPUs held
// idle now, GET /api/report with the same JSON, CSV export, and a click to the owner's GPUs.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { WasteReport } from '../../src/shared/waste';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';

const RESULTS = join(ROOT, 'test-results');

describe('Waste view in Chromium against gpu-pulse serve --demo', () => {
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const configDir = mkdtempSync(join(tmpdir(), 'gpu-pulse-e2e-'));
    serve = await startCli(['serve', '--demo', '--port', '0', '--config-dir', configDir]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('lists owners by idle GPU-hours with busy/idle/unknown bars, and the GPUs held idle now', async () => {
    await page.goto(serve.urls[0]!);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 32, undefined, { timeout: 15_000 });
    await page.getByRole('link', { name: 'Waste' }).click();
    // Owners appear once each GPU has two samples (2 s demo interval); the list refreshes every 15 s.
    await page.locator('.waste-table tbody tr').first().waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('.held-idle tbody tr').length >= 3, undefined, { timeout: 20_000 });
    // Let the report gather a little time before it is read and photographed.
    await page.waitForTimeout(16_000);

    const owners = await page.$$eval('.waste-table:not(.held-idle) tbody tr td.owner', (els) => els.map((el) => el.textContent));
    for (const ns of ['ml-training', 'research-notebooks', 'analytics', 'ml-inference', 'hpc-sim', 'unallocated']) expect(owners).toContain(ns);
    // The notebooks hold their GPUs idle: the most idle owner comes first, its idle hours its whole hold.
    expect(owners[0]).toBe('research-notebooks');
    // Owners most idle first; the unallocated row comes last, apart.
    const idle = await page.$$eval('.waste-table:not(.held-idle) tbody tr:not(.unallocated)', (rows) =>
      rows.map((r) => [r.querySelector('td.owner')!.textContent, Number(r.querySelector('td.idle-hours')!.textContent)]),
    );
    expect(idle.map(([, h]) => h)).toEqual([...idle.map(([, h]) => h)].sort((a, b) => Number(b) - Number(a)));
    // Every row draws its bar; the training job's is mostly busy.
    const training = page.locator('.waste-table tbody tr', { has: page.getByRole('button', { name: 'ml-training' }) });
    const busyWidth = await training.locator('.waste-bar .busy').evaluate((el) => (el as HTMLElement).getBoundingClientRect().width);
    const idleWidth = await training.locator('.waste-bar .idle').evaluate((el) => (el as HTMLElement).getBoundingClientRect().width);
    expect(busyWidth).toBeGreaterThan(idleWidth);

    // Held idle now: the three notebooks (and any busy pod's GPU caught between bursts).
    const held = await page.$$eval('.held-idle tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    const notebooks = held.filter((r) => r[1] === 'research-notebooks');
    expect(notebooks.map((r) => r[2]).sort()).toEqual(['jupyter-demo-node-1', 'jupyter-demo-node-2', 'jupyter-demo-node-3']);
    expect(held.every((r) => /\d+ (s|min)$/.test(r[3] ?? ''))).toBe(true);
    // demo-node-4's idle GPU has no pod: unallocated, never "held"; every held GPU names its holder.
    expect(held.every((r) => r[1] !== '–')).toBe(true);
    expect(held.some((r) => r[0] === 'demo-node-4 / GPU 3')).toBe(false);
    await page.screenshot({ path: join(RESULTS, 'waste-view.png') });
  }, 90_000);

  it('serves the same report at GET /api/report, and exports it as CSV', async () => {
    const res = await fetch(new URL('/api/report?by=namespace&since=1h', serve.urls[0]!));
    expect(res.status).toBe(200);
    const report = (await res.json()) as WasteReport;
    expect(Object.keys(report)).toEqual(['start', 'end', 'by', 'idleBelow', 'rows', 'unallocated']);
    expect(report.rows.map((r) => r.owner)).toContain('research-notebooks');
    expect(report.unallocated.gpus).toBe(1);
    const bad = await fetch(new URL('/api/report?by=team', serve.urls[0]!));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/by/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('gpu-waste-by-namespace.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('owner,gpus,gpu_hours,idle_gpu_hours,unknown_gpu_hours,mean_real_util,energy_kwh,cost');
    expect(csv).toMatch(/\r\nresearch-notebooks,3,/);
    expect(csv).toMatch(/\r\n\(unallocated\),1,/);
  });

  it("opens the fleet view filtered to an owner's GPUs", async () => {
    await page.getByRole('button', { name: 'hpc-sim' }).click();
    await page.waitForFunction(() => location.hash === '#/');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 4, undefined, { timeout: 5_000 });
    const cards = await page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.textContent ?? ''));
    expect(cards).toHaveLength(4);
  });
});
