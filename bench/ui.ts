// npm run bench:ui — the fleet view with 10,000 demo GPUs (1,250 nodes x 8) in Debian's Chromium,
// next to a baseline measured in the same run (the same view with 1,000 GPUs; --all-cards adds
// the unvirtualized 1,000-GPU view). For each view it prints:
//  - tick repaint: the main thread's time to get ticks on screen, per frame that shows ticks: the
//    SSE `tick` listeners (JSON parse, decoding, store, React render and commit) plus
//    that frame's own task (style, layout, paint, compositor commit), without the wait for the
//    display's next frame; p50 / p95 / max, timed in the page; and, since wall-clock times grow
//    when other processes hold the cores, the same tasks as CPU (thread) time from a Chromium
//    trace (which also holds receiving the event); the mean of all main-thread task time per tick (CDP Performance.TaskDuration, which
//    also holds timers and GC), and the main thread's CPU per tick from /proc
//  - SSE bytes per tick (the `tick` events' data; the JSON is ASCII, so characters = bytes) with
//    the GPUs in view counted (a 1280 x 1000 window shows 16 cards)
//  - while scrolling: main-thread time and CPU per frame, the main thread's CPU between two
//    frames (p95 / max, trace), and frame intervals (p50 / p95 / max of rAF deltas, and the share
//    of late frames)
//  - the renderer's JS heap after a garbage collection
// Goal: tick repaint p95 < 16 ms, no scroll frame over 50 ms. With --profile the renderer's CPU
// profiles while ticks arrive and while scrolling go to test-results/bench-ui-{ticks,scroll}-*.cpuprofile,
// with --trace full Chromium traces (style, layout, paint) to test-results/bench-ui-*.trace.json.
//
//   npm run bench:ui                       # 10,000 GPUs, baseline 1,000 GPUs
//   npm run bench:ui -- --nodes 125        # 1,000 GPUs only (no baseline row)
//   npm run bench:ui -- --all-cards        # also the unvirtualized 1,000-GPU view, as before
//   npm run bench:ui -- --interval 15      # serve's default interval instead of 2 s
//   npm run bench:ui -- --profile --no-baseline
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'gpu-pulse.js');
const GPUS_PER_NODE = 8;
const BASELINE_NODES = 125; // 1,000 GPUs: the size bench:ui measured before 10,000
const MEASURE_MS = 20_000;
const VIEWPORT = { width: 1280, height: 1000 };

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const NODES = Number(flag('--nodes') ?? 1250);
/** serve's scrape interval: 2 s by default, a stress case (every GPU changes every 2 s); `--interval 15` is serve's default. */
const INTERVAL_S = Number(flag('--interval') ?? 2);
/** `--profile`: also save the renderer's CPU profiles (ticks, scrolling). */
const PROFILE = process.argv.includes('--profile');
/** `--trace`: also save full Chromium traces (ticks, scrolling) to test-results/bench-ui-{ticks,scroll}-*.trace.json. */
const TRACE = process.argv.includes('--trace');
/** `--all-cards`: also measure the unvirtualized view at 1,000 GPUs (minutes at 10,000). */
const ALL_CARDS = process.argv.includes('--all-cards');
/** `--no-baseline`: only the --nodes size (quicker while profiling). */
const BASELINE = !process.argv.includes('--no-baseline');

function start(args: string[], expect: number): Promise<{ child: ChildProcess; urls: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const urls: string[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const m of buffer.matchAll(/^listening on (\S+)$/gm)) if (!urls.includes(m[1]!)) urls.push(m[1]!);
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      if (urls.length >= expect) resolve({ child, urls });
    });
    child.on('exit', (code) => reject(new Error(`gpu-pulse ${args[0]} exited with ${code}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function saveProfile(cdp: CDPSession, file: string, what: string): Promise<void> {
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const path = join(ROOT, 'test-results', file);
  writeFileSync(path, JSON.stringify(profile));
  console.error(`renderer CPU profile ${what}: ${path}`);
}

// Runs in the page before its scripts. A tick costs the main thread its `tick` listener (JSON
// parse, decoding, store, and the React render and commit, which React flushes in a microtask
// queued by the listener, so one queued after it runs after the commit) and then the frame that
// shows it: style, layout, paint and the compositor commit, which run in the frame's own task
// after the animation-frame callbacks. So each frame that follows ticks is timed from its first
// animation-frame callback (ours, requested by the first tick since the last frame) to a message
// posted from it, which runs after that frame's task. Tick repaint = the listeners' time of the
// ticks shown in that frame + the frame's time: what the main thread spent getting the ticks on
// screen, without the wait for the display's next frame. Marks let the trace find the same tasks.
// A string, not a function: tsx would wrap inner functions in a __name() helper the page lacks.
const TICK_PROBE = `(() => {
  const repaints = [];
  let bytes = 0;
  let ticks = 0;
  let pending = null;
  window.__benchRepaints = repaints;
  window.__benchTicks = () => ({ n: ticks, bytes });
  const frame = () => {
    performance.mark('bench-tick-frame');
    performance.clearMarks('bench-tick-frame');
    const shown = pending;
    pending = null;
    const started = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const render = performance.now() - started;
      repaints.push({ js: shown.js, render, total: shown.js + render, ticks: shown.ticks });
      channel.port1.close();
    };
    channel.port2.postMessage(0);
  };
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'tick' || typeof listener !== 'function') return add.call(this, type, listener, options);
    return add.call(this, type, function (event) {
      performance.mark('bench-tick');
      const started = performance.now();
      try {
        return listener.call(this, event);
      } finally {
        queueMicrotask(() => {
          const js = performance.now() - started;
          ticks += 1;
          bytes += event.data.length;
          if (!pending) {
            pending = { js: 0, ticks: 0 };
            requestAnimationFrame(frame);
          }
          pending.js += js;
          pending.ticks += 1;
          performance.clearMarks('bench-tick');
        });
      }
    }, options);
  };
})()`;

// 240 frames of scrolling by 120 px, or 20 s for a view too slow to get there (unvirtualized).
const SCROLL = `new Promise((resolve) => {
  const deltas = [];
  const started = performance.now();
  let last = performance.now();
  let n = 0;
  const step = (t) => {
    performance.mark('bench-frame');
    performance.clearMarks('bench-frame');
    deltas.push(t - last);
    last = t;
    window.scrollBy(0, 120);
    if (++n < 240 && performance.now() - started < 20000) requestAnimationFrame(step);
    else resolve(deltas.slice(2));
  };
  requestAnimationFrame(step);
})`;

const CARDS_IN_VIEW = `[...document.querySelectorAll('[data-testid="gpu-card"]')].filter((el) => {
  const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight;
}).length`;

type Row = string[];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

// Wall-clock figures grow when other processes hold the cores (this machine is shared); the
// trace's thread time (tdur) of the renderer main thread's tasks does not. Only top-level tasks
// and the page's marks are traced, which costs little.
const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing'];

/** `--trace`: the full timeline (style, layout, paint, scripts) instead, saved to test-results/ `file` for DevTools. */
const FULL_TRACE_CATEGORIES = [...TRACE_CATEGORIES, 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink'];

async function traced<T>(browser: Browser, page: Page, work: () => Promise<T>, file: string | null): Promise<{ result: T; events: TraceEvent[] }> {
  await browser.startTracing(page, { categories: file ? FULL_TRACE_CATEGORIES : TRACE_CATEGORIES });
  const result = await work();
  const json = (await browser.stopTracing()).toString();
  if (file) {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results', file), json);
    console.error(`renderer trace: ${join(ROOT, 'test-results', file)}`);
  }
  return { result, events: (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents };
}

/** The main thread's top-level tasks (by start) and the times of the page's marks (named `marks`) on it. */
function mainThread(events: TraceEvent[], ...names: string[]): { tasks: TraceEvent[]; marks: Array<{ name: string; ts: number }> } {
  const marks = events.filter((e) => names.includes(e.name));
  if (marks.length === 0) return { tasks: [], marks: [] };
  const { pid, tid } = marks[0]!;
  const all = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined && e.tdur !== undefined).sort((a, b) => a.ts - b.ts);
  const tasks: TraceEvent[] = [];
  for (const e of all) if (tasks.length === 0 || e.ts >= tasks.at(-1)!.ts + tasks.at(-1)!.dur!) tasks.push(e);
  return { tasks, marks: marks.map((m) => ({ name: m.name, ts: m.ts })).sort((a, b) => a.ts - b.ts) };
}

/**
 * CPU ms per frame that showed ticks: the tasks that dispatched the ticks since the previous such
 * frame (a task that dispatched two counts once) plus the frame's own task (the probe's marks).
 */
function cpuOfTickFrames(events: TraceEvent[]): number[] {
  const { tasks, marks } = mainThread(events, 'bench-tick', 'bench-tick-frame');
  const taskAt = (ts: number) => tasks.find((t) => t.ts <= ts && ts <= t.ts + t.dur!);
  const out: number[] = [];
  let pending = new Set<TraceEvent>();
  for (const mark of marks) {
    const task = taskAt(mark.ts);
    if (!task) continue;
    if (mark.name === 'bench-tick') {
      pending.add(task);
      continue;
    }
    if (pending.size === 0) continue; // its ticks came before the trace started
    pending.add(task);
    let cpu = 0;
    for (const t of pending) cpu += t.tdur!;
    out.push(cpu / 1000);
    pending = new Set();
  }
  return out;
}

/** CPU ms of all main-thread tasks that started between consecutive marks (one per frame). */
function cpuBetweenMarks(events: TraceEvent[], mark: string): number[] {
  const { tasks, marks: named } = mainThread(events, mark);
  const marks = named.map((m) => m.ts);
  const out: number[] = [];
  let i = 0;
  for (let m = 1; m < marks.length; m++) {
    let cpu = 0;
    while (i < tasks.length && tasks[i]!.ts < marks[m - 1]!) i++;
    while (i < tasks.length && tasks[i]!.ts < marks[m]!) cpu += tasks[i++]!.tdur!;
    out.push(cpu / 1000);
  }
  return out.slice(2);
}

/**
 * CPU seconds of a process's main thread (its thread id is its pid) from /proc: unlike wall-clock
 * task times, it does not grow when other processes hold the machine's cores.
 */
function mainThreadCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s on Linux)
}

/** The renderer processes' pids (Chromium may keep a spare one; the busiest is the page's). */
async function rendererPids(browser: Browser): Promise<number[]> {
  const session = await browser.newBrowserCDPSession();
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
  await session.detach();
  return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

async function rendererCpu(browser: Browser): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  for (const pid of await rendererPids(browser)) {
    try {
      cpu.set(pid, mainThreadCpuSeconds(pid));
    } catch {
      // exited meanwhile
    }
  }
  return cpu;
}

/** Main-thread CPU seconds the busiest renderer spent between two readings. */
function busiestDelta(before: Map<number, number>, after: Map<number, number>): number {
  let best = 0;
  for (const [pid, cpu] of after) best = Math.max(best, cpu - (before.get(pid) ?? cpu));
  return best;
}

async function measure(browser: Browser, url: string, label: string, gpus: number, virtualize: boolean, tag: string): Promise<Row> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.addInitScript(TICK_PROBE);
  await page.goto(url + (virtualize ? '/' : '/?virtualize=off'));
  await page.waitForFunction((n) => document.querySelector('[data-testid="summary-gpus"]')?.textContent === String(n), gpus, { timeout: 300_000 });
  await page.waitForTimeout(3000);
  const cards = await page.$$eval('[data-testid="gpu-card"]', (els) => els.length);
  const inView = (await page.evaluate(CARDS_IN_VIEW)) as number;
  const metric = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as Array<{ name: string; value: number }>).map((m) => [m.name, m.value]));
  const probe = () => page.evaluate(() => ({ ...((window as any).__benchTicks() as { n: number; bytes: number }), frames: (window as any).__benchRepaints.length as number }));

  if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
  const before = await metric();
  const cpuBefore = await rendererCpu(browser);
  const probeBefore = await probe();
  const tickTrace = await traced(browser, page, () => page.waitForTimeout(MEASURE_MS), TRACE ? `bench-ui-ticks-${tag}.trace.json` : null);
  const tickCpu = cpuOfTickFrames(tickTrace.events);
  const after = await metric();
  const cpuAfter = await rendererCpu(browser);
  const probeAfter = await probe();
  const ticks = probeAfter.n - probeBefore.n;
  if (PROFILE) await saveProfile(cdp, `bench-ui-ticks-${tag}.cpuprofile`, `while ticks arrive (${label})`);
  const repaints = (await page.evaluate((from) => (window as any).__benchRepaints.slice(from), probeBefore.frames)) as Array<{ js: number; render: number; total: number; ticks: number }>;
  const tickMs = repaints.map((r) => r.total);
  console.error(
    `${label}: ${repaints.length} frames showed ${ticks} ticks; listeners p50/p95 ${percentile(repaints.map((r) => r.js), 50).toFixed(1)}/${percentile(repaints.map((r) => r.js), 95).toFixed(1)} ms, ` +
      `frame (style, layout, paint) p50/p95 ${percentile(repaints.map((r) => r.render), 50).toFixed(1)}/${percentile(repaints.map((r) => r.render), 95).toFixed(1)} ms`,
  );
  const taskMsPerTick = ((after.TaskDuration! - before.TaskDuration!) * 1000) / Math.max(1, ticks);
  const bytesPerTick = (probeAfter.bytes - probeBefore.bytes) / Math.max(1, ticks);
  const cpuMsPerTick = (busiestDelta(cpuBefore, cpuAfter) * 1000) / Math.max(1, ticks);

  if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
  const beforeScroll = await metric();
  const cpuBeforeScroll = await rendererCpu(browser);
  const scrollTrace = await traced(browser, page, () => page.evaluate(SCROLL) as Promise<number[]>, TRACE ? `bench-ui-scroll-${tag}.trace.json` : null);
  const frames = scrollTrace.result;
  const frameCpu = cpuBetweenMarks(scrollTrace.events, 'bench-frame');
  const afterScroll = await metric();
  const cpuAfterScroll = await rendererCpu(browser);
  if (PROFILE) await saveProfile(cdp, `bench-ui-scroll-${tag}.cpuprofile`, `while scrolling (${label})`);
  // rAF deltas cannot go below the display's 16.7 ms, so the frame's own cost is measured too:
  // main-thread task time while scrolling, per frame (ticks keep arriving meanwhile).
  const scrollTaskMsPerFrame = ((afterScroll.TaskDuration! - beforeScroll.TaskDuration!) * 1000) / Math.max(1, frames.length);
  const scrollCpuMsPerFrame = (busiestDelta(cpuBeforeScroll, cpuAfterScroll) * 1000) / Math.max(1, frames.length);
  const late = frames.filter((d) => d > 16.7 * 1.5).length / Math.max(1, frames.length);

  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await metric()).JSHeapUsedSize! / 2 ** 20;
  await page.screenshot({ path: join(ROOT, 'test-results', `bench-ui-${tag}.png`) }).catch(() => {});
  await page.close();
  const row = [
    label,
    String(cards),
    String(inView),
    String(ticks),
    percentile(tickMs, 50).toFixed(1),
    percentile(tickMs, 95).toFixed(1),
    Math.max(...tickMs).toFixed(1),
    percentile(tickCpu, 50).toFixed(1),
    percentile(tickCpu, 95).toFixed(1),
    Math.max(...tickCpu).toFixed(1),
    taskMsPerTick.toFixed(1),
    cpuMsPerTick.toFixed(1),
    `${(bytesPerTick / 1024).toFixed(0)} KB`,
    scrollTaskMsPerFrame.toFixed(1),
    scrollCpuMsPerFrame.toFixed(1),
    percentile(frameCpu, 95).toFixed(1),
    Math.max(...frameCpu).toFixed(1),
    percentile(frames, 50).toFixed(1),
    percentile(frames, 95).toFixed(1),
    Math.max(...frames).toFixed(1),
    `${(late * 100).toFixed(1)}%`,
    `${heap.toFixed(0)} MB`,
  ];
  console.error(`measured ${label}: ${row.join(' | ')}`);
  return row;
}

async function main() {
  const sizes = [{ nodes: NODES, virtualize: true }];
  if (BASELINE && NODES !== BASELINE_NODES) sizes.push({ nodes: BASELINE_NODES, virtualize: true });
  if (ALL_CARDS) sizes.push({ nodes: BASELINE_NODES, virtualize: false });
  const exporters = Math.max(...sizes.map((s) => s.nodes));
  const fleet = await start(['demo-exporter', '--instances', String(exporters), '--base-port', '0', '--gpus', String(GPUS_PER_NODE)], exporters);
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      // One serve per size, alone on the machine while it is measured.
      const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-bench-ui-'));
      const targetsFile = join(dir, 'targets.txt');
      writeFileSync(targetsFile, fleet.urls.slice(0, size.nodes).map((u) => u.replace(/\/$/, '')).join('\n') + '\n');
      const serve = await start(['serve', '--port', '0', '--config-dir', dir, '--targets-file', targetsFile, '--interval', String(INTERVAL_S)], 1);
      try {
        const gpus = size.nodes * GPUS_PER_NODE;
        const label = `${gpus.toLocaleString('en-US')} GPUs, ${size.virtualize ? 'virtualized' : 'all cards rendered'}${size.nodes === NODES ? '' : ' (baseline)'}`;
        rows.push(await measure(browser, serve.urls[0]!, label, gpus, size.virtualize, `${gpus}-${size.virtualize ? 'virtual' : 'all'}`));
      } finally {
        await stop(serve.child);
      }
    }
  } finally {
    await browser.close();
    await stop(fleet.child);
  }
  const header = [
    'view',
    'cards in DOM',
    'in view',
    'ticks',
    'tick repaint p50 ms',
    'p95 ms',
    'max ms',
    'tick CPU p50 ms',
    'p95 ms',
    'max ms',
    'all main thread ms/tick',
    'CPU ms/tick',
    'SSE/tick',
    'scroll: main thread ms/frame',
    'CPU ms/frame',
    'frame CPU p95 ms',
    'max ms',
    'frame interval p50 ms',
    'p95 ms',
    'max ms',
    'late frames',
    'JS heap',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`goal: tick repaint p95 < 16 ms, no scroll frame interval over 50 ms (serve --interval ${INTERVAL_S}, demo values change every second, ${VIEWPORT.width}x${VIEWPORT.height} window)`);
  console.log("tick repaint: per frame that shows ticks, the ticks' SSE listeners (parse through React commit) + that frame's task (style, layout, paint); all main thread: every task (timers, GC too) over ticks applied");
  console.log('tick CPU: thread time of the same tasks (those that dispatched the ticks, and the frame) from a Chromium trace: what a tick costs when the machine is not shared');
  console.log("CPU ms/tick, ms/frame: the renderer main thread's CPU time from /proc over the window, per tick or frame; frame CPU: thread time of the main thread's tasks between two frames (trace)");
  console.log('frame interval: rAF to rAF, 16.7 ms at best on a 60 Hz display; late frames: intervals over 25 ms (one or more frames dropped)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
