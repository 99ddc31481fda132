// The Prometheus source against a real VictoriaMetrics (Debian's single-node binary, default
// flags) that scrapes two demo dcgm-exporters every second. VictoriaMetrics hides points newer
// than -search.latencyOffset (30 s by default) from instant queries; the source must still show
// data as soon as there is any, with its true age, and backfill history through query_range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { PulseService } from '../../src/main/core/service';
import { makeTargetConfig } from '../../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { createPrometheusSource, type PrometheusSource } from '../../src/main/core/sources/prometheus/source';
import { waitFor } from '../helpers/servers';
import { ingestBatches, startVictoriaMetrics, type VictoriaMetricsHandle } from './support';

const LATENCY_OFFSET_MS = 30_000;

describe('Prometheus source against VictoriaMetrics', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let vm: VictoriaMetricsHandle;
  let source: PrometheusSource;

  beforeAll(async () => {
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 4, hostname: `vm-node-${i}`, seed: 20 + i }));
    vm = await startVictoriaMetrics({
      global: { scrape_interval: '1s' },
      scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: exporters.map((e) => new URL(e.url).host) }] }],
    });
    source = createPrometheusSource({ baseUrl: vm.url });
  }, 60_000);

  afterAll(async () => {
    await source?.close();
    await vm?.close();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('shows the fresh data of a new server, younger than the 30 s latency offset, with its true age', async () => {
    const poll = await waitFor('a poll with both nodes', async () => {
      const result = await source.poll();
      return result.ok && result.batches.length === 2 ? result : undefined;
    }, 30_000, 250);
    const gpus = ingestBatches(createDcgmPipeline(), poll.batches);
    expect(gpus).toHaveLength(8);
    expect(new Set(gpus.map((g) => g.node))).toEqual(new Set(['vm-node-1', 'vm-node-2']));
    for (const batch of poll.batches) {
      // With the offset in force every point would be at least 30 s old; these are the last scrape.
      expect(poll.evaluatedAt - batch.observedAt).toBeLessThan(LATENCY_OFFSET_MS);
      // The age is the sample's own time, not the evaluation instant.
      expect(batch.observedAt).toBeLessThanOrEqual(poll.evaluatedAt);
    }
    // Control: the same query without the source's argument is what VM hides.
    const at = (poll.evaluatedAt / 1000).toFixed(3);
    const plain = (await (await fetch(`${vm.url}/api/v1/query?query=DCGM_FI_DEV_GPU_TEMP&time=${at}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
    expect(plain.data.result.every((r) => poll.evaluatedAt - r.value[0] * 1000 >= LATENCY_OFFSET_MS - 1_000)).toBe(true);
  }, 40_000);

  it('feeds the service: a Prometheus source pointed at VictoriaMetrics shows every GPU with a recent observation', async () => {
    const service = new PulseService({
      mode: 'serve',
      version: 'test',
      settings: memorySettingsStore(defaultSettings()),
      demo: 'off',
      extraTargets: [makeTargetConfig({ id: 'vm', kind: 'prometheus', url: vm.url, intervalMs: 1_000 })],
    });
    await service.start();
    try {
      const gpus = await waitFor('8 GPUs through VictoriaMetrics', async () => {
        const list = await service.getGpus();
        return list.length === 8 ? list : undefined;
      }, 20_000, 250);
      const now = Date.now();
      expect(gpus.every((g) => now - g.observedAt < LATENCY_OFFSET_MS)).toBe(true);
      const [target] = await service.getTargets();
      expect(target).toMatchObject({ kind: 'prometheus', state: 'up', gpuCount: 8, nodes: ['vm-node-1', 'vm-node-2'] });
      const [vmSource] = await service.getSources();
      expect(vmSource).toMatchObject({ id: 'vm', kind: 'prometheus', location: `${vm.url}/`, targetCount: 2 });
    } finally {
      await service.stop();
    }
  }, 30_000);

  it('backfills history through query_range once the data is older than the latency offset', async () => {
    // VictoriaMetrics 1.79 (Debian's) answers a range whose points are all younger than
    // -search.latencyOffset with nothing; newer versions honour the source's latency_offset=1s.
    // One frame need not hold every node (the two scrapes are not aligned), and the first range
    // VM answers may reach only one exporter's older points: wait for a backfill that covers
    // every GPU, then check it.
    const gpusIn = (frames: { batches: Parameters<typeof ingestBatches>[1] }[]) => {
      const pipeline = createDcgmPipeline();
      return new Map(frames.flatMap((f) => ingestBatches(pipeline, f.batches)).map((g) => [g.key, g.node]));
    };
    const result = await waitFor('a backfill with frames for every GPU', async () => {
      const toMs = Date.now();
      const r = await source.backfill({ fromMs: toMs - 120_000, toMs, stepMs: 1_000 });
      return r.ok && r.frames.length >= 5 && gpusIn(r.frames).size === 8 ? r : undefined;
    }, 60_000, 1_000);
    expect(result.frames.every((f, i) => i === 0 || f.observedAt > result.frames[i - 1]!.observedAt)).toBe(true);
    const gpus = gpusIn(result.frames);
    expect(gpus.size).toBe(8);
    expect(new Set(gpus.values())).toEqual(new Set(['vm-node-1', 'vm-node-2']));
  }, 70_000);
});
