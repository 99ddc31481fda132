// The whole pipeline over real loopback sockets: a demo exporter is scraped and its GPUs appear
// with real utilization, while broken targets beside it end in states that name the cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { makeTargetConfig } from '../../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import type { TargetInfo, Tick } from '../../src/shared/api';
import { refusedUrl, startServer, waitFor, type TestServer } from '../helpers/servers';

describe('PulseService over loopback', () => {
  let demo: Awaited<ReturnType<typeof startDemoExporter>>;
  const servers: TestServer[] = [];
  let service: PulseService;
  const ticks: Tick[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    demo = await startDemoExporter({ port: 0, gpus: 8, hostname: 'it-node-1', seed: 7 });
    const s500 = await startServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('error gathering metrics');
    });
    const empty = await startServer((_req, res) => res.end());
    const html = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Grafana login</body></html>\n');
    });
    servers.push(s500, empty, html);
    Object.assign(urls, { demo: demo.url, refused: await refusedUrl(), s500: s500.url, empty: empty.url, html: html.url });
    const settings = defaultSettings();
    settings.targets = Object.entries(urls).map(([id, url]) => makeTargetConfig({ id, url, intervalMs: 1000 }));
    service = new PulseService({ mode: 'serve', version: 'test', settings: memorySettingsStore(settings), demo: 'off', tickBatchMs: 50 });
    service.onTick((t) => ticks.push(t));
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await demo?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  const target = async (id: string): Promise<TargetInfo> => (await service.getTargets()).find((t) => t.id === id)!;

  it('shows the 8 demo GPUs with real utilization values', async () => {
    const gpus = await waitFor('8 GPUs', async () => {
      const list = await service.getGpus();
      return list.length === 8 ? list : undefined;
    });
    expect(new Set(gpus.map((g) => g.node))).toEqual(new Set(['it-node-1']));
    expect(new Set(gpus.map((g) => g.gpuIndex))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    for (const gpu of gpus) {
      expect(typeof gpu.realUtil).toBe('number');
      expect(gpu.realUtil!).toBeGreaterThanOrEqual(0);
      expect(gpu.realUtil!).toBeLessThanOrEqual(100);
      expect(gpu.model).toMatch(/H100/);
    }
    expect((await target('demo')).state).toBe('up');
  });

  it('puts each broken target in a failure state with a message that names the cause', async () => {
    const settled = await waitFor('all broken targets to fail', async () => {
      const all = await Promise.all(['refused', 's500', 'empty', 'html'].map(target));
      return all.every((t) => t.state !== 'pending' && t.lastError) ? all : undefined;
    });
    const [refused, s500, empty, html] = settled;
    expect(refused!.state).toBe('down');
    expect(refused!.lastError).toMatch(/refused/i);
    expect(s500!.state).toBe('down');
    expect(s500!.lastError).toMatch(/500/);
    expect(empty!.state).toBe('down');
    expect(empty!.lastError).toMatch(/empty body/);
    expect(html!.state).toBe('parse-error');
    expect(html!.lastError).toMatch(/not Prometheus exposition text.*line 1/);
    for (const t of settled) expect(t.remedy).toBeTruthy();
  });

  it('keeps updating the healthy target while the others fail', async () => {
    const first = (await target('demo')).lastSuccessAt!;
    const later = await waitFor('two more successful scrapes', async () => {
      const t = await target('demo');
      return t.lastSuccessAt! >= first + 1500 ? t : undefined;
    });
    expect(later.state).toBe('up');
    const gpuTicks = ticks.filter((t) => t.gpus.some((g) => g.node === 'it-node-1'));
    expect(gpuTicks.length).toBeGreaterThanOrEqual(2);
    // Ticks carry only what changed: no tick repeats a GPU's unchanged snapshot.
    for (const t of ticks) expect(new Set(t.gpus.map((g) => g.key)).size).toBe(t.gpus.length);
  });

  it('serves history for the sparklines', async () => {
    const [gpu] = await service.getGpus();
    const history = await service.getHistory({ keys: [gpu!.key], fields: ['realUtil', 'powerWatts'], windowMs: 60_000 });
    const series = history.series[gpu!.key]!;
    expect(series.t.length).toBeGreaterThanOrEqual(2);
    expect(series.values.realUtil!.length).toBe(series.t.length);
    expect(series.values.powerWatts!.every((v) => v === null || (v > 0 && v < 1000))).toBe(true);
  });
});
