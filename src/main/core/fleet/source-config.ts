// What a source of targets is, as stored in settings: a targets file re-read as it changes, or a
// Prometheus server whose targets API names the exporters. Like targets, a source stores secrets
// only as references (the auth schema rejects plain text).
import { z } from 'zod';
import { DEFAULT_TIMEOUT_MS, TargetAuthSchema, TargetConfigSchema, TargetHeadersSchema, TargetTlsSchema, httpUrl } from './target-config';

const IntervalMs = z.number().int().min(1_000).max(3_600_000);

export const TargetsFileSourceSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.literal('targets-file'),
  /** Absolute path of the file: one URL per line, or a Prometheus file_sd JSON/YAML list. */
  path: z.string().min(1).max(4096),
  /** Poll interval of every listed target (default: the fleet's 15 s). */
  intervalMs: IntervalMs.optional(),
});

export const DiscoverySourceSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.literal('prometheus-discovery'),
  /** Prometheus server root, e.g. http://prometheus:9090. */
  url: httpUrl,
  /** Adopt this scrape job's targets; absent: every target that serves DCGM metrics. */
  job: z.string().min(1).max(500).optional(),
  intervalMs: IntervalMs.optional(),
  timeoutMs: z.number().int().min(100).max(600_000).default(DEFAULT_TIMEOUT_MS),
  auth: TargetAuthSchema.default({ kind: 'none' }),
  tls: TargetTlsSchema.optional(),
  headers: TargetHeadersSchema.default({}),
  /** Credential headers (Authorization, X-Api-Key, …) as secret references, as on a target. */
  secretHeaders: TargetConfigSchema.shape.secretHeaders,
});

export const SourceConfigSchema = z.discriminatedUnion('kind', [TargetsFileSourceSchema, DiscoverySourceSchema]);

export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type TargetsFileSourceConfig = z.infer<typeof TargetsFileSourceSchema>;
export type DiscoverySourceConfig = z.infer<typeof DiscoverySourceSchema>;
