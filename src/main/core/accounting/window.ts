// The report window as the CLI and the API take it: `--start T --end T` (RFC 3339 or Unix
// seconds) or `--since 24h` (ending now).
import { parseDuration } from '../export/duration';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Unix ms of `2026-12-01T08:00:00Z` or `1796112000` (seconds, fractions allowed); throws what is wrong. */
export function parseReportTime(text: string, what: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(`${what} must be RFC 3339 (2026-12-01T08:00:00Z) or Unix seconds, got "${text}"`);
}

export interface ReportWindowInput {
  start?: string;
  end?: string;
  since?: string;
}

/** The window asked for, or null for "everything" (a file's whole span). Throws a usage message. */
export function reportWindow(input: ReportWindowInput, now: number): { startMs: number; endMs: number } | null {
  const { start, end, since } = input;
  if (since !== undefined && (start !== undefined || end !== undefined)) throw new Error('give either --since or --start and --end, not both');
  if (since !== undefined) {
    const ms = parseDuration(since, '--since');
    if (ms <= 0) throw new Error('--since must be positive');
    return { startMs: now - ms, endMs: now };
  }
  if ((start === undefined) !== (end === undefined)) throw new Error('--start and --end go together');
  if (start === undefined || end === undefined) return null;
  const startMs = parseReportTime(start, '--start');
  const endMs = parseReportTime(end, '--end');
  if (!(endMs > startMs)) throw new Error('--end must be after --start');
  return { startMs, endMs };
}
