// One target serving 200,000 series (about 21 MB) beside a healthy exporter, through the built
// `gpu-pulse serve`: the big one goes `too-large` naming its sample count and the limit, the
// healthy one keeps its scrapes short, memory stays bounded and the API keeps answering. The
// bounds are generous (today's behaviour was 1.0-1.6 GB and a 44 s /api/gpus); the measured
// figures are printed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { startCli, type RunningCli } from '../helpers/cli';
import { startServer, waitFor, type TestServer } from '../helpers/servers';

const SERIES = 200_000;

function bigBody(): Buffer {
  const lines = ['# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).', '# TYPE DCGM_FI_DEV_GPU_TEMP gauge'];
  for (let i = 0; i < SERIES; i++) {
    lines.push(`DCGM_FI_DEV_GPU_TEMP{gpu="${i}",UUID="GPU-00000000-0000-0000-0000-${String(i).padStart(12, '0')}",Hostname="big-node"} 42`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

describe('a 200,000-series target beside a healthy one', () => {
  let serve: RunningCli;
  let big: TestServer;
  let healthy: Awaited<ReturnType<typeof startDemoExporter>>;
  let base: string;
  const body = bigBody();

  const api = async (path: string) => (await fetch(`${base}${path}`)).json() as Promise<any>;

  beforeAll(async () => {
    big = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(body);
    });
    healthy = await startDemoExporter({ port: 0, gpus: 8, hostname: 'healthy-node', seed: 5 });
    serve = await startCli(['serve', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-limits-')), '--target', healthy.url, '--interval', '2']);
    base = serve.urls[0]!;
  });

  afterAll(async () => {
    await serve?.stop();
    await big?.close();
    await healthy?.close();
  });

  it('marks the big target too-large, keeps the healthy one on time, memory bounded and the API quick', async () => {
    expect(body.length).toBeGreaterThan(20_000_000);
    await waitFor('healthy target up', async () => ((await api('/api/targets')) as any[]).find((t) => t.state === 'up'));
    const pid = serve.child.pid!;
    const baseline = rssBytes(pid);
    const added = await fetch(`${base}/api/call/addTarget`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ url: big.url, name: 'big', intervalMs: 2000 }]) });
    expect(added.status).toBe(200);

    let peak = baseline;
    let slowestGpus = 0;
    const healthyScrapes = new Map<number, { durationMs: number; state: string }>();
    const deadline = Date.now() + 20_000;
    let bigTarget: any;
    let bigFailures = 0;
    let lastBigScrape = 0;
    // Watch for 20 s: the big target is scraped about ten times meanwhile.
    while (Date.now() < deadline) {
      peak = Math.max(peak, rssBytes(pid));
      const started = Date.now();
      const gpus = (await api('/api/gpus')) as unknown[];
      slowestGpus = Math.max(slowestGpus, Date.now() - started);
      expect(gpus.length).toBe(8);
      const targets = (await api('/api/targets')) as any[];
      const h = targets.find((t) => t.url === healthy.url);
      if (h?.lastScrapeAt) healthyScrapes.set(h.lastScrapeAt, { durationMs: h.lastDurationMs, state: h.state });
      bigTarget = targets.find((t) => t.url === big.url);
      if (bigTarget?.lastScrapeAt && bigTarget.lastScrapeAt !== lastBigScrape && bigTarget.state !== 'pending') {
        lastBigScrape = bigTarget.lastScrapeAt;
        bigFailures++;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const durations = [...healthyScrapes.values()].map((s) => s.durationMs);
    console.log(
      `rss baseline ${(baseline / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB (+${((peak - baseline) / 2 ** 20).toFixed(0)} MB); ` +
        `slowest /api/gpus ${slowestGpus} ms; healthy scrapes ${durations.length}, durations ms ${durations.join(',')}; big scrapes seen ${bigFailures}`,
    );
    expect(bigTarget.state).toBe('too-large');
    expect(bigTarget.lastError).toContain('200,000');
    expect(bigTarget.lastError).toContain('50,000');
    expect(bigTarget.gpuCount).toBe(0);
    expect(bigFailures).toBeGreaterThanOrEqual(3);
    // The healthy target: scraped through the whole window (2 s interval), always up, fast.
    expect(durations.length).toBeGreaterThanOrEqual(7);
    expect([...healthyScrapes.values()].every((s) => s.state === 'up')).toBe(true);
    expect(Math.max(...durations)).toBeLessThan(2_000);
    expect(peak - baseline).toBeLessThan(400 * 2 ** 20);
    expect(slowestGpus).toBeLessThan(2_000);
  }, 60_000);
});
