// Record three demo exporters with the built CLI, replay the file through `gpu-pulse serve
// --replay` in Chromium: the sparklines move while it plays, and seeking changes the values shown.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { CLI, ROOT, startCli, type RunningCli } from '../helpers/cli';

const RESULTS = join(ROOT, 'test-results');

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('replaying a recording in the UI', () => {
  let exporters: RunningCli;
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-replay-'));
    exporters = await startCli(['demo-exporter', '--instances', '3', '--base-port', '0', '--hostname', 'rec-node-'], 3);
    const file = join(dir, 'fleet.om.gz');
    const recorded = await run(['record', '--out', file, '--duration', '12s', '--interval', '1s', ...exporters.urls.map((u) => `${u}/metrics`)]);
    expect(recorded.code, recorded.output).toBe(0);
    await exporters.stop();
    serve = await startCli(['serve', '--port', '0', '--config-dir', dir, '--replay', file]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(serve.urls[0]!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await exporters?.stop();
  });

  // Every sparkline's drawing (its SVG): an idle GPU's flat line can look the same as points are added.
  const sparklineImages = () => page.$$eval('[data-testid="gpu-card"] svg[data-testid="sparkline"]', (svgs) => svgs.map((s) => s.innerHTML));
  const cardTexts = () => page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.querySelector('.spark-grid')!.textContent));

  it('shows the recorded GPUs and the replay controls', async () => {
    await page.getByTestId('replay-bar').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 24, undefined, { timeout: 10_000 });
    const nodes = await page.$$eval('[data-testid="node-group"]', (els) => els.map((el) => el.getAttribute('data-node')).sort());
    expect(nodes).toEqual(['rec-node-1', 'rec-node-2', 'rec-node-3']);
  });

  it('moves the sparklines while playing', async () => {
    // Start from the beginning at 1x, whatever the replay did while the page loaded.
    await page.getByTestId('replay-seek').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-time"]')?.textContent?.includes(' 0:00 /'));
    if ((await page.getByTestId('replay-play').textContent())?.includes('Play')) await page.getByTestId('replay-play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-play"]')?.textContent?.includes('Pause'));
    const before = await sparklineImages();
    await page.waitForTimeout(3000);
    const after = await sparklineImages();
    expect(after.length).toBe(before.length);
    expect(after.filter((img, i) => img !== before[i]).length).toBeGreaterThan(before.length / 2);
    await page.screenshot({ path: join(RESULTS, 'replay.png') });
  });

  it('changes the values shown when seeking', async () => {
    await page.getByTestId('replay-play').click(); // pause
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-play"]')?.textContent?.includes('Play'));
    await page.getByTestId('replay-seek').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-time"]')?.textContent?.includes(' 0:00 /'));
    await page.waitForTimeout(500);
    const atStart = await cardTexts();
    await page.keyboard.press('End');
    await page.waitForFunction(() => !document.querySelector('[data-testid="replay-time"]')?.textContent?.includes(' 0:00 /'));
    await page.waitForFunction((prev) => [...document.querySelectorAll('[data-testid="gpu-card"] .spark-grid')].some((el, i) => el.textContent !== prev[i]), atStart, { timeout: 5_000 });
    const atEnd = await cardTexts();
    expect(atEnd.filter((t, i) => t !== atStart[i]).length).toBeGreaterThanOrEqual(12);
  });
});
