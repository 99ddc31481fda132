// What a scrape target is, as stored in settings. Secrets appear only as SecretRefs: the schema
// itself rejects a plain password or token, so no code path can persist one by mistake.
import { z } from 'zod';
import { SecretRefSchema, type SecretRef, type SecretStore } from './secrets';

/** dcgm-exporter refreshes every 30 s by default; polling faster repeats values (DCGM.md §1). */
export const DEFAULT_INTERVAL_MS = 15_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const EXPORTER_DEFAULT_COLLECT_INTERVAL_MS = 30_000;

export const httpUrl = z.string().refine((value) => {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}, 'an http:// or https:// URL');

export const TargetAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('basic'), username: z.string().min(1), password: SecretRefSchema }),
  z.strictObject({ kind: z.literal('bearer'), token: SecretRefSchema }),
]);

export const TargetTlsSchema = z.strictObject({
  caFile: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** Unsafe: the UI marks it so. Off unless the user turns it on for this one target. */
  insecureSkipVerify: z.boolean().default(false),
});

// Credentials belong in `auth`, where they are stored as secret references; a header would
// put them in the settings file as plain text.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export const TargetHeadersSchema = z
  .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), z.string())
  .refine(
    (headers) => Object.keys(headers).every((name) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
    'credentials go in auth (stored encrypted), not in extra headers',
  );

export const TargetConfigSchema = z.strictObject({
  id: z.string().min(1),
  /** `exporter`: scrape a dcgm-exporter; `prometheus`: read a Prometheus server's HTTP API at `url`. */
  kind: z.enum(['exporter', 'prometheus']).default('exporter'),
  url: httpUrl,
  /** Prometheus sources only: label matchers every series must match, e.g. {cluster="a100-pool"}. */
  selector: z.string().max(2000).optional(),
  name: z.string().default(''),
  group: z.string().default(''),
  intervalMs: z.number().int().min(1_000).max(3_600_000).default(DEFAULT_INTERVAL_MS),
  timeoutMs: z.number().int().min(100).max(600_000).default(DEFAULT_TIMEOUT_MS),
  /** Response cap, applied to the decompressed size too; the scraper's default is 64 MiB. */
  maxBytes: z.number().int().positive().optional(),
  auth: TargetAuthSchema.default({ kind: 'none' }),
  tls: TargetTlsSchema.optional(),
  headers: TargetHeadersSchema.default({}),
  /** Headers that carry credentials (X-Api-Key, …): kept as secret references like auth. */
  secretHeaders: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), SecretRefSchema).optional(),
  /** Most samples one scrape may hold (Prometheus' sample_limit); more makes the target too-large. */
  sampleLimit: z.number().int().positive().optional(),
  /** Most GPUs (and MIG instances) one target may report; more makes the target too-large. */
  gpuLimit: z.number().int().positive().optional(),
  pinned: z.boolean().default(false),
});

export type TargetConfig = z.infer<typeof TargetConfigSchema>;
export type TargetAuth = z.infer<typeof TargetAuthSchema>;

/** What the UI or CLI hands over: secrets may still be plain strings here, never later. */
export type TargetAuthInput =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string | SecretRef }
  | { kind: 'bearer'; token: string | SecretRef };

export type TargetInput = Omit<z.input<typeof TargetConfigSchema>, 'auth' | 'secretHeaders'> & { auth?: TargetAuthInput; secretHeaders?: Record<string, string | SecretRef> };

/**
 * Turns user input into a storable TargetConfig: every plain secret goes through the store and
 * is replaced by its reference. Rejects (through the store) when the secret cannot be stored.
 */
export async function toStoredTarget(input: TargetInput, store: SecretStore): Promise<TargetConfig> {
  const auth = input.auth ?? { kind: 'none' };
  const secretName = (what: string) => `${what} for ${input.url}`;
  let storedAuth: TargetAuth;
  if (auth.kind === 'basic') {
    const password =
      typeof auth.password === 'string' ? await store.put(secretName('password'), auth.password) : auth.password;
    storedAuth = { kind: 'basic', username: auth.username, password };
  } else if (auth.kind === 'bearer') {
    const token = typeof auth.token === 'string' ? await store.put(secretName('bearer token'), auth.token) : auth.token;
    storedAuth = { kind: 'bearer', token };
  } else {
    storedAuth = { kind: 'none' };
  }
  let secretHeaders: Record<string, SecretRef> | undefined;
  if (input.secretHeaders && Object.keys(input.secretHeaders).length > 0) {
    secretHeaders = {};
    for (const [name, value] of Object.entries(input.secretHeaders)) {
      secretHeaders[name] = typeof value === 'string' ? await store.put(secretName(`header ${name}`), value) : value;
    }
  }
  return TargetConfigSchema.parse({ ...input, auth: storedAuth, secretHeaders });
}
