// npm run bench:ui — the fleet view with 1,000 demo GPUs in Debian's Chromium.
// Prints, for the virtualized view and (baseline, same run) the fully rendered view:
//  - main-thread time per applied tick (CDP Performance.TaskDuration delta / ticks applied)
//  - while scrolling the fleet: main-thread time per frame, and the frame intervals (p50 / p95 /
//    max of rAF deltas, and the share of late frames)
// Goal: tick repaint and scroll frames under 16 ms. With --profile, the renderer's CPU profile
// while ticks arrive and while scrolling go to test-results/bench-ui-{ticks,scroll}-*.cpuprofile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'gpu-pulse.js');
const NODES = 125; // x 8 GPUs = 1,000
const MEASURE_MS = 20_000;
/** `npm run bench:ui -- --profile`: also save the renderer's CPU profiles (ticks, scrolling). */
const PROFILE = process.argv.includes('--profile');

function start(args: string[], expect: number): Promise<{ child: ChildProcess; urls: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const urls: string[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const m of buffer.matchAll(/^listening on (\S+)$/gm)) if (!urls.includes(m[1]!)) urls.push(m[1]!);
      if (urls.length >= expect) resolve({ child, urls });
    });
    child.on('exit', (code) => reject(new Error(`gpu-pulse ${args[0]} exited with ${code}`)));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function saveProfile(cdp: CDPSession, file: string, what: string): Promise<void> {
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
  const path = join(ROOT, 'test-results', file);
  writeFileSync(path, JSON.stringify(profile));
  console.error(`renderer CPU profile ${what}: ${path}`);
}

async function main() {
  const fleet = await start(['demo-exporter', '--instances', String(NODES), '--base-port', '0', '--gpus', '8'], NODES);
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-ui-'));
  const targetsFile = join(dir, 'targets.txt');
  writeFileSync(targetsFile, fleet.urls.map((u) => u.replace(/\/$/, '')).join('\n') + '\n');
  const serve = await start(['serve', '--port', '0', '--config-dir', dir, '--targets-file', targetsFile, '--interval', '2'], 1);
  const browser = await launchChromium();
  const rows: string[][] = [];
  try {
    for (const mode of ['virtualized', 'baseline: all cards rendered'] as const) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(serve.urls[0]! + (mode === 'virtualized' ? '/' : '/?virtualize=off'));
      await page.waitForFunction(() => document.querySelector('[data-testid="summary-gpus"]')?.textContent === '1000', undefined, { timeout: 60_000 });
      await page.waitForTimeout(3000);
      const cards = await page.$$eval('[data-testid="gpu-card"]', (els) => els.length);
      const metric = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as Array<{ name: string; value: number }>).map((m) => [m.name, m.value]));
      if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      const before = await metric();
      const ticksBefore = await page.evaluate(() => (window as any).__pulseTicks as number);
      await page.waitForTimeout(MEASURE_MS);
      const after = await metric();
      if (PROFILE) await saveProfile(cdp, `bench-ui-ticks-${mode === 'virtualized' ? 'virtual' : 'baseline'}.cpuprofile`, 'while ticks arrive');
      const ticks = (await page.evaluate(() => (window as any).__pulseTicks as number)) - ticksBefore;
      const taskMsPerTick = ((after.TaskDuration! - before.TaskDuration!) * 1000) / Math.max(1, ticks);
      if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      const beforeScroll = await metric();
      // A string, not a function: tsx would wrap inner functions in a __name() helper the page lacks.
      const frames: number[] = await page.evaluate(`new Promise((resolve) => {
        const deltas = [];
        const started = performance.now();
        let last = performance.now();
        let n = 0;
        const step = (t) => {
          deltas.push(t - last);
          last = t;
          window.scrollBy(0, 120);
          // 240 frames, or 20 s for a view too slow to get there (the unvirtualized baseline).
          if (++n < 240 && performance.now() - started < 20000) requestAnimationFrame(step);
          else resolve(deltas.slice(2));
        };
        requestAnimationFrame(step);
      })`);
      const afterScroll = await metric();
      // rAF deltas cannot go below the display's 16.7 ms, so the frame's own cost is measured too:
      // main-thread task time while scrolling, per frame (ticks keep arriving meanwhile).
      const scrollTaskMsPerFrame = ((afterScroll.TaskDuration! - beforeScroll.TaskDuration!) * 1000) / Math.max(1, frames.length);
      const late = frames.filter((d) => d > 16.7 * 1.5).length / Math.max(1, frames.length);
      if (PROFILE) await saveProfile(cdp, `bench-ui-scroll-${mode === 'virtualized' ? 'virtual' : 'baseline'}.cpuprofile`, 'while scrolling');
      rows.push([
        mode,
        String(cards),
        String(ticks),
        taskMsPerTick.toFixed(2),
        scrollTaskMsPerFrame.toFixed(2),
        percentile(frames, 50).toFixed(1),
        percentile(frames, 95).toFixed(1),
        Math.max(...frames).toFixed(1),
        `${(late * 100).toFixed(1)}%`,
      ]);
      console.error(`measured ${mode}: ${rows.at(-1)!.join(' | ')}`);
      await page.screenshot({ path: join(ROOT, 'test-results', `bench-ui-${mode === 'virtualized' ? 'virtual' : 'baseline'}.png`) }).catch(() => {});
      await page.close();
    }
  } finally {
    await browser.close();
    serve.child.kill('SIGTERM');
    fleet.child.kill('SIGTERM');
  }
  const header = ['view (1,000 GPUs)', 'cards in DOM', 'ticks', 'main thread ms/tick', 'scroll: main thread ms/frame', 'frame interval p50 ms', 'p95 ms', 'max ms', 'late frames'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('goal: main thread per tick < 16 ms and per scroll frame < 16 ms (a 60 Hz frame)');
  console.log('frame interval: rAF to rAF, 16.7 ms at best on a 60 Hz display; late frames: intervals over 25 ms (one or more frames dropped)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
