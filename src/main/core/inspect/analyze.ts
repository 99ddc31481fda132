// Everything the inspector learns from one file, computed in the worker: read (gunzip by magic
// bytes), parse leniently (what Prometheus would ingest, with the problems it tolerates), fold
// the series into the compact store, index line offsets for the source view, and run the same
// dcgm pipeline as live targets for the GPU cards.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { InspectionFamily, InspectionInfo, InspectionPhase, InspectionProblem } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { compareGpuOrder } from '../../../shared/gpu-order';
import type { Family, Problem } from '../exposition';
import { decodeUtf8 } from '../exposition/input';
import { createDcgmPipeline, explainNoGpus } from '../dcgm';
import { currentFamilies, readFamilies, type FamiliesRead } from '../sources/read-families';
import { compactFamilies, type CompactSeries } from './series-store';
import { buildLineIndex, type LineIndex } from './source-lines';

/** V8 cannot hold a longer string (about 2^29 characters), and the parser needs the whole text. */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;
/** Cards and comparison rows beyond this many GPUs are not kept (memory and payload bound). */
export const MAX_LISTED_GPUS = 1000;
/** The parser stops listing at 100 per file; the dmon reader and the pipeline do not. */
export const MAX_LISTED_PROBLEMS = 500;

export interface AnalyzeInput {
  path: string;
  sourceId: string;
  /** Node name for series without a hostname label: the file name. */
  fallbackNode: string;
  observedAt: number;
}

export interface Analysis {
  format: NonNullable<InspectionInfo['format']>;
  families: InspectionFamily[];
  sampleCount: number;
  problems: InspectionProblem[];
  gpus: GpuSnapshot[];
  gpuTotal: number;
  series: CompactSeries;
  /** Byte offsets of every LINE_INDEX_STRIDE-th line of the file; null when it is compressed. */
  lineIndex: LineIndex | null;
}

export class AnalyzeError extends Error {}

/**
 * Shares of the bar per step, from their times on a 100 MB dcgm-style file (466k series, 42k
 * GPUs): read 0.2 s, parse 1.8 s, index 3.4 s, GPU pipeline 3.1 s. The pipeline is one call, so
 * its share fills at once when it returns; the phase label says what is happening meanwhile.
 */
const STEPS: Record<Exclude<InspectionPhase, 'uploading'>, [from: number, to: number]> = {
  reading: [0, 0.03],
  parsing: [0.03, 0.25],
  indexing: [0.25, 0.62],
  computing: [0.62, 1],
};

export type ProgressListener = (phase: InspectionPhase, fraction: number) => void;

export function analyzeFile(input: AnalyzeInput, onProgress: ProgressListener = () => {}): Analysis {
  const step = (phase: keyof typeof STEPS, done: number, total: number) => {
    const [from, to] = STEPS[phase];
    onProgress(phase, from + (to - from) * (total > 0 ? Math.min(1, done / total) : 0));
  };
  const raw = readWholeFile(input.path, (done, total) => step('reading', done, total));
  step('parsing', 0, 1);
  const read = readCapped(raw, (done, total) => step('parsing', done, total));
  const format: Analysis['format'] = read.kind === 'dmon' ? 'dmon' : read.format;
  const families = read.kind === 'dmon' ? mergeTicks(read.ticks.map((t) => t.families)) : read.families;
  const problems: Problem[] = read.problems;

  step('indexing', 0, 1);
  const { series, seriesCounts } = compactFamilies(families, (done, total) => step('indexing', done, total));
  const lineIndex = read.compressed ? null : buildLineIndex(raw);

  step('computing', 0, 1);
  // The GPU cards show what `gpu-pulse snapshot` shows: a dmon capture's last tick.
  const gpuFamilies = currentFamilies(read);
  const ingest = createDcgmPipeline().ingest(gpuFamilies, { sourceId: input.sourceId, fallbackNode: input.fallbackNode, observedAt: input.observedAt });
  const noGpus = explainNoGpus({ families: gpuFamilies, problems, gpuCount: ingest.gpus.length, text: () => decodeUtf8(read.bytes).text });
  if (noGpus) ingest.problems.push(noGpus);
  step('computing', 1, 1);

  return {
    format,
    families: families.map((f, i) => ({ name: f.name, type: f.type, help: f.help, unit: f.unit, seriesCount: seriesCounts[i] })),
    sampleCount: series.line.length,
    problems: listProblems(problems.concat(ingest.problems)),
    gpus: listGpus(ingest.gpus),
    gpuTotal: ingest.gpus.length,
    series,
    lineIndex,
  };
}

function readWholeFile(path: string, onProgress: (done: number, total: number) => void): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new AnalyzeError(`cannot open ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_TEXT_BYTES) throw tooLarge(size);
    const buf = Buffer.allocUnsafe(size);
    const CHUNK = 4 << 20;
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buf, done, Math.min(CHUNK, size - done), done);
      if (n === 0) break; // the file shrank while being read
      done += n;
      onProgress(done, size);
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** readFamilies with gunzip capped at what the parser can hold, its failures as AnalyzeErrors. */
function readCapped(raw: Buffer, onProgress: (done: number, total: number) => void): FamiliesRead {
  try {
    return readFamilies(raw, { maxTextBytes: MAX_TEXT_BYTES, onProgress });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw tooLarge(null);
    if (e.code?.startsWith('Z_')) throw new AnalyzeError(`the file starts like gzip but does not decompress (${e.message}); check that it was copied completely`);
    throw err;
  }
}

function tooLarge(size: number | null): AnalyzeError {
  const what = size === null ? 'decompresses to more than' : `is ${(size / 2 ** 20).toFixed(0)} MiB, more than`;
  return new AnalyzeError(`the file ${what} ${MAX_TEXT_BYTES / 2 ** 20} MiB of text, the most the inspector reads at once; split it (e.g. with \`split -l\`) and open the parts`);
}

/** dmon ticks repeat the same metrics: one family per name holding every tick's samples. */
function mergeTicks(ticks: Family[][]): Family[] {
  const byName = new Map<string, Family>();
  for (const tick of ticks) {
    for (const f of tick) {
      const known = byName.get(f.name);
      if (known) known.samples.push(...f.samples);
      else byName.set(f.name, { ...f, samples: [...f.samples] });
    }
  }
  return [...byName.values()];
}

function listProblems(problems: Problem[]): InspectionProblem[] {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  if (sorted.length <= MAX_LISTED_PROBLEMS) return sorted;
  const kept = sorted.slice(0, MAX_LISTED_PROBLEMS);
  const last = kept[kept.length - 1];
  kept.push({ line: last.line, column: last.column, code: 'too-many-problems', message: `${sorted.length - MAX_LISTED_PROBLEMS} more problems are not listed`, severity: last.severity });
  return kept;
}

const HEALTH_RANK = { CRIT: 0, HOT: 1, WARN: 2, OK: 3 } as const;

/** In node and index order; when there are too many, the unhealthy ones are kept first. */
function listGpus(gpus: GpuSnapshot[]): GpuSnapshot[] {
  if (gpus.length <= MAX_LISTED_GPUS) return [...gpus].sort(compareGpuOrder);
  const byConcern = [...gpus].sort((a, b) => HEALTH_RANK[a.health.state] - HEALTH_RANK[b.health.state] || compareGpuOrder(a, b));
  return byConcern.slice(0, MAX_LISTED_GPUS).sort(compareGpuOrder);
}
