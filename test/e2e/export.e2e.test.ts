// The Export menu in Chromium against gpu-pulse serve --demo: save a snapshot (.prom accepted by
// promtool and the strict parser), push to a real Pushgateway through the dialog, and record
// live activity, then download the recording and replay it.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseExposition } from '../../src/main/core/exposition';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';
import { runPromtool, startPeer, type RunningPeer } from '../export/support/peers';

describe('Export menu', () => {
  let serve: RunningCli;
  let gateway: RunningPeer;
  let browser: Browser;
  let page: Page;
  const downloads = mkdtempSync(join(tmpdir(), 'gpu-pulse-downloads-'));

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    gateway = await startPeer('pushgateway', (port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--persistence.file='], '/-/ready');
    serve = await startCli(['serve', '--demo', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-e2e-export-'))]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await page.goto(serve.urls[0]!);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 32, undefined, { timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await gateway?.stop();
  });

  it('saves a snapshot that promtool and the strict parser accept, with every GPU', async () => {
    await page.getByTestId('export-button').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-snapshot').click()]);
    expect(download.suggestedFilename()).toMatch(/^gpu-pulse-snapshot-.*\.prom$/);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    const parsed = parseExposition(text, { format: 'prometheus', mode: 'strict' });
    expect(parsed.problems).toEqual([]);
    const util = parsed.families.find((f) => f.name === 'gpu_pulse_real_utilization_ratio')!;
    expect(util.samples).toHaveLength(32);
    const check = await runPromtool(['check', 'metrics'], text);
    expect(check.stdout + check.stderr).not.toMatch(/error/i);
  });

  it('pushes to a real Pushgateway through the dialog', async () => {
    await page.getByTestId('export-button').click();
    await page.getByTestId('push-gateway').click();
    await page.getByTestId('push-gateway-url').fill(gateway.url);
    await page.getByTestId('push-job').fill('e2e_job');
    await page.getByTestId('push-grouping').fill('cluster=demo/pool');
    await page.getByTestId('push-submit').click();
    await expect(page.getByTestId('push-result').textContent({ timeout: 10_000 })).resolves.toMatch(/HTTP 200/);
    await page.screenshot({ path: join(ROOT, 'test-results', 'push-dialog.png') });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const pushed = metrics.split('\n').filter((l) => l.startsWith('gpu_pulse_real_utilization_ratio{'));
    expect(pushed).toHaveLength(32);
    // The grouping value with a slash arrives decoded.
    expect(pushed.every((l) => l.includes('cluster="demo/pool"') && l.includes('job="e2e_job"'))).toBe(true);
    await page.getByTestId('push-dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('push-dialog').waitFor({ state: 'detached' });
  });

  it('records live activity, then downloads and replays the recording', async () => {
    await page.getByTestId('export-button').click();
    await page.getByTestId('record-toggle').click();
    await page.waitForFunction(() => /recording 4 target\(s\)/.test(document.querySelector('[data-testid="export-message"]')?.textContent ?? ''));
    // The button follows the recording's status as it arrives with the ticks.
    await page.waitForFunction(() => document.querySelector('[data-testid="export-button"]')?.textContent?.includes('Recording'));
    await page.waitForTimeout(5000);
    await page.getByTestId('export-button').click();
    await page.getByTestId('record-toggle').click();
    await page.waitForFunction(() => /recorded [1-9]\d* scrapes/.test(document.querySelector('[data-testid="export-message"]')?.textContent ?? ''));
    await page.getByTestId('export-button').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText(/^Download gpu-pulse-/).click()]);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await page.getByTestId('export-button').click();
    await page.getByText(/^Replay gpu-pulse-/).click();
    await page.getByTestId('replay-bar').waitFor();
  });
});
