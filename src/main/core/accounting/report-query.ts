// `GET /api/report?by=namespace&since=24h` (or `&start=T&end=T`, T RFC 3339 or Unix seconds;
// `&idle_below=0.05&price_per_gpu_hour=2.5&prometheus=<target id>`) -> the request the service
// takes. The same spellings as the CLI's flags; what is wrong is thrown as a message.
import type { WasteReportRequest } from '../../../shared/waste';
import { parseDuration } from '../export/duration';
import { parseReportTime } from './window';

const KNOWN = new Set(['by', 'since', 'start', 'end', 'idle_below', 'price_per_gpu_hour', 'prometheus', 'token']);

export function reportRequestFromQuery(params: URLSearchParams): WasteReportRequest {
  for (const key of params.keys()) if (!KNOWN.has(key)) throw new Error(`unknown parameter ${key}: use by, since, start, end, idle_below, price_per_gpu_hour, prometheus`);
  const req: WasteReportRequest = {};
  const by = params.get('by');
  if (by !== null) req.by = by as WasteReportRequest['by'];
  const since = params.get('since');
  if (since !== null) req.sinceMs = parseDuration(since, 'since');
  const start = params.get('start');
  const end = params.get('end');
  if (start !== null) req.startMs = parseReportTime(start, 'start');
  if (end !== null) req.endMs = parseReportTime(end, 'end');
  const idleBelow = params.get('idle_below');
  if (idleBelow !== null) req.idleBelow = Number(idleBelow);
  const price = params.get('price_per_gpu_hour');
  if (price !== null) req.pricePerGpuHour = Number(price);
  const prometheus = params.get('prometheus');
  if (prometheus !== null) req.prometheusTargetId = prometheus;
  return req;
}
