// Adding a Prometheus server in the targets dialog: its nodes appear in the fleet like direct
// targets, with a source badge.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';
import { startPrometheus, type PrometheusHandle } from '../prometheus/support';

describe('a Prometheus source in the UI', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let prometheus: PrometheusHandle;
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 8, hostname: `via-prom-${i}`, seed: 20 + i }));
    prometheus = await startPrometheus({ config: { global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: exporters.map((e) => new URL(e.url).host) }] }] } });
    serve = await startCli(['serve', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-e2e-prom-'))]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(serve.urls[0]!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await prometheus?.close();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('adds the server through the dialog and shows every node it scrapes with a source badge', async () => {
    await page.getByTestId('add-target-button').click();
    await page.getByTestId('add-target-kind').selectOption('prometheus');
    await page.getByTestId('add-target-url').fill(prometheus.url);
    await page.getByTestId('add-target-submit').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gpu-card"]').length === 16, undefined, { timeout: 20_000 });
    const groups = await page.$$eval('[data-testid="node-group"]', (els) => els.map((el) => [el.getAttribute('data-node'), el.getAttribute('data-state'), el.querySelector('[data-testid="source-badge"]')?.textContent ?? null]));
    expect(groups).toEqual([
      ['via-prom-1', 'up', 'via Prometheus'],
      ['via-prom-2', 'up', 'via Prometheus'],
    ]);
    await page.screenshot({ path: join(ROOT, 'test-results', 'prometheus-source.png') });
  }, 40_000);
});
