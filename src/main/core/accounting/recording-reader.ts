// Accounting over recordings (`gpu-pulse record` output, OpenMetrics with timestamps, gzipped
// or not): the recording reader's frames, each through the same translate and formula as a
// live scrape. Several files merge into one time line.
import { basename } from 'node:path';
import { DEFAULT_WEIGHTS, type Weights } from '../compute';
import { readRecording, type RecordingFrame } from '../export/recording-reader';
import type { Accountant } from './accountant';
import { samplesFromFamilies } from './from-families';

export interface RecordingFeedResult {
  frames: number;
  firstMs: number | null;
  lastMs: number | null;
}

export async function feedRecordings(paths: string[], accountant: Accountant, weights: Weights = DEFAULT_WEIGHTS): Promise<RecordingFeedResult> {
  const frames: Array<RecordingFrame & { fallbackNode: string }> = [];
  for (const path of paths) {
    const recording = await readRecording(path);
    for (const frame of recording.frames) frames.push({ ...frame, fallbackNode: frame.source ?? basename(path) });
  }
  // Stable: frames of one moment keep their file order.
  frames.sort((a, b) => a.timestampMs - b.timestampMs);
  for (const frame of frames) {
    for (const { gpu, sample } of samplesFromFamilies(frame.families, frame.fallbackNode, frame.timestampMs, weights)) accountant.add(gpu, sample);
  }
  return { frames: frames.length, firstMs: frames[0]?.timestampMs ?? null, lastMs: frames.at(-1)?.timestampMs ?? null };
}
