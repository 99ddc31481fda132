// A Prometheus server as a source of the PulseService (what `gpu-pulse serve --prometheus` runs):
// real Debian prometheus scraping three demo exporters every second. The fleet shows all 24
// GPUs through the same API as direct targets, and opening a GPU view (getHistory) backfills
// its history from query_range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { makeTargetConfig } from '../../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { waitFor } from '../helpers/servers';
import { startPrometheus, type PrometheusHandle } from './support';

describe('PulseService with a Prometheus source', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let prometheus: PrometheusHandle;
  let service: PulseService;

  beforeAll(async () => {
    for (let i = 1; i <= 3; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 8, hostname: `psvc-node-${i}`, seed: i }));
    prometheus = await startPrometheus({
      config: {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: exporters.map((e) => new URL(e.url).host) }] }],
      },
    });
    service = new PulseService({
      mode: 'serve',
      version: 'test',
      settings: memorySettingsStore(defaultSettings()),
      demo: 'off',
      extraTargets: [makeTargetConfig({ id: 'prom', kind: 'prometheus', url: prometheus.url, intervalMs: 1000 })],
    });
    await service.start();
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await prometheus?.close();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('shows all 24 GPUs within 30 s, on their own nodes, with real utilization', async () => {
    const gpus = await waitFor('24 GPUs through Prometheus', async () => {
      const list = await service.getGpus();
      return list.length === 24 ? list : undefined;
    }, 30_000, 250);
    expect(new Set(gpus.map((g) => g.node))).toEqual(new Set(['psvc-node-1', 'psvc-node-2', 'psvc-node-3']));
    expect(gpus.every((g) => typeof g.realUtil === 'number' && g.sourceId === 'prom')).toBe(true);
    const [target] = await service.getTargets();
    expect(target).toMatchObject({ id: 'prom', kind: 'prometheus', state: 'up', gpuCount: 24 });
    expect(target!.nodes).toEqual(['psvc-node-1', 'psvc-node-2', 'psvc-node-3']);
  }, 40_000);

  it('backfills at least 20 points of history when a GPU view opens', async () => {
    // Let Prometheus collect more than 20 scrapes than the service itself has seen.
    // Polled rather than one look after a fixed sleep: on a loaded machine Prometheus' 1 s
    // scrapes slip, and 22 s held 19 of them.
    await new Promise((r) => setTimeout(r, 20_000));
    const [gpu] = await service.getGpus();
    const series = await waitFor('20 points of history', async () => {
      const history = await service.getHistory({ keys: [gpu!.key], fields: ['realUtil', 'powerWatts'], windowMs: 60_000 });
      const s = history.series[gpu!.key];
      return s && s.t.length >= 20 ? s : undefined;
    }, 20_000, 1_000);
    expect(series.t.length).toBeGreaterThanOrEqual(20);
    // Time-ordered, one point per scrape, with values.
    expect(series.t.every((t, i) => i === 0 || t > series.t[i - 1]!)).toBe(true);
    expect(series.values.powerWatts!.filter((v) => typeof v === 'number').length).toBeGreaterThanOrEqual(20);
  }, 50_000);

  it('says which query found nothing when the selector matches no dcgm series', async () => {
    await service.addTarget({ kind: 'prometheus', url: prometheus.url, selector: '{cluster="no-such-cluster"}', name: 'empty' });
    const empty = await waitFor('notice for the empty selector', async () => (await service.getTargets()).find((t) => t.name === 'empty' && t.state === 'up' && t.lastError));
    expect(empty.lastError).toMatch(/no-such-cluster/);
    expect(empty.gpuCount).toBe(0);
  }, 20_000);
});

describe('gpu-pulse snapshot --prometheus', () => {
  it('prints the GPUs a Prometheus server holds', async () => {
    const { run } = await import('../../src/main/cli/commands/snapshot');
    const exporter = await startDemoExporter({ port: 0, gpus: 8, hostname: 'snap-prom', seed: 9 });
    const prom = await startPrometheus({ config: { global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: [new URL(exporter.url).host] }] }] } });
    try {
      let out = '';
      const io = { stdout: (s: string) => (out += s), stderr: () => {}, readStdin: async () => Buffer.alloc(0), cwd: process.cwd() };
      const gpus = await waitFor('8 GPUs in the snapshot', async () => {
        out = '';
        const code = await run(['--prometheus', prom.url, '--format', 'json'], io);
        const parsed = JSON.parse(out) as { gpus: Array<{ node: string; realUtil: { value: number | null } }> };
        return code === 0 && parsed.gpus.length === 8 ? parsed.gpus : undefined;
      }, 20_000, 500);
      expect(gpus.every((g) => g.node === 'snap-prom' && typeof g.realUtil.value === 'number')).toBe(true);
    } finally {
      await prom.close();
      await exporter.close();
    }
  }, 40_000);
});
