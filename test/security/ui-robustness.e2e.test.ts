// Hostile names and links in the real renderer (Chromium against `gpu-pulse serve`): a
// malformed link shows an error view, a right-to-left override is shown escaped, and a
// 20,000-character label is truncated with a tooltip instead of widening the page.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { startCli, type RunningCli } from '../helpers/cli';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { waitFor } from '../helpers/servers';

const BIDI_NODE = 'gnp\u202Eexe.png';
const LONG_NODE = 'n'.repeat(20_000);

describe('hostile names and links in the UI', () => {
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;
  let base: string;
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    exporters.push(await startDemoExporter({ port: 0, gpus: 1, hostname: BIDI_NODE, seed: 1 }));
    exporters.push(await startDemoExporter({ port: 0, gpus: 1, hostname: LONG_NODE, seed: 2 }));
    serve = await startCli(['serve', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-ui-')), '--interval', '1', ...exporters.flatMap((e) => ['--target', e.url])]);
    base = serve.urls[0]!;
    await waitFor('both GPUs', async () => ((await (await fetch(`${base}/api/gpus`)).json()) as unknown[]).length === 2 || undefined);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('a malformed link (#/node/%E0%A4%A) shows an error view, not a blank page', async () => {
    await page.goto(`${base}/#/node/%E0%A4%A`);
    const view = page.getByTestId('route-error');
    await view.waitFor({ timeout: 10_000 });
    expect(await view.textContent()).toMatch(/link/i);
    expect(pageErrors.filter((e) => /URI/.test(e))).toEqual([]);
    // The rest of the app still works from there.
    await page.goto(`${base}/#/`);
    await page.getByText('\\u202E', { exact: false }).first().waitFor({ timeout: 10_000 });
  });

  it('shows a right-to-left override escaped, never as a raw control character', async () => {
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('gnp\\u202Eexe.png');
    expect(text).not.toContain('\u202E');
  });

  it('truncates a 20,000-character label with a tooltip and keeps the page as wide as the window', async () => {
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll).toBeLessThanOrEqual(width.client);
    const titled = await page.evaluate((long) => [...document.querySelectorAll('[title]')].some((el) => el.getAttribute('title') === long), LONG_NODE);
    expect(titled).toBe(true);
    await page.goto(`${base}/#/node/${LONG_NODE}`);
    await page.waitForTimeout(500);
    const nodeWidth = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(nodeWidth.scroll).toBeLessThanOrEqual(nodeWidth.client);
  });
});
