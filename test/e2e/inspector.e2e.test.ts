// End to end: the file inspector in Debian's Chromium against `gpu-pulse serve --demo` (built
// CLI, real demo exporters scraped on loopback). Files arrive the ways a user gives them: a
// real drop event with a DataTransfer, and the "Open file…" picker. Screenshots go to
// test-results/inspector-*.png.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';
import { writeLargeDcgmFile } from '../inspector/large-file';

const RESULTS = join(ROOT, 'test-results');
const SAMPLES = join(ROOT, '..', 'shared', 'dcgm-exporter-samples');
const H100 = join(SAMPLES, 'nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom');
const L4 = join(SAMPLES, 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom');
const L40S = join(SAMPLES, 'cncf-upcloud-v1.35_nvidia-l40s_full-scrape.prom');
const FIXTURES = join(ROOT, 'test', 'dcgm', 'fixtures');

const BROKEN = [
  '# HELP gpu_jobs Jobs per GPU.',
  '# TYPE gpu_jobs gauge',
  'gpu_jobs{gpu="0"} 3',
  'gpu_jobs{gpu="1" 2',
  'gpu_temp{gpu="0"} hot',
  '# TYPE gpu_jobs counter',
  'gpu_ok 1',
  '',
].join('\n');

/** A real drop: dragenter, dragover and drop events carrying a DataTransfer with the file. */
async function dropFile(page: Page, name: string, bytes: Buffer, opts: { drop?: boolean } = {}): Promise<void> {
  await page.evaluate(
    ([name, base64, drop]) => {
      const raw = atob(base64);
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name));
      const target = document.querySelector('main') ?? document.body;
      for (const type of drop ? ['dragenter', 'dragover', 'drop'] : ['dragenter', 'dragover']) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    [name, bytes.toString('base64'), opts.drop ?? true] as const,
  );
}

/** Runs `open`, then waits for the view to move to a file other than the one shown before. */
async function openedId(page: Page, open: () => Promise<void>, timeout = 15_000): Promise<string> {
  const before = await page.evaluate(() => window.location.hash);
  await open();
  await page.waitForFunction((prev) => /^#\/inspector\/.+/.test(window.location.hash) && window.location.hash !== prev, before, { timeout });
  return decodeURIComponent((await page.evaluate(() => window.location.hash)).replace('#/inspector/', ''));
}

async function untilDone(page: Page, id: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`[data-testid="inspection"][data-id="${id}"][data-status="done"]`, { timeout });
}

describe('file inspector in Chromium against gpu-pulse serve', () => {
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;
  let tmp: string;

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    tmp = mkdtempSync(join(tmpdir(), 'gpu-pulse-inspector-e2e-'));
    serve = await startCli(['serve', '--demo', '--port', '0', '--config-dir', join(tmp, 'config')]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${serve.urls[0]}/#/inspector`);
    await page.getByTestId('inspector-empty').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('drops a dcgm-exporter capture and shows its GPU cards and families', async () => {
    await page.goto(`${serve.urls[0]}/#/`);
    await page.getByTestId('gpu-card').first().waitFor({ timeout: 15_000 }); // the live fleet is up
    // The overlay shows while files are dragged over any view.
    await dropFile(page, 'h100-node.prom', readFileSync(H100), { drop: false });
    await page.getByTestId('drop-overlay').waitFor();
    await page.screenshot({ path: join(RESULTS, 'inspector-drop-overlay.png') });
    const id = await openedId(page, async () => {
      await dropFile(page, 'h100-node.prom', readFileSync(H100));
      expect(await page.getByTestId('drop-overlay').count()).toBe(0);
    });
    await untilDone(page, id);

    expect(await page.getByTestId('inspector-format').getAttribute('data-format')).toBe('prometheus');
    const cards = page.locator('[data-testid="inspection"] [data-testid="gpu-card"]');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(8);
    const models = await cards.locator('.gpu-model').allTextContents();
    expect(new Set(models)).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
    const health = await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-health')));
    expect(health.every((h) => ['OK', 'WARN', 'HOT', 'CRIT'].includes(h!))).toBe(true);
    expect(await page.getByTestId('inspector-gpu-summary').textContent()).toMatch(/8 GPUs on 1 node/);
    await page.screenshot({ path: join(RESULTS, 'inspector-gpus.png'), fullPage: true });

    await page.getByTestId('inspector-tab-families').click();
    const names = await page.getByTestId('inspector-family').evaluateAll((els) => els.map((el) => el.getAttribute('data-name')));
    expect(names).toEqual(['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL']);
    const powerRow = page.locator('[data-testid="inspector-family"][data-name="DCGM_FI_DEV_POWER_USAGE"]');
    expect(await powerRow.textContent()).toMatch(/untyped.*8$/);
    await page.screenshot({ path: join(RESULTS, 'inspector-families.png') });

    // A family row opens its series; a filter narrows them to one GPU.
    await powerRow.click();
    await page.getByTestId('series-row').first().waitFor();
    expect(await page.getByTestId('series-total').textContent()).toBe('8 series');
    await page.getByTestId('series-filter').fill('gpu="3"');
    await page.waitForFunction(() => document.querySelector('[data-testid="series-total"]')?.textContent === '1 series');
    expect(await page.getByTestId('series-row').textContent()).toMatch(/DCGM_FI_DEV_POWER_USAGE\{gpu="3".*67\.316000.*line 12/);
    await page.screenshot({ path: join(RESULTS, 'inspector-series.png') });
  });

  it('drops a broken file and lists each problem with its line; a problem opens its source line', async () => {
    const id = await openedId(page, () => dropFile(page, 'broken.prom', Buffer.from(BROKEN)));
    await untilDone(page, id);
    // A file with errors opens on its problems.
    const problems = page.getByTestId('problem');
    await problems.first().waitFor();
    const rows = await problems.evaluateAll((els) => els.map((el) => [el.getAttribute('data-line'), el.getAttribute('data-severity'), el.textContent]));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['4', 'error'],
      ['5', 'error'],
      ['6', 'warning'],
    ]);
    expect(rows[1]![2]).toMatch(/^5:19error.*"hot"/);
    await page.screenshot({ path: join(RESULTS, 'inspector-problems.png') });

    // Keyboard: Enter on a problem shows the source with the line marked, Escape closes it.
    await problems.nth(1).focus();
    await page.keyboard.press('Enter');
    const hit = page.getByTestId('source-hit');
    await hit.waitFor();
    expect(await hit.getAttribute('data-line')).toBe('5');
    expect(await hit.textContent()).toBe('5gpu_temp{gpu="0"} hot');
    expect(await page.getByTestId('source-caret').textContent()).toBe('h');
    expect(await page.getByTestId('source-line').count()).toBe(6); // lines 1-4 and 6-7 around it
    await page.screenshot({ path: join(RESULTS, 'inspector-source.png') });
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('source-panel').count()).toBe(0);

    // A click works the same way.
    await problems.first().click();
    expect(await page.getByTestId('source-hit').getAttribute('data-line')).toBe('4');
    await page.keyboard.press('Escape');
  });

  it('opens gzip files and plain files with the picker, and compares two files GPU by GPU', async () => {
    const gz = await openedId(page, () => dropFile(page, 'l40s.prom.gz', gzipSync(readFileSync(L40S))));
    await untilDone(page, gz);
    expect(await page.getByTestId('inspector-format').getAttribute('data-format')).toBe('prometheus');
    await page.getByTestId('inspector-tab-families').click();
    expect(await page.getByTestId('inspector-family').count()).toBe(23);

    const l4 = await openedId(page, () => page.getByTestId('inspect-file-input').setInputFiles(L4));
    await untilDone(page, l4);
    await page.getByRole('button', { name: 'Compare…' }).click();
    const compare = page.getByTestId('inspector-compare');
    await compare.waitFor();
    await compare.getByLabel('File B').selectOption({ label: 'l40s.prom.gz' });
    const row = page.getByTestId('compare-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const text = await row.first().textContent();
    expect(text).toMatch(/GPU 0/);
    // An L4 and an L40S under different loads differ in power at least.
    expect(await row.first().locator('td[data-diff="true"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('compare-summary').textContent()).toMatch(/1 GPU, 1 with differences/);
    await page.screenshot({ path: join(RESULTS, 'inspector-compare.png') });

    // The session's files are listed, newest first.
    const listed = await page.getByTestId('inspector-file').locator('a .ellipsis').allTextContents();
    expect(listed.slice(0, 4)).toEqual(['cncf-kops-v1.35_nvidia-l4_full-scrape.prom', 'l40s.prom.gz', 'broken.prom', 'h100-node.prom']);
  });

  it('opens a 100 MB file with a progress bar that advances while the window keeps handling clicks', async () => {
    const big = join(tmp, 'fleet-dump.prom');
    const { samples } = await writeLargeDcgmFile(big, 100 * 1024 * 1024);
    await page.goto(`${serve.urls[0]}/#/inspector`);
    await page.getByTestId('inspector-empty').waitFor();
    // The upload itself shows in the file list; the view follows the file once it is in.
    const id = await openedId(page, () => page.getByTestId('inspect-file-input').setInputFiles(big), 120_000);

    // Sample the bar until it is gone.
    const seen: number[] = [];
    await page.getByTestId('inspect-progress').first().waitFor();
    let clicked = false;
    let screenshot = false;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const now = await page.evaluate(() => document.querySelector('[data-testid="inspect-progress"]')?.getAttribute('aria-valuenow') ?? null);
      if (now === null) break;
      seen.push(Number(now));
      if (!screenshot && Number(now) > 30) {
        await page.screenshot({ path: join(RESULTS, 'inspector-progress.png') });
        screenshot = true;
      }
      if (!clicked && Number(now) > 30) {
        // The window answers clicks while the file parses: to the fleet and back.
        const before = Date.now();
        await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Fleet' }).click();
        await page.waitForFunction(() => window.location.hash === '#/' && document.querySelector('[data-testid="inspector"]') === null, undefined, { timeout: 5_000 });
        // The click was handled while the file was still parsing: the clicks really overlapped.
        const during = (await (await fetch(`${serve.urls[0]}/api/call/getInspection`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([id]) })).json()) as { result: { status: string } };
        expect(during.result.status).toBe('parsing');
        await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Inspector' }).click();
        await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
        clicked = true;
        expect(Date.now() - before).toBeLessThan(5_000);
        await page.getByTestId('inspector-file').first().locator('a').click();
        await page.waitForFunction((want) => window.location.hash === `#/inspector/${want}`, id);
      }
      await page.waitForTimeout(150);
    }
    expect(clicked).toBe(true);
    const distinct = [...new Set(seen)];
    expect(distinct.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);

    await untilDone(page, id, 60_000);
    expect(await page.getByTestId('inspection').getAttribute('data-status')).toBe('done');
    await page.getByTestId('inspector-tab-series').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="series-total"]')?.textContent === `${n.toLocaleString('en-US')} series`, samples);
    // Virtualized: a few dozen rows in the DOM for hundreds of thousands of series.
    expect(await page.getByTestId('series-row').count()).toBeLessThan(100);
    await page.screenshot({ path: join(RESULTS, 'inspector-large.png') });
  }, 300_000);

  it('reads a CRLF capture (issue 22): clock event reasons by name, GR stand-in and estimated total marked', async () => {
    const crlf = readFileSync(join(FIXTURES, 'exporter-2x-help-first-t4.prom'), 'utf8').replace(/\n/g, '\r\n');
    await page.goto(`${serve.urls[0]}/#/inspector`);
    const id = await openedId(page, () => dropFile(page, 't4-windows.prom', Buffer.from(crlf)));
    await untilDone(page, id);
    const card = page.locator('[data-testid="inspection"] [data-testid="gpu-card"]');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute('data-health')).toBe('CRIT');
    expect(await page.getByTestId('inspector-clock-reasons').textContent()).toBe('GPU idle, HW slowdown');
    expect(await page.getByTestId('inspector-gr').textContent()).toBe('40% (NVML GPU utilization standing in)');
    expect(await card.getByTestId('gr-substitute').count()).toBe(1);
    expect(await card.textContent()).toContain('/ ≈14.6 GiB');
    await page.screenshot({ path: join(RESULTS, 'inspector-issue22-t4-crlf.png'), fullPage: true });
    // The tolerated line ends are listed as a warning.
    await page.getByTestId('inspector-tab-problems').click();
    expect(await page.locator('body').textContent()).toContain('lines end with CRLF');
  });
});
