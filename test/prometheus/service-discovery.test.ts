// The PulseService with a discovery source (what `gpu-pulse serve --discover-prometheus URL`
// runs) against a real Prometheus with two scrape jobs: the dcgm exporters are adopted and scraped
// directly at GPU Pulse's interval (their GPUs come from the exporters, not from Prometheus), the
// other job's exporter is not, /api/sources describes the discovery, and an exporter removed from
// the Prometheus configuration stops after the server reloads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { SourceConfigSchema } from '../../src/main/core/fleet/source-config';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { startServer, waitFor, type TestServer } from '../helpers/servers';
import { startPrometheus, type PrometheusHandle } from './support';

describe('PulseService with a Prometheus discovery', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let other: TestServer;
  let prometheus: PrometheusHandle;
  let service: PulseService;

  const config = (dcgm: string[]) => ({
    // Prometheus scrapes every 10 s; GPU Pulse scrapes the adopted exporters every second.
    global: { scrape_interval: '10s' },
    scrape_configs: [
      { job_name: 'dcgm', static_configs: [{ targets: dcgm }] },
      { job_name: 'node', static_configs: [{ targets: [new URL(other.url).host] }] },
    ],
  });

  beforeAll(async () => {
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 2, hostname: `sd-node-${i}`, seed: 10 + i }));
    other = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('# TYPE node_load1 gauge\nnode_load1 0.5\n');
    });
    prometheus = await startPrometheus({ config: config(exporters.map((e) => new URL(e.url).host)) });
    await waitFor('Prometheus to list its targets', async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: unknown[] } };
      return body.data.activeTargets.length === 3;
    }, 30_000);
    service = new PulseService({
      mode: 'serve',
      version: 'test',
      settings: memorySettingsStore(defaultSettings()),
      demo: 'auto',
      extraSources: [SourceConfigSchema.parse({ id: 'discovery-0', kind: 'prometheus-discovery', url: prometheus.url, intervalMs: 1_000 })],
      sourceTiming: { discoveryRefreshMs: 500 },
    });
    await service.start();
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await prometheus?.close();
    await other?.close();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('scrapes the adopted dcgm exporters directly, at its own interval', async () => {
    const targets = await waitFor('both exporters up', async () => {
      const list = await service.getTargets();
      return list.length === 2 && list.every((t) => t.state === 'up') ? list : undefined;
    });
    expect(targets.map((t) => t.url).sort()).toEqual(exporters.map((e) => e.url).sort());
    expect(targets.every((t) => t.kind === 'exporter' && t.source === 'discovery-0' && t.intervalMs === 1_000 && t.group === 'dcgm')).toBe(true);
    expect(targets.some((t) => t.url === other.url)).toBe(false);
    // The GPUs come from the exporters themselves (sourceId = the direct target).
    const gpus = await service.getGpus();
    expect(gpus).toHaveLength(4);
    expect(new Set(gpus.map((g) => g.sourceId))).toEqual(new Set(targets.map((t) => t.id)));
  });

  it('describes the discovery in getSources and refuses to edit its targets one by one', async () => {
    const sources = await service.getSources();
    expect(sources).toEqual([
      expect.objectContaining({ id: 'discovery-0', kind: 'prometheus-discovery', location: prometheus.url, detail: null, targetCount: 2, lastError: null, removable: false }),
    ]);
    const [target] = await service.getTargets();
    await expect(service.removeTarget(target!.id)).rejects.toThrow(/listed by a source \(discovery-0\)/);
    await expect(service.removeSource('discovery-0')).rejects.toThrow(/command line/);
  });

  it('stops scraping an exporter removed from the Prometheus configuration after a reload', async () => {
    const [kept, removed] = exporters;
    const keptId = (await service.getTargets()).find((t) => t.url === kept!.url)!.id;
    await prometheus.reload(config([new URL(kept!.url).host]));
    const targets = await waitFor('the removed exporter gone', async () => {
      const list = await service.getTargets();
      return list.length === 1 ? list : undefined;
    }, 30_000);
    expect(targets[0]).toMatchObject({ id: keptId, url: kept!.url });
    expect((await service.getGpus()).every((g) => g.node === 'sd-node-1')).toBe(true);
    expect((await service.getSources())[0]).toMatchObject({ targetCount: 1 });
    expect(targets.some((t) => t.url === removed!.url)).toBe(false);
  }, 40_000);
});
