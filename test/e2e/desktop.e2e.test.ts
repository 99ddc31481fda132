// End to end against `gpu-pulse serve` with real demo exporters on loopback: add targets through
// the dialog, pin a node and find it still pinned and first after a restart, filter by class,
// and the node and targets views. Screenshots go to test-results/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';

const RESULTS = join(ROOT, 'test-results');

describe('desktop experience in Chromium against gpu-pulse serve', () => {
  let exporters: RunningCli;
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;
  const configDir = mkdtempSync(join(tmpdir(), 'gpu-pulse-e2e-desktop-'));

  const startServe = async () => {
    serve = await startCli(['serve', '--port', '0', '--config-dir', configDir]);
    await page.goto(serve.urls[0]!);
  };
  const nodeOrder = () => page.$$eval('[data-testid="node-group"]', (els) => els.map((el) => el.getAttribute('data-node')));

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    exporters = await startCli(['demo-exporter', '--instances', '2', '--base-port', '0', '--hostname', 'e2e-node-'], 2);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await startServe();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await exporters?.stop();
  });

  it('starts empty and says how to add a target', async () => {
    await expect(page.getByTestId('fleet-empty').textContent()).resolves.toMatch(/9400\/metrics/);
  });

  it('adds targets through the dialog, after a successful test connection, and shows them up with their GPUs', async () => {
    for (const [i, url] of exporters.urls.entries()) {
      await page.getByTestId('add-target-button').click();
      await page.getByTestId('add-target-url').fill(url);
      if (i === 0) {
        await page.getByTestId('test-connection').click();
        await expect(page.getByTestId('test-result').textContent({ timeout: 10_000 })).resolves.toMatch(/found 8 GPUs.*H100/s);
        await page.screenshot({ path: join(RESULTS, 'add-target-dialog.png') });
      }
      await page.getByTestId('add-target-submit').click();
      await page.waitForSelector(`[data-testid="node-group"][data-node="e2e-node-${i + 1}"][data-state="up"]`, { timeout: 10_000 });
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 16, undefined, { timeout: 10_000 });
    expect(await page.getByTestId('summary-gpus').textContent()).toBe('16');
    expect(await nodeOrder()).toEqual(['e2e-node-1', 'e2e-node-2']);
  });

  it('pins a node, which moves it first and stays pinned across a restart with the same config directory', async () => {
    await page.locator('[data-testid="node-group"][data-node="e2e-node-2"] [data-testid="pin-button"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="node-group"]')?.getAttribute('data-node') === 'e2e-node-2');
    await page.screenshot({ path: join(RESULTS, 'fleet-pinned.png') });
    await serve.stop();
    await startServe();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 16, undefined, { timeout: 30_000 });
    expect(await nodeOrder()).toEqual(['e2e-node-2', 'e2e-node-1']);
    expect(await page.locator('[data-testid="node-group"][data-node="e2e-node-2"] [data-testid="pin-button"]').getAttribute('aria-pressed')).toBe('true');
  }, 60_000);

  it('filters by class', async () => {
    const classes = await page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.getAttribute('data-class')!));
    const wanted = classes.find((c) => classes.filter((x) => x === c).length < classes.length)!;
    await page.getByTestId('filter-class').selectOption(wanted);
    const shown = await page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.getAttribute('data-class')));
    expect(shown.length).toBe(classes.filter((c) => c === wanted).length);
    expect(shown.every((c) => c === wanted)).toBe(true);
    await page.screenshot({ path: join(RESULTS, 'fleet-filtered.png') });
    await page.getByTestId('filter-class').selectOption('');
  });

  it('opens the node view with its GPUs, timing and extras', async () => {
    await page.locator('[data-testid="node-group"][data-node="e2e-node-1"] h2 a').click();
    await page.getByTestId('node-view').waitFor();
    expect(await page.locator('[data-testid="node-view"] [data-testid="gpu-card"]').count()).toBe(8);
    await expect(page.getByTestId('node-extras').textContent()).resolves.toMatch(/NvLink|no NvLink/);
    await page.screenshot({ path: join(RESULTS, 'node-view-after-restart.png') });
  });

  it('lists the targets with their state', async () => {
    await page.goto(serve.urls[0]! + '/#/targets');
    await page.getByTestId('targets-view').waitFor();
    const states = await page.$$eval('[data-testid="target-row"]', (els) => els.map((el) => el.getAttribute('data-state')));
    expect(states).toEqual(['up', 'up']);
    await page.screenshot({ path: join(RESULTS, 'targets-view.png') });
  });
});
