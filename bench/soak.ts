// npm run bench:soak — memory over a long run of the real PulseService against N demo exporters
// (run in a child process so their memory is not counted). History is sized so its window fills
// early in the run (raw 10 min, downsampled 20 min by default); after that, memory must be flat.
// Prints a sample every --every seconds, then heap and RSS at the window-full mark vs the end.
//   npm run bench:soak -- --targets 200 --minutes 60
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PulseService } from '../src/main/core/service';
import { makeTargetConfig } from '../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../src/main/core/settings/store';
import { defaultSettings } from '../src/main/core/settings/schema';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '200' },
    minutes: { type: 'string', default: '60' },
    interval: { type: 'string', default: '5' },
    every: { type: 'string', default: '60' },
    'raw-window-min': { type: 'string', default: '10' },
    'downsampled-window-min': { type: 'string', default: '20' },
  },
});
const targets = Number(values.targets);
const minutes = Number(values.minutes);
const intervalMs = Number(values.interval) * 1000;
const rawWindowMs = Number(values['raw-window-min']) * 60_000;
const downsampleWindowMs = Number(values['downsampled-window-min']) * 60_000;
const ROOT = join(__dirname, '..');

function startFleet(n: number): Promise<{ urls: string[]; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'gpu-pulse.js'), 'demo-exporter', '--instances', String(n), '--base-port', '0', '--gpus', '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const urls: string[] = [];
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      for (const m of buffer.matchAll(/^listening on (\S+)$/gm)) if (!urls.includes(m[1]!)) urls.push(m[1]!);
      if (urls.length >= n) resolve({ urls, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`demo fleet exited with ${code}`)));
  });
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);

async function main() {
  const fleet = await startFleet(targets);
  const settings = defaultSettings();
  const service = new PulseService({
    mode: 'serve',
    version: 'soak',
    settings: memorySettingsStore(settings),
    demo: 'off',
    history: { rawWindowMs, rawStepMs: intervalMs, downsampleWindowMs },
    extraTargets: fleet.urls.map((url, i) => makeTargetConfig({ url: `${url}/metrics`, id: `soak-${i}`, intervalMs })),
  });
  await service.start();
  const start = Date.now();
  const fillAt = Math.max(rawWindowMs, downsampleWindowMs);
  const rows: Array<{ min: number; rss: number; heap: number; history: number; gpus: number; up: number }> = [];
  console.log(`soak: ${targets} targets x 8 GPUs every ${intervalMs / 1000} s for ${minutes} min; history raw ${rawWindowMs / 60000} min + 1-min tier ${downsampleWindowMs / 60000} min (full after ${fillAt / 60000} min)`);
  console.log('minute  rss MiB  heap MiB  history MiB  GPUs  targets up');
  const sample = async () => {
    global.gc?.();
    const mem = process.memoryUsage();
    const up = (await service.getTargets()).filter((t) => t.state === 'up').length;
    const row = { min: (Date.now() - start) / 60_000, rss: mem.rss, heap: mem.heapUsed, history: service.historyBytes(), gpus: (await service.getGpus()).length, up };
    rows.push(row);
    console.log(`${row.min.toFixed(1).padStart(6)}  ${mib(row.rss).padStart(7)}  ${mib(row.heap).padStart(8)}  ${mib(row.history).padStart(11)}  ${String(row.gpus).padStart(4)}  ${String(up).padStart(10)}`);
  };
  const timer = setInterval(() => void sample(), Number(values.every) * 1000);
  await new Promise((r) => setTimeout(r, minutes * 60_000));
  clearInterval(timer);
  await sample();
  await service.stop();
  fleet.stop();
  const afterFill = rows.filter((r) => r.min * 60_000 >= fillAt);
  if (afterFill.length >= 2) {
    const first = afterFill[0]!;
    const last = afterFill.at(-1)!;
    const maxRss = Math.max(...afterFill.map((r) => r.rss));
    console.log(`after the window filled (minute ${first.min.toFixed(1)} -> ${last.min.toFixed(1)}): rss ${mib(first.rss)} -> ${mib(last.rss)} MiB (max ${mib(maxRss)}), heap ${mib(first.heap)} -> ${mib(last.heap)} MiB, history ${mib(first.history)} -> ${mib(last.history)} MiB`);
  } else {
    console.log('run shorter than the history window: no flatness figure');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
