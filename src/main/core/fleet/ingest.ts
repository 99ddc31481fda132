// Families from any source -> the fleet's GPUs, node extras and history. One scraped body,
// one replay frame or one Prometheus refresh goes through its pipeline(s) here; GPUs the
// refresh no longer mentions are dropped, and every change is reported to the listener.
import { HISTORY_FIELDS, type HistoryResponse } from '../../../shared/api';
import type { GpuSnapshot, NodeExtra } from '../../../shared/gpu';
import type { DcgmPipeline } from '../dcgm';
import { formatFromContentType } from '../exposition';
import { parseScrapeBody } from './scrape-limits';
import type { Family } from '../exposition/types';
import { currentFamilies, EMPTY_BODY_REMEDY, openInput, readFamilies, unusableParse } from '../sources/read-families';
import { bodyFingerprint } from './body-fingerprint';
import { chartHistoryOptions } from './chart-history';
import { HistoryStore, type HistoryOptions } from './history';
import type { IngestOutcome, ScrapeSuccess } from './scrape-target';
import type { TargetRuntime } from './target-registry';

export interface IngestBatch {
  families: Family[];
  fallbackNode: string;
  /** The data's own time (rates use it). */
  observedAt: number;
  pipeline: DcgmPipeline;
}

export interface IngestListener {
  gpuChanged(gpu: GpuSnapshot): void;
  gpuRemoved(key: string): void;
  /** One batch's GPUs, at the time history records them (the waste ledger watches these). */
  batchObserved(gpus: readonly GpuSnapshot[], at: number): void;
  /** A scraped body repeated the last one ingested and was skipped (self-metrics count these). */
  identicalBody?(): void;
}

export type HistoryPoint = [t: number, values: Record<string, number | null>];

export class FleetIngest {
  private readonly gpus = new Map<string, GpuSnapshot>();
  private readonly extras = new Map<string, NodeExtra[]>();
  private readonly history: HistoryStore;

  constructor(
    private readonly listener: IngestListener,
    history: Partial<Omit<HistoryOptions, 'fields'>> | undefined,
    private readonly now: () => number,
  ) {
    this.history = new HistoryStore(chartHistoryOptions(history));
  }

  gpu(key: string): GpuSnapshot | undefined {
    return this.gpus.get(key);
  }

  allGpus(): GpuSnapshot[] {
    return [...this.gpus.values()];
  }

  nodeExtras(node: string): NodeExtra[] {
    return [...this.extras.values()].flat().filter((extra) => extra.node === node);
  }

  historyBytes(): number {
    return this.history.bytes();
  }

  historyFullBytes(): number {
    return this.history.fullBytes();
  }

  /** Parse a scraped body and feed it through the target's pipeline; the runner records the state. */
  async body(runtime: TargetRuntime, result: ScrapeSuccess, stillThere: () => boolean): Promise<IngestOutcome> {
    const { config } = runtime;
    const fingerprint = bodyFingerprint(result.body);
    if (fingerprint === runtime.lastBody) {
      this.listener.identicalBody?.();
      return { ok: true };
    }
    const input = openInput(result.body, { contentType: result.contentType });
    if (input.empty) return { ok: false, state: 'down', transient: true, message: `empty body (HTTP ${result.status}, 0 bytes) from ${config.url}`, remedy: EMPTY_BODY_REMEDY };
    let families: Family[];
    let why: string | null;
    if (input.kind === 'dmon') {
      const read = readFamilies(input.bytes);
      families = currentFamilies(read);
      why = unusableParse(read.problems, families);
    } else {
      // Exposition text is parsed in slices within the target's sample and GPU limits.
      const { sampleLimit, gpuLimit } = config;
      const bounded = await parseScrapeBody(input.bytes, { format: input.format ?? formatFromContentType(result.contentType), sampleLimit, gpuLimit });
      if (!bounded.ok) return bounded.outcome;
      families = bounded.result.families;
      why = unusableParse(bounded.result.problems, families);
      // The slices of a large body take turns with the event loop: the target may be gone.
      if (!stillThere()) return { ok: true };
    }
    if (why) return { ok: false, message: `not Prometheus exposition text from ${config.url} (${why})`, remedy: 'check that the URL is a metrics endpoint such as http://host:9400/metrics' };
    const now = this.now();
    this.families(runtime, families, now, now);
    runtime.lastBody = fingerprint;
    return { ok: true };
  }

  /** One source's families at one moment; history is kept on the wall clock so views always move forward. */
  families(runtime: TargetRuntime, families: Family[], observedAt: number, wallClock: number): void {
    this.apply(runtime, [{ families, fallbackNode: runtime.fallbackNode, observedAt, pipeline: runtime.pipeline }], wallClock);
  }

  /** One refresh of a source: every batch through its pipeline; GPUs no batch mentions are dropped. */
  apply(runtime: TargetRuntime, batches: IngestBatch[], wallClock: number | null): void {
    const { config } = runtime;
    const seen = new Set<string>();
    const extras: NodeExtra[] = [];
    for (const batch of batches) {
      const out = batch.pipeline.ingest(batch.families, { sourceId: config.id, fallbackNode: batch.fallbackNode, observedAt: batch.observedAt });
      for (const gpu of out.gpus) {
        seen.add(gpu.key);
        const previous = this.gpus.get(gpu.key);
        this.gpus.set(gpu.key, gpu);
        // Prometheus answers the same scrape again until the next one: keep history to real samples.
        if (!previous || previous.observedAt !== gpu.observedAt) this.history.push(gpu.key, wallClock ?? gpu.observedAt, historyValues(gpu));
        this.listener.gpuChanged(gpu);
      }
      this.listener.batchObserved(out.gpus, wallClock ?? this.now());
      extras.push(...out.extras);
    }
    for (const key of runtime.gpuKeys) if (!seen.has(key)) this.dropGpu(key);
    runtime.gpuKeys = seen;
    this.extras.set(config.id, extras);
    runtime.nodes = [...new Set([...seen].map((k) => this.gpus.get(k)!.node))].sort();
    runtime.notice = seen.size === 0 ? { message: `no dcgm GPU series at ${config.url}`, remedy: 'point the target at a dcgm-exporter (default port 9400)' } : null;
  }

  /** Another endpoint: the target's GPUs and their history start from scratch. */
  dropGpusOf(runtime: TargetRuntime): void {
    for (const key of runtime.gpuKeys) this.dropGpu(key);
    runtime.gpuKeys = new Set();
    runtime.lastBody = null;
  }

  /** A target left: its GPUs and node extras go with it. */
  dropTarget(runtime: TargetRuntime): void {
    for (const key of runtime.gpuKeys) this.dropGpu(key);
    this.extras.delete(runtime.config.id);
  }

  /** Each known GPU's history over the window. */
  query(keys: readonly string[], fields: readonly string[], fromMs: number, toMs: number): HistoryResponse['series'] {
    const series: HistoryResponse['series'] = {};
    for (const key of keys) {
      if (!this.gpus.has(key)) continue;
      const result = this.history.query(key, fields, fromMs, toMs);
      series[key] = { t: result.t, values: result.series };
    }
    return series;
  }

  /** History rings keep time order: rebuild a GPU's with older snapshots in front of what it has. */
  prependHistory(key: string, older: Array<[t: number, gpu: GpuSnapshot]>): void {
    const existing = this.history.query(key, [...HISTORY_FIELDS], 0, Number.MAX_SAFE_INTEGER);
    const firstExisting = existing.t[0] ?? Infinity;
    this.history.remove(key);
    for (const [t, gpu] of older) if (t < firstExisting) this.history.push(key, t, historyValues(gpu));
    existing.t.forEach((t, i) => {
      const values: Record<string, number | null> = {};
      for (const field of HISTORY_FIELDS) values[field] = existing.series[field]?.[i] ?? null;
      this.history.push(key, t, values);
    });
  }

  private dropGpu(key: string): void {
    this.gpus.delete(key);
    this.history.remove(key);
    this.listener.gpuRemoved(key);
  }
}

function historyValues(gpu: GpuSnapshot): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const field of HISTORY_FIELDS) {
    values[field] = field === 'realUtil' ? gpu.realUtil : (gpu.readings[field] ?? null);
  }
  return values;
}
