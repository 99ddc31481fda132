// Validation of every argument that crosses a boundary into main (DESIGN.md §4): the IPC
// adapter and the HTTP adapter both check requests against these before calling the service.
import { z } from 'zod';
import { HISTORY_FIELDS, type PulseRequestMethod } from './api';
import { REPORT_GROUPS } from './waste';

const MAX_KEYS = 10_000;
/**
 * GPU keys and node names come from exporter labels, which have no length limit of their own: a
 * hostile or broken exporter's 20,000-character Hostname must not make every view's request
 * invalid. Request bodies stay capped by the transports (1 MiB over HTTP).
 */
const MAX_LABEL_CHARS = 65_536;

export const HttpUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

// No { env } or { file } here: a request naming them could send any variable or file away.
const SecretInputSchema = z.union([z.string().min(1).max(10_000), z.object({ secret: z.string().min(1).max(200) }).strict()]);

const FilePathSchema = z.string().min(1).max(4096);

const TargetAuthRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('basic'), username: z.string().min(1).max(500), password: SecretInputSchema.optional() }).strict(),
  z.object({ kind: z.literal('bearer'), token: SecretInputSchema.optional() }).strict(),
]);

const TargetTlsRequestSchema = z
  .object({ caFile: FilePathSchema.optional(), certFile: FilePathSchema.optional(), keyFile: FilePathSchema.optional(), insecureSkipVerify: z.boolean().optional() })
  .strict();

export const AddTargetRequestSchema = z
  .object({
    kind: z.enum(['exporter', 'prometheus']).optional(),
    url: HttpUrlSchema,
    selector: z.string().max(2000).optional(),
    name: z.string().trim().max(200).optional(),
    group: z.string().trim().max(200).optional(),
    intervalMs: z.number().int().min(1000).max(3_600_000).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    auth: TargetAuthRequestSchema.optional(),
    tls: TargetTlsRequestSchema.optional(),
    headers: z.record(z.string().max(200), z.string().max(4000)).optional(),
  })
  .strict();

export const AddSourceRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('targets-file'), path: FilePathSchema, intervalMs: z.number().int().min(1000).max(3_600_000).optional() }).strict(),
  z
    .object({
      kind: z.literal('prometheus-discovery'),
      url: HttpUrlSchema,
      job: z.string().trim().min(1).max(500).optional(),
      intervalMs: z.number().int().min(1000).max(3_600_000).optional(),
      timeoutMs: z.number().int().min(100).max(600_000).optional(),
      auth: TargetAuthRequestSchema.optional(),
      tls: TargetTlsRequestSchema.optional(),
      headers: z.record(z.string().max(200), z.string().max(4000)).optional(),
    })
    .strict(),
]);

export const HistoryRequestSchema = z
  .object({
    keys: z.array(z.string().max(MAX_LABEL_CHARS)).max(MAX_KEYS),
    fields: z.array(z.enum(HISTORY_FIELDS)).max(HISTORY_FIELDS.length),
    windowMs: z.number().int().positive().max(7 * 86_400_000).optional(),
  })
  .strict();

/** watchGpus(keys): the only argument, checked like any request (IPC and HTTP). */
export const WatchGpusArgsSchema = z.tuple([z.array(z.string().min(1).max(MAX_LABEL_CHARS)).max(MAX_KEYS)]);

const TargetId = z.string().min(1).max(200);
const InspectionId = z.string().min(1).max(200);
const FilePath = z.string().min(1).max(4096);

/** Argument tuples per request method. */
export const REQUEST_ARG_SCHEMAS = {
  getAppInfo: z.tuple([]),
  getTargets: z.tuple([]),
  getGpus: z.tuple([]),
  getHistory: z.tuple([HistoryRequestSchema]),
  addTarget: z.tuple([AddTargetRequestSchema]),
  removeTarget: z.tuple([TargetId]),
  setPinned: z.tuple([TargetId, z.boolean()]),
  updateTarget: z.tuple([TargetId, AddTargetRequestSchema]),
  testTarget: z.tuple([AddTargetRequestSchema]),
  getSources: z.tuple([]),
  addSource: z.tuple([AddSourceRequestSchema]),
  removeSource: z.tuple([z.string().min(1).max(200)]),
  getNodeExtras: z.tuple([z.string().min(1).max(MAX_LABEL_CHARS)]),
  setNotifications: z.tuple([z.boolean()]),
  openReplay: z.tuple([FilePath]),
  replayInspection: z.tuple([InspectionId]),
  controlReplay: z.tuple([
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('play') }).strict(),
      z.object({ action: z.literal('pause') }).strict(),
      z.object({ action: z.literal('close') }).strict(),
      z.object({ action: z.literal('seek'), positionMs: z.number().min(0).max(366 * 86_400_000) }).strict(),
      z.object({ action: z.literal('speed'), speed: z.number().min(1).max(60) }).strict(),
    ]),
  ]),
  getReplay: z.tuple([]),
  exportSnapshot: z.tuple([z.enum(['prometheus', 'openmetrics'])]),
  pushToGateway: z.tuple([
    z
      .object({
        gateway: HttpUrlSchema,
        job: z.string().min(1).max(500),
        grouping: z.array(z.tuple([z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name'), z.string().max(2000)])).max(50),
        method: z.enum(['replace', 'add', 'delete']),
        username: z.string().max(500).optional(),
        password: z.string().max(10_000).optional(),
        insecureSkipVerify: z.boolean().optional(),
      })
      .strict(),
  ]),
  startRecording: z.tuple([
    z.object({ targetIds: z.array(TargetId).max(10_000).optional(), gzip: z.boolean().optional(), intervalMs: z.number().int().min(1000).max(3_600_000).optional() }).strict(),
  ]),
  stopRecording: z.tuple([]),
  getRecording: z.tuple([]),
  replayRecording: z.tuple([z.string().min(1).max(200)]),
  inspectPath: z.tuple([FilePath]),
  listInspections: z.tuple([]),
  getInspection: z.tuple([InspectionId]),
  getInspectionSeries: z.tuple([
    InspectionId,
    z
      .object({
        family: z.string().max(10_000).optional(),
        filter: z.string().max(1000).optional(),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(5000),
      })
      .strict(),
  ]),
  getInspectionSource: z.tuple([InspectionId, z.object({ line: z.number().int().min(1), context: z.number().int().min(0).max(500) }).strict()]),
  compareInspections: z.tuple([InspectionId, InspectionId]),
  closeInspection: z.tuple([InspectionId]),
  getWasteReport: z.tuple([
    z
      .object({
        by: z.enum(REPORT_GROUPS).optional(),
        sinceMs: z.number().int().positive().max(366 * 86_400_000).optional(),
        startMs: z.number().int().min(0).optional(),
        endMs: z.number().int().min(0).optional(),
        idleBelow: z.number().gt(0).max(1).optional(),
        pricePerGpuHour: z.number().min(0).max(1e9).optional(),
        prometheusTargetId: TargetId.optional(),
      })
      .strict()
      .refine((r) => (r.startMs === undefined) === (r.endMs === undefined), 'startMs and endMs go together')
      .refine((r) => r.startMs === undefined || r.endMs! > r.startMs, 'endMs must be after startMs')
      .refine((r) => r.sinceMs === undefined || r.startMs === undefined, 'give sinceMs or startMs and endMs, not both'),
  ]),
  getHeldIdleGpus: z.tuple([]),
} satisfies Record<PulseRequestMethod, z.ZodType>;

export class InvalidRequestError extends Error {
  readonly code = 'invalid-request';
}

/** Validate a method name and its raw arguments; throws InvalidRequestError with the reason. */
export function validateRequest(method: unknown, args: unknown): { method: PulseRequestMethod; args: unknown[] } {
  if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(REQUEST_ARG_SCHEMAS, method)) {
    throw new InvalidRequestError(`unknown method ${JSON.stringify(method)}`);
  }
  const schema: z.ZodType<unknown[]> = REQUEST_ARG_SCHEMAS[method as PulseRequestMethod];
  return { method: method as PulseRequestMethod, args: checkArgs(method, schema, args) };
}

/** The keys of a watchGpus call, or InvalidRequestError. */
export function validateWatchArgs(args: unknown): string[] {
  return checkArgs('watchGpus', WatchGpusArgsSchema, args)[0];
}

function checkArgs<T>(method: string, schema: z.ZodType<T>, args: unknown): T {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new InvalidRequestError(`invalid arguments for ${method}${where}: ${issue?.message ?? 'rejected'}`);
  }
  return parsed.data;
}
