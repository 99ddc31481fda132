// Bounds on what one scraped body may cost, like Prometheus' `sample_limit`: a target serving
// far more than a GPU node does (a misconfigured exporter, or a hostile one) becomes
// `too-large` and costs no more than counting its lines. The body is parsed in slices of whole
// lines with a turn of the event loop between them, so other targets' scrapes, timers and API
// answers never wait behind one large body.
import type { ExpositionFormat, ParseResult } from '../exposition';
import { createParser, finishResult, inputText, withoutBom } from '../exposition/parse';
import type { Family } from '../exposition/types';
import { isDcgmMetricName } from '../dcgm/aliases';
import { readSeriesLabels, SeriesLabels } from '../dcgm/labels';
import type { IngestOutcome } from './scrape-target';

/** A dcgm-exporter node serves a few thousand samples (8 GPUs × ~60 fields, plus MIG). */
export const DEFAULT_SAMPLE_LIMIT = 50_000;
/** An 8-GPU node fully split into MIG instances is 8 + 56 entities. */
export const DEFAULT_GPU_LIMIT = 256;
/** About 5 ms of parsing: the longest the event loop waits behind one body. */
const SLICE_CHARS = 1 << 20;

export type BoundedParse = { ok: true; result: ParseResult } | { ok: false; outcome: Extract<IngestOutcome, { ok: false }> };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function parseScrapeBody(body: Uint8Array, opts: { format: ExpositionFormat; sampleLimit?: number; gpuLimit?: number }): Promise<BoundedParse> {
  const sampleLimit = opts.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
  const gpuLimit = opts.gpuLimit ?? DEFAULT_GPU_LIMIT;
  const decoded = inputText(body);
  const extra = decoded.problems;
  const parser = createParser(opts.format, { format: opts.format, mode: 'lenient' });
  const text = withoutBom(decoded.text, opts.format, { mode: 'lenient' }, extra);
  let samples = 0;
  let pos = 0;
  while (pos < text.length) {
    const end = sliceEnd(text, pos);
    // Counted before parsing: a slice that would go over the limit is never parsed.
    samples += countSampleLines(text, pos, end);
    if (samples > sampleLimit) {
      samples += await countRemainingSamples(text, end);
      return { ok: false, outcome: tooLarge(`${samples.toLocaleString('en-US')} samples in one scrape, over this target's limit of ${sampleLimit.toLocaleString('en-US')}`) };
    }
    parser.feed(text.slice(pos, end), end >= text.length);
    pos = end;
    if (pos < text.length) await yieldToEventLoop();
  }
  const result = finishResult(opts.format, parser, extra);
  const gpus = countGpus(result.families);
  if (gpus > gpuLimit) {
    return { ok: false, outcome: tooLarge(`${gpus.toLocaleString('en-US')} GPUs in one scrape, over this target's limit of ${gpuLimit.toLocaleString('en-US')}`) };
  }
  return { ok: true, result };
}

function tooLarge(message: string): Extract<IngestOutcome, { ok: false }> {
  return {
    ok: false,
    state: 'too-large',
    message,
    remedy: 'point the target at one dcgm-exporter (one node); a larger source belongs behind a Prometheus server, added as a Prometheus source with a selector',
  };
}

/** End of the slice starting at `pos`: after the last line feed within SLICE_CHARS (or the end). */
function sliceEnd(text: string, pos: number): number {
  if (text.length - pos <= SLICE_CHARS) return text.length;
  const nl = text.lastIndexOf('\n', pos + SLICE_CHARS);
  if (nl >= pos) return nl + 1;
  // One line longer than a slice: take it whole.
  const next = text.indexOf('\n', pos + SLICE_CHARS);
  return next === -1 ? text.length : next + 1;
}

/** Lines in text[start, end) that hold a sample: not blank and not a `#` comment or metadata. */
function countSampleLines(text: string, start: number, end: number): number {
  let count = 0;
  let pos = start;
  while (pos < end) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1 || nl > end) nl = end;
    let p = pos;
    while (p < nl && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    if (p < nl && text.charCodeAt(p) !== 35 /* # */ && !(p === nl - 1 && text.charCodeAt(p) === 13)) count++;
    pos = nl + 1;
  }
  return count;
}

/** The rest of an over-limit body, counted (not parsed) in slices, for the figure in the message. */
async function countRemainingSamples(text: string, from: number): Promise<number> {
  let count = 0;
  for (let pos = from; pos < text.length; ) {
    const end = sliceEnd(text, pos);
    count += countSampleLines(text, pos, end);
    pos = end;
    if (pos < text.length) await yieldToEventLoop();
  }
  return count;
}

/**
 * Distinct GPUs and MIG instances the samples name, read with the DCGM layer's own label reader
 * and name test (so 1.x lowercase names and NvSwitch/CPU series count as translation counts them).
 */
function countGpus(families: Family[]): number {
  const seen = new Set<string>();
  const series = new SeriesLabels();
  for (const family of families) {
    if (!isDcgmMetricName(family.name)) continue;
    for (const { labels } of family.samples) {
      readSeriesLabels(labels, series);
      const id = series.uuid ?? series.gpuIndex;
      if (id === undefined || series.entity !== undefined) continue;
      seen.add(`${series.node ?? series.target ?? ''}\u0000${id}\u0000${series.migInstanceId ?? ''}`);
    }
  }
  return seen.size;
}
