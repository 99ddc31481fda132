// What GPU Pulse computes, published as Prometheus metrics: a prom-client Registry whose
// collectors read the current GPU snapshots at every scrape, plus content negotiation
// (OpenMetrics 1.0 or text 0.0.4, gzip) for whoever serves `/metrics`.
import { gzipSync } from 'node:zlib';
import { Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import type { GpuSnapshot } from '../../../shared/gpu';
import { parseMediaType } from '../exposition';

export type MetricsFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<MetricsFormat, string>> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** Identity labels on every per-GPU series. */
export const GPU_LABELS = ['node', 'uuid', 'gpu', 'mig_instance'] as const;

type GpuSourceFn = () => GpuSnapshot[] | Promise<GpuSnapshot[]>;

export interface MetricsResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface PulseMetrics {
  /** The four gpu_pulse_* families, plus whatever was merged in (self-metrics). */
  readonly registry: Registry;
  /** Exposition text in one format, with prom-client's rendering bugs worked around. */
  render(format: MetricsFormat): Promise<string>;
  /** A complete `/metrics` answer for these request headers. */
  metricsResponse(accept?: string | null, acceptEncoding?: string | null): Promise<MetricsResponse>;
}

function identity(gpu: GpuSnapshot): Record<(typeof GPU_LABELS)[number], string> {
  return {
    node: gpu.node,
    uuid: gpu.uuid,
    gpu: gpu.gpuIndex === null ? '' : String(gpu.gpuIndex),
    // Empty for a whole GPU: Prometheus treats an empty label as absent.
    mig_instance: gpu.migInstance?.id ?? '',
  };
}

/** Reason codes, deduplicated in the order health lists them (worst first); "" when OK. */
export function healthReasonLabel(gpu: GpuSnapshot): string {
  return [...new Set(gpu.health.reasons.map((r) => r.code))].join(',');
}

/**
 * The registry of computed metrics. Collectors call `gpus()` at each scrape, so the values are
 * never older than the service's last scrape and GPUs that vanished vanish here too.
 */
export function createGpuRegistry(gpus: GpuSourceFn): Registry {
  const registry = new Registry();
  const labelNames = [...GPU_LABELS];

  new Gauge({
    name: 'gpu_pulse_real_utilization_ratio',
    help: 'Real utilization from the DCGM profiling counters (0-1); a lower bound when some inputs are not served, absent when none is.',
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const gpu of await gpus()) if (gpu.realUtil !== null) this.set(identity(gpu), gpu.realUtil / 100);
    },
  });
  new Gauge({
    name: 'gpu_pulse_workload_class',
    help: 'Workload class of the GPU: one series per GPU, the class in the labels, value 1.',
    labelNames: [...labelNames, 'class', 'bottleneck'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const gpu of await gpus()) this.set({ ...identity(gpu), class: gpu.class.label, bottleneck: gpu.class.bottleneck }, 1);
    },
  });
  new Gauge({
    name: 'gpu_pulse_health',
    help: 'Health of the GPU: one series per GPU, state (OK, HOT, WARN, CRIT) and comma-separated reason codes in the labels, value 1.',
    labelNames: [...labelNames, 'state', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const gpu of await gpus()) this.set({ ...identity(gpu), state: gpu.health.state, reason: healthReasonLabel(gpu) }, 1);
    },
  });
  new Gauge({
    name: 'gpu_pulse_gpu_info',
    help: 'GPU identity: model, UUID, node and MIG profile, value 1.',
    labelNames: [...labelNames, 'model', 'mig_profile'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const gpu of await gpus()) this.set({ ...identity(gpu), model: gpu.model ?? '', mig_profile: gpu.migInstance?.profile ?? '' }, 1);
    },
  });
  return registry;
}

/**
 * The computed metrics and any other registries (the fleet self-metrics) behind one renderer.
 *
 * Two prom-client 15 behaviours are worked around here rather than leaked to callers:
 * - the content type is a property of the registry, so one registry per format is kept
 *   (merged from the same metric objects) instead of flipping a shared one per request;
 * - rendering OpenMetrics renames counters in place (`metric.name` loses `_total`), which
 *   would make every later 0.0.4 rendering drop the suffix. Names are restored before each
 *   rendering, and renderings are serialised so no two see each other's renames.
 */
export function createPulseMetrics(opts: { gpus: GpuSourceFn; merge?: Registry[] }): PulseMetrics {
  const gpuRegistry = createGpuRegistry(opts.gpus);
  const sources = [gpuRegistry, ...(opts.merge ?? [])];
  const registry = Registry.merge(sources);
  const metrics = registry.getMetricsAsArray() as Array<{ name: string }>;
  const originalNames = new Map(metrics.map((m) => [m, m.name]));
  // The typings bind a registry's content type at construction; merge() only builds 0.0.4 ones.
  const openmetrics = Registry.merge(sources) as unknown as Registry<OpenMetricsContentType>;
  openmetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);

  let queue: Promise<unknown> = Promise.resolve();
  function render(format: MetricsFormat): Promise<string> {
    const run = async () => {
      for (const [metric, name] of originalNames) metric.name = name;
      return format === 'openmetrics' ? openmetrics.metrics() : registry.metrics();
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    registry,
    render,
    async metricsResponse(accept, acceptEncoding) {
      const format = negotiateFormat(accept);
      const text = await render(format);
      const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[format], Vary: 'Accept, Accept-Encoding' };
      let body = Buffer.from(text, 'utf8');
      if (acceptsGzip(acceptEncoding)) {
        body = gzipSync(body);
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = String(body.length);
      return { status: 200, headers, body };
    },
  };
}

interface AcceptEntry {
  essence: string;
  params: Record<string, string>;
  q: number;
  order: number;
}

/** Splits a header list on commas outside quoted strings. */
function splitList(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"') quoted = !quoted;
    if (c === '\\' && quoted && i + 1 < header.length) {
      current += c + header[++i];
      continue;
    }
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function qValue(params: Record<string, string>): number {
  if (params.q === undefined) return 1;
  const q = Number(params.q);
  return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
}

function parseAccept(header: string): AcceptEntry[] {
  const entries: AcceptEntry[] = [];
  splitList(header).forEach((part, order) => {
    const media = parseMediaType(part);
    if (media) entries.push({ essence: media.essence, params: media.params, q: qValue(media.params), order });
  });
  return entries;
}

/** What a media range in the Accept header would get from us, if anything. */
function formatFor(entry: AcceptEntry): MetricsFormat | null {
  const version = entry.params.version;
  if (entry.essence === 'application/openmetrics-text') {
    // Prometheus asks for 1.0.0 and 0.0.1; both are read by the same parser, and 1.0.0 is
    // what we write. An unknown version gets the fallback format instead.
    return version === undefined || version === '1.0.0' || version === '0.0.1' ? 'openmetrics' : null;
  }
  if (entry.essence === 'text/plain') {
    // 1.0.0 is 0.0.4 plus quoted UTF-8 names; our names are all legacy, so 0.0.4 satisfies it.
    return version === undefined || version === '0.0.4' || version === '1.0.0' ? 'prometheus' : null;
  }
  if (entry.essence === '*/*' || entry.essence === 'text/*') return 'prometheus';
  return null;
}

/**
 * OpenMetrics when the client ranks it above the 0.0.4 text format, text 0.0.4 otherwise (also
 * for a missing or unparsable header), as client_golang's negotiation does.
 */
export function negotiateFormat(accept: string | null | undefined): MetricsFormat {
  if (!accept) return 'prometheus';
  let best: { format: MetricsFormat; q: number; order: number } | null = null;
  for (const entry of parseAccept(accept)) {
    const format = formatFor(entry);
    if (format === null || entry.q <= 0) continue;
    if (!best || entry.q > best.q || (entry.q === best.q && entry.order < best.order)) best = { format, q: entry.q, order: entry.order };
  }
  return best?.format ?? 'prometheus';
}

/** True when `Accept-Encoding` allows gzip (explicitly, or through `*`) with q > 0. */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | null = null;
  let star: number | null = null;
  for (const part of splitList(acceptEncoding)) {
    const [token, ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    const name = token.toLowerCase();
    if (name === 'gzip' || name === 'x-gzip') gzip = q;
    else if (name === '*') star = q;
  }
  const q = gzip ?? star ?? 0;
  return Number.isFinite(q) && q > 0;
}
