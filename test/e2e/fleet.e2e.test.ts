// End to end: `gpu-pulse serve --demo` (built CLI, real demo exporters, real scrapes) driven
// in Debian's Chromium. Screenshots go to test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';

const RESULTS = join(ROOT, 'test-results');

describe('fleet view in Chromium against gpu-pulse serve --demo', () => {
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const configDir = mkdtempSync(join(tmpdir(), 'gpu-pulse-e2e-'));
    serve = await startCli(['serve', '--demo', '--port', '0', '--config-dir', configDir]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows 32 GPU cards with sparklines within 10 s', async () => {
    await page.goto(serve.urls[0]!);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 32, undefined, { timeout: 10_000 });
    const cards = page.getByTestId('gpu-card');
    expect(await cards.count()).toBe(32);
    const sparklinesPerCard = await page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.querySelectorAll('svg[data-testid="sparkline"]').length));
    expect(sparklinesPerCard.every((n) => n >= 5)).toBe(true);
    const groups = await page.$$eval('[data-testid="node-group"]', (els) => els.map((el) => [el.getAttribute('data-node'), el.getAttribute('data-state')]));
    expect(groups.map((g) => g[0]).sort()).toEqual(['demo-node-1', 'demo-node-2', 'demo-node-3', 'demo-node-4']);
    expect(groups.every((g) => g[1] === 'up')).toBe(true);
    expect(await page.locator('.demo-chip').first().isVisible()).toBe(true);
  });

  it('updates card values within 5 s', async () => {
    const read = () => page.$$eval('[data-testid="gpu-card"]', (els) => els.map((el) => el.textContent));
    const before = await read();
    await page.waitForFunction(
      (prev) => {
        const now = [...document.querySelectorAll('[data-testid="gpu-card"]')].map((el) => el.textContent);
        return now.filter((t, i) => t !== prev[i]).length >= 8;
      },
      before,
      { timeout: 5_000 },
    );
    const after = await read();
    expect(after.filter((t, i) => t !== before[i]).length).toBeGreaterThanOrEqual(8);
    // Let the sparklines collect a few points before the screenshot.
    await page.waitForTimeout(4000);
    await page.screenshot({ path: join(RESULTS, 'fleet-view.png') });
  });

  it("opens a node's view with its history drawn as lines, not single points", async () => {
    await page.locator('[data-testid="node-group"][data-node="demo-node-1"] h2 a').click();
    await page.getByTestId('node-view').waitFor();
    expect(await page.locator('[data-testid="node-view"] [data-testid="gpu-card"]').count()).toBe(8);
    // Each point of a line after its first is one more joined to the line.
    const joins = await page.$$eval('[data-testid="node-view"] svg[data-testid="sparkline"] polyline', (els) =>
      els.map((el) => (el.getAttribute('points') ?? '').trim().split(/\s+/).length - 1),
    );
    expect(joins.length).toBeGreaterThanOrEqual(8 * 5);
    expect(Math.min(...joins)).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(RESULTS, 'node-view.png') });
  });
});
