// The Targets view in Chromium through `gpu-pulse serve --targets-file FILE`: the Sources panel
// shows the file, a bad edit appears there as FILE:LINE while the listed targets stay, and an
// added line becomes a target row marked with its source.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';

describe('sources in the Targets view', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let dir: string;
  let file: string;
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 2, hostname: `ui-src-${i}`, seed: 40 + i }));
    dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-e2e-src-'));
    file = join(dir, 'nodes.txt');
    await writeFile(file, `${exporters[0]!.url}\n`);
    serve = await startCli(['serve', '--port', '0', '--config-dir', join(dir, 'config'), '--targets-file', file, '--interval', '1']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(serve.urls[0]! + '/#/targets');
    await page.getByTestId('targets-view').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await Promise.all(exporters.map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const sourceRow = () => page.locator('[data-testid="source-row"][data-kind="targets-file"]');

  it('lists the targets file as a source and marks its target', async () => {
    await sourceRow().waitFor();
    expect(await sourceRow().textContent()).toContain(file);
    await page.locator('[data-testid="target-row"] [data-testid="target-source"]').first().waitFor();
    expect(await page.locator('[data-testid="target-row"]').count()).toBe(1);
  });

  it('shows a bad edit as FILE:LINE and keeps the list, then follows the fixed file', async () => {
    await appendFile(file, 'not a url\n');
    await page.locator('[data-testid="source-row"][data-error="true"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('source-error').textContent()).toContain(`${file}:2: expected one URL per line, got "not a url"`);
    expect(await page.locator('[data-testid="target-row"]').count()).toBe(1);
    await page.screenshot({ path: join(ROOT, 'test-results', 'sources-error.png') });

    await writeFile(file, `${exporters[0]!.url}\n${exporters[1]!.url}\n`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="target-row"]').length === 2, undefined, { timeout: 15_000 });
    await page.locator('[data-testid="source-row"][data-error="false"]').waitFor({ timeout: 15_000 });
    expect(await sourceRow().textContent()).toMatch(/Targets file.*nodes\.txt\s*2/);
  }, 40_000);
});
