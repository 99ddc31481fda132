// Bytes from anywhere (a scrape, a file, stdin, a recording) -> metric families, the one way
// every reader does it: gunzip by magic bytes, then a `dcgmi dmon` capture or exposition text
// (OpenMetrics or 0.0.4, from the Content-Type when there is one, else detected), parsed
// leniently. So a gzipped dmon capture reads the same in the inspector, in replay and in
// `gpu-pulse snapshot`, and an empty body means the same thing everywhere.
import { gunzipSync } from 'node:zlib';
import { formatFromContentType, parseExposition } from '../exposition';
import { decodeUtf8, isGzip } from '../exposition/input';
import type { ExpositionFormat, Family, Problem } from '../exposition/types';
import { looksLikeDmonCapture, parseDmonCapture, type DmonTick } from './dmon';

/** Why an empty body is no cause for alarm yet, and what to do if it lasts. */
export const EMPTY_BODY_REMEDY =
  'dcgm-exporter answers an empty body for a few seconds while it reloads its configuration; try again, and if it lasts, check the exporter';

export interface ReadHints {
  /** An HTTP answer's Content-Type: chooses OpenMetrics or text 0.0.4. */
  contentType?: string | null;
  /** The format the input must be in (a recording is OpenMetrics); overrides contentType. */
  format?: ExpositionFormat;
  /** Most bytes gunzip may produce; beyond it gunzip throws (Node's ERR_BUFFER_TOO_LARGE). */
  maxTextBytes?: number;
  /** Parsing progress of exposition text (characters done, total). */
  onProgress?: (done: number, total: number) => void;
}

interface ReadCommon {
  /** The input was gzip. */
  compressed: boolean;
  /** The text's bytes (decompressed). */
  bytes: Uint8Array;
  /** Nothing to read: an empty file or body (EMPTY_BODY_REMEDY says why a body can be). */
  empty: boolean;
  problems: Problem[];
}

export type FamiliesRead =
  | (ReadCommon & { kind: 'exposition'; format: ExpositionFormat; families: Family[] })
  | (ReadCommon & { kind: 'dmon'; ticks: DmonTick[] });

/** How far into the text the dmon header may be looked for (it is the first non-blank line). */
const DMON_SNIFF_BYTES = 4096;

/** What the input is, decided before any parsing: the scrape path parses exposition its own bounded way (fleet/scrape-limits). */
export interface OpenedInput {
  kind: 'exposition' | 'dmon';
  compressed: boolean;
  bytes: Uint8Array;
  empty: boolean;
  /** The exposition format the hints choose; undefined: detect it from the text. */
  format: ExpositionFormat | undefined;
}

export function openInput(input: Uint8Array, hints: ReadHints = {}): OpenedInput {
  const compressed = isGzip(input);
  const bytes = compressed ? inflate(input, hints.maxTextBytes) : input;
  const kind = looksLikeDmonCapture(decodeUtf8(bytes.subarray(0, DMON_SNIFF_BYTES)).text) ? 'dmon' : 'exposition';
  const format = hints.format ?? (hints.contentType === undefined ? undefined : formatFromContentType(hints.contentType));
  return { kind, compressed, bytes, empty: bytes.length === 0, format };
}

/**
 * A gzip input's text. More text than `maxTextBytes` is the caller's limit to report (it throws);
 * data that does not inflate is passed on as it is, so the parser names it (invalid-gzip at 1:1)
 * like any other bad input instead of an exception ending the read.
 */
function inflate(input: Uint8Array, maxTextBytes: number | undefined): Uint8Array {
  try {
    return gunzipSync(input, maxTextBytes === undefined ? {} : { maxOutputLength: maxTextBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw err;
    return input;
  }
}

export function readFamilies(input: Uint8Array, hints: ReadHints = {}): FamiliesRead {
  const { kind, compressed, bytes, empty, format } = openInput(input, hints);
  if (kind === 'dmon') {
    const capture = parseDmonCapture(decodeUtf8(bytes).text);
    return { kind, compressed, bytes, empty, ticks: capture.ticks, problems: capture.problems };
  }
  const parsed = parseExposition(bytes, { format, mode: 'lenient', onProgress: hints.onProgress });
  return { kind, compressed, bytes, empty, format: parsed.format, families: parsed.families, problems: parsed.problems };
}

/**
 * The families that describe the source now: all of an exposition, the last tick of a dmon
 * capture. A capture has no timestamps, so rates between its ticks would rest on a guessed
 * interval: only the last tick is read, and its rates stay unknown.
 */
export function currentFamilies(read: FamiliesRead): Family[] {
  return read.kind === 'dmon' ? (read.ticks.at(-1)?.families ?? []) : read.families;
}

/** Why the input cannot be used as a live source's data: its first error, or no families; null when it can. */
export function unusableReason(read: FamiliesRead): string | null {
  return unusableParse(read.problems, currentFamilies(read));
}

/** unusableReason for a parse done elsewhere (the scrape path's bounded parse). */
export function unusableParse(problems: Problem[], families: Family[]): string | null {
  const error = problems.find((p) => p.severity === 'error');
  if (error) return `line ${error.line}, column ${error.column}: ${error.message}`;
  return families.length === 0 ? 'no metric families' : null;
}
