// End to end: no value is ever cut. `gpu-pulse serve --target` scrapes a fixture exporter that
// prints the widest real values (100%·100%·100%, 105°C, 1000W, 79.6 / 79.6 GiB, MIG profiles,
// long model and host names), and Chromium opens the fleet, every node view and the focus view
// of the extreme GPUs at 900, 1280 and 1920 px in the light and the dark theme. Any text that
// reaches past a box that clips it (a card, an ellipsis cell, the window) fails the test,
// unless it is a name shown with an ellipsis whose tooltip holds the whole name. The same
// walk collects console errors and failed requests: there must be none.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { launchChromium } from '../helpers/chromium';
import { ROOT, startCli, type RunningCli } from '../helpers/cli';
import { startServer, waitFor, type TestServer } from '../helpers/servers';
import { EXTREME_FLEET, nodePath, renderNode } from './fixtures/extreme-fleet';

const RESULTS = join(ROOT, 'test-results');
const WIDTHS = [900, 1280, 1920] as const;
const THEMES = ['light', 'dark'] as const;
const GPU_COUNT = EXTREME_FLEET.reduce((n, node) => n + node.gpus.length, 0);

/** Elements that hold a reading: never truncated, whatever the width. */
const VALUE_SELECTOR = '.metric-value, .real-util, [data-testid="metric-now"], .stat-value, [data-testid="sample-age"]';

interface Finding {
  text: string;
  where: string;
  reason: string;
}

/**
 * Runs in the page: every non-blank text node under `rootSelector` whose glyphs reach past an
 * ancestor that clips (overflow other than visible; a vertical scroller only clips sideways),
 * past its GPU card, or past the window's right edge. A name cut by its own ellipsis box is
 * allowed when that box's title holds the whole text and the text is not a reading.
 */
function clippedText({ rootSelector, valueSelector }: { rootSelector: string; valueSelector: string }): { findings: Finding[]; truncatedNames: string[]; checked: number } {
  const findings: Finding[] = [];
  const truncatedNames = new Set<string>();
  const viewportRight = document.documentElement.clientWidth;
  const describe = (el: Element) => {
    const parts: string[] = [];
    for (let e: Element | null = el; e && parts.length < 4; e = e.parentElement) {
      const id = e.getAttribute('data-testid');
      parts.unshift(`${e.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`);
      if (id === 'gpu-card') break;
    }
    return parts.join(' > ');
  };
  // A reading, even with its unit: nothing alphabetic is left once units are removed.
  const isReading = (el: Element, text: string) => el.closest(valueSelector) !== null || !/[A-Za-z]{2}/.test(text.replace(/GiB|MiB|KiB|[KMGT]?B\/s|[KMG]?Hz|°C|ms|\bs\b|W\b/g, ''));
  const mayEllipsize = (box: Element, text: string) => {
    const style = getComputedStyle(box);
    const title = box.getAttribute('title') ?? '';
    return style.textOverflow === 'ellipsis' && title.includes((box.textContent ?? '').trim()) && !isReading(box, text);
  };
  let checked = 0;
  for (const root of document.querySelectorAll(rootSelector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('select, option, textarea, script, style, svg, .focus-sr-only')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length === 0) continue;
      checked++;
      const fail = (reason: string) => findings.push({ text, where: describe(el), reason });
      const card = el.closest('[data-testid="gpu-card"]');
      if (card) {
        const c = card.getBoundingClientRect();
        if (rects.some((r) => r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5)) {
          fail('extends past its card');
          continue;
        }
      }
      if (rects.some((r) => r.right > viewportRight + 0.5)) {
        fail(`extends past the window's right edge (${Math.round(Math.max(...rects.map((r) => r.right)))} > ${viewportRight})`);
        continue;
      }
      for (let box: Element | null = el; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        const clipsX = style.overflowX !== 'visible';
        const clipsY = style.overflowY === 'hidden' || style.overflowY === 'clip';
        if (!clipsX && !clipsY) continue;
        const b = box.getBoundingClientRect();
        const left = b.left + box.clientLeft;
        const top = b.top + box.clientTop;
        const cutX = clipsX && rects.some((r) => r.left < left - 0.5 || r.right > left + box!.clientWidth + 0.5);
        const cutY = clipsY && rects.some((r) => r.top < top - 0.5 || r.bottom > top + box!.clientHeight + 0.5);
        if (!cutX && !cutY) continue;
        if (!cutY && mayEllipsize(box, text)) truncatedNames.add(text);
        else fail(`cut by ${describe(box)} (${cutY ? 'vertically' : 'horizontally'})`);
        break;
      }
    }
  }
  return { findings, truncatedNames: [...truncatedNames], checked };
}

describe('layout: every value whole at 900, 1280 and 1920 px, light and dark, with extreme readings', () => {
  let exporter: TestServer;
  let serve: RunningCli;
  let browser: Browser;
  let page: Page;
  let base: string;
  let gpus: GpuSnapshot[];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    exporter = await startServer((req, res) => {
      const i = EXTREME_FLEET.findIndex((_, n) => req.url === nodePath(n));
      if (i < 0) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderNode(EXTREME_FLEET[i]!));
    });
    const origin = `http://127.0.0.1:${exporter.port}`;
    const configDir = mkdtempSync(join(tmpdir(), 'gpu-pulse-layout-e2e-'));
    serve = await startCli(['serve', '--port', '0', '--config-dir', configDir, '--interval', '1', ...EXTREME_FLEET.flatMap((_, i) => ['--target', origin + nodePath(i)])]);
    base = serve.urls[0]!.replace(/\/$/, '');
    gpus = await waitFor(`${GPU_COUNT} GPUs from the fixture exporter`, async () => {
      const list = (await (await fetch(`${base}/api/gpus`)).json()) as GpuSnapshot[];
      return list.length === GPU_COUNT ? list : undefined;
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    page.on('requestfailed', (req) => {
      // The event stream closes when the browser does; anything else failing is a bug.
      failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) failedRequests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
    });
    await page.goto(`${base}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await exporter?.close();
  });

  const gpuHref = (key: string) => `#/gpu/${key.split('/').map(encodeURIComponent).join('/')}`;

  /** The views to check: the fleet, every node, and the focus view of each kind of extreme GPU. */
  function views(): { name: string; hash: string; root: string; ready: string }[] {
    const pick = (pred: (g: GpuSnapshot) => boolean, what: string) => {
      const gpu = gpus.find(pred);
      if (!gpu) throw new Error(`the fixture has no ${what}`);
      return gpu;
    };
    const focus = [
      pick((g) => g.model === 'NVIDIA H100 80GB HBM3' && g.migInstance === null && g.readings.powerWatts === 1000, 'flat-out H100'),
      pick((g) => g.migInstance?.profile === '1g.10gb+me', 'MIG instance 1g.10gb+me'),
      pick((g) => g.model === 'NVIDIA GH200 480GB' && g.realUtilMissing.length > 0, 'GH200 without SM counter'),
      pick((g) => g.model === 'NVIDIA H200', 'H200'),
    ];
    return [
      { name: 'fleet', hash: '#/', root: '.fleet', ready: '.fleet [data-testid="gpu-card"]' },
      ...EXTREME_FLEET.map((n) => ({ name: `node ${n.hostname}`, hash: `#/node/${encodeURIComponent(n.hostname)}`, root: '[data-testid="node-view"]', ready: '[data-testid="node-view"] [data-testid="gpu-card"]' })),
      ...focus.map((g) => ({ name: `focus ${g.node} / GPU ${g.gpuIndex}${g.migInstance ? ` / GI ${g.migInstance.id}` : ''}`, hash: gpuHref(g.key), root: '[data-testid="gpu-focus"]', ready: '[data-testid="metric-table"]' })),
    ];
  }

  it('the fixture reaches the UI with its extreme readings', () => {
    const flatOut = gpus.find((g) => g.model === 'NVIDIA H100 80GB HBM3' && g.migInstance === null && g.readings.powerWatts === 1000)!;
    expect(flatOut.readings.gpuTempC).toBe(105);
    expect(flatOut.readings.smActive).toBe(1);
    expect(gpus.filter((g) => g.migInstance).map((g) => g.migInstance!.profile).sort()).toEqual(['1g.10gb+me', '3g.40gb']);
    expect(gpus.some((g) => g.class.label === 'unknown (no SM counter)')).toBe(true);
  });

  it('cuts no value in the fleet, node and focus views at any width or theme', async () => {
    const findings: string[] = [];
    const truncated = new Set<string>();
    let checked = 0;
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const view of views()) {
          await page.evaluate((hash) => (window.location.hash = hash), view.hash);
          await page.locator(view.ready).first().waitFor();
          await page.waitForFunction(() => !document.querySelector('[data-testid="readings-loading"], [data-testid="history-loading"]'));
          // Two frames: the layout after the route change and the resize has settled.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const result = await page.evaluate(clippedText, { rootSelector: view.root, valueSelector: VALUE_SELECTOR });
          checked += result.checked;
          for (const name of result.truncatedNames) truncated.add(name);
          for (const f of result.findings) findings.push(`${width}px ${theme} ${view.name}: "${f.text}" ${f.reason} [${f.where}]`);
          if (theme === 'dark' && width === 900 && view.name === 'fleet') await page.screenshot({ path: join(RESULTS, 'layout-fleet-900.png'), fullPage: true });
        }
      }
    }
    console.log(`layout: ${checked} text nodes checked, ${findings.length} cut; names shown with an ellipsis and a tooltip: ${[...truncated].join(', ') || 'none'}`);
    expect(checked).toBeGreaterThan(1000);
    expect(findings).toEqual([]);
  }, 240_000);

  it('logs no console error and no failed request on any view', () => {
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
