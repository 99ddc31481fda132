// What the UI or the command line asks for -> a target config: URL normalisation, schema
// defaults, ids, and on update the secrets the user left out keeping their stored references.
import { parseSelector } from '../sources/prometheus/selector';
import { TargetConfigSchema, type TargetConfig, type TargetInput } from './target-config';
import type { PreparedTargetRequest } from './target-request';

let nextTargetSeq = 0;

export function newTargetId(): string {
  return `t-${Date.now().toString(36)}-${(nextTargetSeq++).toString(36)}`;
}

/** `http://node:9400` means the exporter's metrics: an empty path becomes /metrics, as Prometheus' metrics_path default. */
export function normalizeTargetUrl(input: string): string {
  const url = new URL(input);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/metrics';
  return url.toString();
}

/** A Prometheus server's URL is taken as given; an exporter's gets its default path. */
export function targetUrl(kind: 'exporter' | 'prometheus' | undefined, url: string): string {
  return kind === 'prometheus' ? new URL(url).toString() : normalizeTargetUrl(url);
}

/** A target config with the schema's defaults and a fresh id unless one is given. */
export function makeTargetConfig(input: { url: string; name?: string; group?: string; intervalMs?: number; id?: string; kind?: 'exporter' | 'prometheus'; selector?: string }): TargetConfig {
  return TargetConfigSchema.parse({
    id: input.id ?? newTargetId(),
    kind: input.kind ?? 'exporter',
    selector: input.selector,
    url: targetUrl(input.kind, input.url),
    name: input.name ?? '',
    group: input.group ?? '',
    intervalMs: input.intervalMs,
  });
}

/** Request -> schema input; on update, secrets the user left out keep their stored references. */
export function targetInput(id: string, req: PreparedTargetRequest, previous: TargetConfig | null): TargetInput {
  let auth: TargetInput['auth'] = { kind: 'none' };
  const prevAuth = previous?.auth;
  if (req.auth?.kind === 'basic') {
    const password = req.auth.password ?? (prevAuth?.kind === 'basic' ? prevAuth.password : undefined);
    if (password === undefined) throw new Error('basic auth needs a password');
    auth = { kind: 'basic', username: req.auth.username, password };
  } else if (req.auth?.kind === 'bearer') {
    const token = req.auth.token ?? (prevAuth?.kind === 'bearer' ? prevAuth.token : undefined);
    if (token === undefined) throw new Error('bearer auth needs a token');
    auth = { kind: 'bearer', token };
  }
  const tls = req.tls && Object.values(req.tls).some((v) => v !== undefined && v !== false) ? req.tls : undefined;
  if (req.kind === 'prometheus' && req.selector?.trim()) {
    const selector = parseSelector(req.selector);
    if (!selector.ok) throw new Error(`selector: ${selector.message} (${selector.remedy})`);
  }
  return {
    id,
    kind: req.kind ?? 'exporter',
    url: targetUrl(req.kind, req.url),
    selector: req.kind === 'prometheus' && req.selector?.trim() ? req.selector.trim() : undefined,
    name: req.name ?? '',
    group: req.group ?? '',
    intervalMs: req.intervalMs,
    timeoutMs: req.timeoutMs,
    auth,
    tls,
    headers: req.headers ?? {},
    secretHeaders: req.secretHeaders ?? previous?.secretHeaders,
    sampleLimit: previous?.sampleLimit,
    gpuLimit: previous?.gpuLimit,
    pinned: previous?.pinned ?? false,
  };
}
