// The Prometheus targets' side of the fleet: for each, the server client (created at the first
// poll, once its credentials are resolved), one dcgm pipeline per scraped instance (counter
// state lives per exporter, not per server), and which GPUs' history was already backfilled.
import type { GpuSnapshot } from '../../../../shared/gpu';
import { createDcgmPipeline, type DcgmPipeline } from '../../dcgm';
import type { Family } from '../../exposition/types';
import { createPrometheusSource, type PrometheusFailureState, type PrometheusSource, type PrometheusSourceConfig } from './source';
import type { TargetBatch } from './convert';

export interface PolledBatch {
  families: Family[];
  fallbackNode: string;
  observedAt: number;
  pipeline: DcgmPipeline;
}

export type PollOutcome =
  | { ok: true; batches: PolledBatch[]; notice: { message: string; remedy: string } | null; durationMs: number }
  | {
      ok: false;
      state: PrometheusFailureState;
      message: string;
      remedy: string;
      durationMs: number;
      /** False when the server was never asked (no client could be made): no scrape to count. */
      asked: boolean;
    };

interface PolledServer {
  source: PrometheusSource | null;
  pipelines: Map<string, DcgmPipeline>;
  backfilledFrom: Map<string, number>;
}

export class PrometheusPoller {
  private readonly servers = new Map<string, PolledServer>();

  /** One refresh of target `id`; `connect` gives the client settings, credentials resolved. */
  async poll(id: string, connect: () => Promise<PrometheusSourceConfig>): Promise<PollOutcome> {
    const server = this.server(id);
    if (!server.source) {
      try {
        server.source = createPrometheusSource(await connect());
      } catch (err) {
        const remedy = (err as { remedy?: string }).remedy ?? 'check the server address, selector and credentials';
        return { ok: false, state: 'down', message: (err as Error).message, remedy, durationMs: 0, asked: false };
      }
    }
    const result = await server.source.poll();
    if (!result.ok) {
      const query = result.query ? ` (query: ${result.query})` : '';
      return { ok: false, state: result.state, message: `${result.message}${query}`, remedy: result.remedy, durationMs: result.durationMs, asked: true };
    }
    const batches = result.batches.map((b) => ({ families: b.families, fallbackNode: b.fallbackNode, observedAt: b.observedAt, pipeline: pipelineFor(server.pipelines, b) }));
    const notice = result.notice ? { message: `${result.notice.message} (query: ${result.notice.query})`, remedy: result.notice.remedy } : null;
    return { ok: true, batches, notice, durationMs: result.stats.durationMs };
  }

  /**
   * A view opened on GPUs read through Prometheus: their snapshots over the window from
   * query_range, once per GPU and window start, so charts have history the moment they open.
   * GPUs of other targets, or already backfilled from `fromMs`, are skipped.
   */
  async backfill(gpus: GpuSnapshot[], fromMs: number, toMs: number, stepMs: (id: string) => number): Promise<Map<string, Array<[number, GpuSnapshot]>>> {
    const byTarget = new Map<string, GpuSnapshot[]>();
    for (const gpu of gpus) {
      const server = this.servers.get(gpu.sourceId);
      if (!server || (server.backfilledFrom.get(gpu.key) ?? Infinity) <= fromMs) continue;
      byTarget.set(gpu.sourceId, [...(byTarget.get(gpu.sourceId) ?? []), gpu]);
    }
    const points = new Map<string, Array<[number, GpuSnapshot]>>();
    for (const [id, wantedGpus] of byTarget) {
      const server = this.servers.get(id);
      if (!server?.source) continue;
      const result = await server.source.backfill({ fromMs, toMs, stepMs: stepMs(id), uuids: [...new Set(wantedGpus.map((g) => g.uuid))] });
      if (!result.ok) continue; // the live view still works; the next view opening tries again
      // Its own pipelines: replaying old frames must not disturb the live counter state.
      const pipelines = new Map<string, DcgmPipeline>();
      const wanted = new Set(wantedGpus.map((g) => g.key));
      const found = new Map<string, Array<[number, GpuSnapshot]>>();
      for (const frame of result.frames) {
        for (const batch of frame.batches) {
          const out = pipelineFor(pipelines, batch).ingest(batch.families, { sourceId: id, fallbackNode: batch.fallbackNode, observedAt: frame.observedAt });
          for (const gpu of out.gpus) if (wanted.has(gpu.key)) found.set(gpu.key, [...(found.get(gpu.key) ?? []), [frame.observedAt, gpu]]);
        }
      }
      for (const [key, snapshots] of found) {
        points.set(key, snapshots);
        server.backfilledFrom.set(key, fromMs);
      }
    }
    return points;
  }

  /** Settings changed: a new client at the next poll, counters and backfills start over. */
  reset(id: string): void {
    if (!this.servers.has(id)) return;
    void this.servers.get(id)!.source?.close();
    this.servers.set(id, emptyServer());
  }

  forget(id: string): void {
    void this.servers.get(id)?.source?.close();
    this.servers.delete(id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.source?.close()));
  }

  private server(id: string): PolledServer {
    let server = this.servers.get(id);
    if (!server) this.servers.set(id, (server = emptyServer()));
    return server;
  }
}

function emptyServer(): PolledServer {
  return { source: null, pipelines: new Map(), backfilledFrom: new Map() };
}

function pipelineFor(pipelines: Map<string, DcgmPipeline>, batch: TargetBatch): DcgmPipeline {
  const id = `${batch.instance}\u0000${batch.job}`;
  let pipeline = pipelines.get(id);
  if (!pipeline) pipelines.set(id, (pipeline = createDcgmPipeline()));
  return pipeline;
}
