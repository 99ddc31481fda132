// The Prometheus-server source against the real Debian `prometheus`, scraping three demo
// exporters every second through taps that record what each scrape returned. What the source
// reads back must be exactly what a direct scrape of the same exporter gave at that moment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { parseExposition } from '../../src/main/core/exposition';
import { DEFAULT_MODEL, createDemoSimulation, startDemoExporter, type DemoExporterHandle } from '../../src/main/core/sources/demo';
import {
  PrometheusConfigError,
  createPrometheusSource,
  type PrometheusSource,
  type TargetBatch,
} from '../../src/main/core/sources/prometheus/source';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { waitFor } from '../helpers/servers';
import { ingestBatches, recordAt, requirePrometheus, startPrometheus, startTap, withoutDemoPods, type PrometheusHandle, type TapHandle } from './support';

const HOSTS = ['prom-node-1', 'prom-node-2', 'prom-node-3'];

describe('Prometheus source over a real Prometheus server', () => {
  const exporters: DemoExporterHandle[] = [];
  const taps: TapHandle[] = [];
  let prometheus: PrometheusHandle;
  let source: PrometheusSource;
  const sources: PrometheusSource[] = [];

  beforeAll(async () => {
    requirePrometheus();
    for (const [i, hostname] of HOSTS.entries()) {
      const exporter = await startDemoExporter({ port: 0, gpus: 8, hostname, seed: i + 1 });
      exporters.push(exporter);
      taps.push(await startTap(exporter.url, withoutDemoPods));
    }
    prometheus = await startPrometheus({
      config: {
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: taps.map((t) => t.hostPort) }] }],
      },
    });
    source = createPrometheusSource({ baseUrl: prometheus.url });
    sources.push(source);
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await prometheus?.close();
    await Promise.all(taps.map((t) => t.close()));
    await Promise.all(exporters.map((e) => e.close()));
  });

  const batchOf = (batches: TargetBatch[], tap: TapHandle) => batches.find((b) => b.instance === tap.hostPort);

  it('shows all 24 GPUs, with their nodes and model, within 30 s', async () => {
    const pipeline = createDcgmPipeline();
    const { gpus, poll } = await waitFor(
      '24 GPUs through Prometheus',
      async () => {
        const poll = await source.poll();
        if (!poll.ok) throw new Error(`${poll.state}: ${poll.message}`);
        const gpus = ingestBatches(pipeline, poll.batches);
        return gpus.length === 24 ? { gpus, poll } : undefined;
      },
      30_000,
      500,
    );
    expect(poll.notice).toBeNull();
    expect(poll.batches.map((b) => b.instance).sort()).toEqual(taps.map((t) => t.hostPort).sort());
    for (const b of poll.batches) {
      expect(b.job).toBe('dcgm');
      expect(b.fallbackNode).toBe('127.0.0.1');
      // The scrape time, not the evaluation instant: at most a scrape interval and the delay older.
      expect(b.observedAt).toBeLessThanOrEqual(poll.evaluatedAt);
      expect(poll.evaluatedAt - b.observedAt).toBeLessThan(1_500);
    }
    const byNode = new Map<string, GpuSnapshot[]>();
    for (const g of gpus) byNode.set(g.node, [...(byNode.get(g.node) ?? []), g]);
    expect([...byNode.keys()].sort()).toEqual(HOSTS);
    for (const list of byNode.values()) {
      expect(list.map((g) => g.gpuIndex).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(list.map((g) => g.uuid)).size).toBe(8);
    }
    expect(new Set(gpus.map((g) => g.model))).toEqual(new Set([DEFAULT_MODEL]));
    // The same identities a direct scrape gives.
    const direct = taps.flatMap((t) => directGpus(t.records.at(-1)!.body, Date.now()));
    expect(gpus.map((g) => g.key).sort()).toEqual(direct.map((g) => g.key).sort());
    // Discovery, the timestamp query, and one query per family: 32 families in the demo.
    const families = new Set(poll.batches.flatMap((b) => b.families.map((f) => f.name)));
    expect(families.size).toBe(32);
    expect(poll.stats.requests).toBeLessThanOrEqual(families.size + 2);
    expect(poll.stats.samples).toBe(24 * 32);
  }, 40_000);

  it('reads exactly what a direct scrape of the same exporter gave at the same scrape', async () => {
    const poll = await source.poll();
    if (!poll.ok) throw new Error(poll.message);
    let compared = 0;
    for (const tap of taps) {
      const batch = batchOf(poll.batches, tap)!;
      const record = recordAt(tap, batch.observedAt);
      expect(record, `the tap saw the scrape Prometheus stamped ${batch.observedAt}`).toBeDefined();
      const viaPrometheus = sortByKey(ingestBatches(createDcgmPipeline(), [batch], 'cmp'));
      const direct = sortByKey(directGpus(record!.body, batch.observedAt, 'cmp'));
      expect(viaPrometheus).toHaveLength(8);
      // Whole snapshots: real utilization, every reading, class, health, identity.
      expect(viaPrometheus).toEqual(direct);
      for (const g of viaPrometheus) {
        expect(g.realUtil).toBe(direct.find((d) => d.key === g.key)!.realUtil);
        if (g.realUtil !== null) compared++;
      }
    }
    // Not a vacuous match of missing values: the demo's busy GPUs have a score.
    expect(compared).toBeGreaterThanOrEqual(12);
    // And it is a real read of moving data: the scores differ between GPUs.
    const scores = new Set(ingestBatches(createDcgmPipeline(), poll.batches).map((g) => g.realUtil));
    expect(scores.size).toBeGreaterThan(10);
  });

  it('backfills at least 20 points of the last 30 s for one GPU, equal to the direct scrapes', async () => {
    const tap = taps[1];
    const uuid = createDemoSimulation({ gpus: 8, hostname: HOSTS[1], seed: 2 }).gpus[3].uuid;
    const result = await waitFor(
      '20 backfilled points',
      async () => {
        if (tap.records.length === 0) return undefined;
        // Steps half-way between the scrapes, so each step has one unambiguous latest scrape.
        const phase = (tap.records.at(-1)!.receivedAt + 500) % 1_000;
        const fromMs = Math.floor((Date.now() - 30_000) / 1_000) * 1_000 + phase;
        const r = await source.backfill({ fromMs, toMs: fromMs + 29_000, stepMs: 1_000, uuids: [uuid] });
        if (!r.ok) throw new Error(`${r.state}: ${r.message}`);
        return r.frames.length >= 20 ? r : undefined;
      },
      40_000,
      1_000,
    );
    expect(result.stepMs).toBe(1_000);
    const times = result.frames.map((f) => f.observedAt);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(1_000);
    // One request per family, whatever the number of nodes.
    expect(result.stats.requests).toBeLessThanOrEqual(33);

    const pipeline = createDcgmPipeline();
    const points = result.frames.map((f) => {
      const gpus = ingestBatches(pipeline, f.batches);
      expect(gpus.map((g) => g.uuid)).toEqual([uuid]);
      return { at: f.observedAt, gpu: gpus[0], batches: f.batches };
    });
    expect(points.filter((p) => p.gpu.realUtil !== null).length).toBeGreaterThanOrEqual(20);

    // A step's value is the last sample at or before it: the scrape the tap recorded just before.
    let checked = 0;
    for (const p of points) {
      const before = tap.records.filter((r) => r.receivedAt <= p.at - 50).at(-1);
      const after = tap.records.find((r) => r.receivedAt > p.at - 50);
      if (!before || !after || after.receivedAt < p.at + 50) continue;
      const direct = directGpus(before.body, p.at, 'cmp').find((g) => g.uuid === uuid)!;
      const fromHistory = ingestBatches(createDcgmPipeline(), p.batches, 'cmp')[0];
      expect(fromHistory.readings).toEqual(direct.readings);
      expect(fromHistory.realUtil).toBe(direct.realUtil);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(18);
  }, 60_000);

  it('makes the same number of requests for one node as for three', async () => {
    const one = createPrometheusSource({ baseUrl: prometheus.url, selector: `{instance="${taps[0].hostPort}"}` });
    const all = createPrometheusSource({ baseUrl: prometheus.url });
    sources.push(one, all);
    const [a, b] = [await one.poll(), await all.poll()];
    if (!a.ok || !b.ok) throw new Error('poll failed');
    expect(ingestBatches(createDcgmPipeline(), a.batches)).toHaveLength(8);
    expect(ingestBatches(createDcgmPipeline(), b.batches)).toHaveLength(24);
    expect(a.stats.requests).toBe(b.stats.requests);
    expect(b.stats.bytes).toBeGreaterThan(2.5 * a.stats.bytes);
    // A later refresh reuses the discovered names: one request fewer.
    const again = await all.poll();
    if (!again.ok) throw new Error(again.message);
    expect(again.stats.requests).toBe(b.stats.requests - 1);
  });

  it('says which query found nothing when the server answers but has no dcgm series', async () => {
    const filtered = createPrometheusSource({ baseUrl: prometheus.url, selector: '{cluster="a100-pool"}' });
    sources.push(filtered);
    const poll = await filtered.poll();
    if (!poll.ok) throw new Error(poll.message);
    expect(poll.batches).toEqual([]);
    expect(poll.notice).not.toBeNull();
    expect(poll.notice!.query).toBe('{__name__=~"DCGM_FI_.+|dcgm_.+",cluster="a100-pool"}');
    expect(poll.notice!.message).toContain(poll.notice!.query);
    expect(poll.notice!.message).toContain('without the selector it finds 32');
    expect(poll.notice!.remedy).toMatch(/selector/);
  });

  it('rejects a malformed selector before any request, naming the column', () => {
    expect(() => createPrometheusSource({ baseUrl: prometheus.url, selector: '{cluster="a", gpu~"1"}' })).toThrow(PrometheusConfigError);
    expect(() => createPrometheusSource({ baseUrl: prometheus.url, selector: '{cluster="a", gpu~"1"}' })).toThrow(/column 18: expected =, !=, =~ or !~ after gpu/);
    expect(() => createPrometheusSource({ baseUrl: prometheus.url, selector: 'DCGM_FI_DEV_GPU_UTIL{gpu="0"}' })).toThrow(/metric name is not allowed/);
    expect(() => createPrometheusSource({ baseUrl: 'ftp://prom:9090' })).toThrow(/unsupported scheme/);
  });
});

function directGpus(body: string, observedAt: number, sourceId = 'direct'): GpuSnapshot[] {
  const parsed = parseExposition(body, { mode: 'lenient' });
  return createDcgmPipeline().ingest(parsed.families, { sourceId, fallbackNode: '127.0.0.1', observedAt }).gpus;
}

function sortByKey(gpus: GpuSnapshot[]): GpuSnapshot[] {
  return [...gpus].sort((a, b) => (a.key < b.key ? -1 : 1));
}
