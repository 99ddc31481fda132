// Loads a recording for replay: the OpenMetrics file a RecordingWriter made (gzipped or not),
// or a `dcgmi dmon` capture, as frames — the families one source served at one moment.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Family, Problem } from '../exposition/types';
import type { DmonTick } from '../sources/dmon';
import { readFamilies } from '../sources/read-families';
import { SOURCE_LABEL } from './recording-format';

export interface RecordingFrame {
  timestampMs: number;
  /** The recorded target (host:port), or null when the file does not say. */
  source: string | null;
  /** What the source served at that moment, with the recording's own label removed. */
  families: Family[];
}

export interface Recording {
  kind: 'openmetrics' | 'dmon';
  /** Frames in time order (ties keep source order). */
  frames: RecordingFrame[];
  sources: Array<string | null>;
  startMs: number;
  endMs: number;
  problems: Problem[];
}

export class RecordingReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingReadError';
  }
}

export interface ReadRecordingOptions {
  /** Time between the ticks of a dmon capture, which has no timestamps (`dcgmi dmon -d`, default 1000 ms). */
  dmonIntervalMs?: number;
  /** Where a dmon capture's last tick is placed; default: the file's modification time. */
  dmonEndMs?: number;
}

export async function readRecording(path: string, opts: ReadRecordingOptions = {}): Promise<Recording> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new RecordingReadError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const read = readFamilies(bytes, { format: 'openmetrics' });
  if (read.kind === 'dmon') {
    const endMs = opts.dmonEndMs ?? (await stat(path)).mtimeMs;
    return dmonRecording(read.ticks, read.problems, basename(path), opts.dmonIntervalMs ?? 1000, Math.round(endMs));
  }
  return recordingOf(read.families, read.problems, path);
}

/** Frames of OpenMetrics recording bytes (or text). */
export function parseRecording(input: string | Uint8Array, name = 'recording'): Recording {
  const read = readFamilies(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, { format: 'openmetrics' });
  if (read.kind === 'dmon') throw new RecordingReadError(`${name} is a dmon capture, not an OpenMetrics recording`);
  return recordingOf(read.families, read.problems, name);
}

function recordingOf(families: Family[], parseProblems: Problem[], name: string): Recording {
  const error = parseProblems.find((p) => p.severity === 'error');
  if (error) throw new RecordingReadError(`${name} is not an OpenMetrics recording: line ${error.line}, column ${error.column}: ${error.message}`);
  const frames = new Map<string, RecordingFrame & { byFamily: Map<string, Family> }>();
  let untimed = 0;
  for (const family of families) {
    for (const sample of family.samples) {
      if (sample.timestampMs === null) {
        untimed++;
        continue;
      }
      const { [SOURCE_LABEL]: source = null, ...labels } = sample.labels;
      const key = `${sample.timestampMs}\u0000${source ?? ''}`;
      let frame = frames.get(key);
      if (!frame) frames.set(key, (frame = { timestampMs: sample.timestampMs, source, families: [], byFamily: new Map() }));
      let target = frame.byFamily.get(family.name);
      if (!target) {
        target = { name: family.name, type: family.type, help: family.help, unit: family.unit, samples: [] };
        frame.byFamily.set(family.name, target);
        frame.families.push(target);
      }
      target.samples.push({ ...sample, labels });
    }
  }
  if (frames.size === 0) {
    throw new RecordingReadError(
      untimed > 0 ? `${name} has samples but no timestamps: it is a snapshot, not a recording; open it as a file instead` : `${name} holds no samples`,
    );
  }
  const list = [...frames.values()].map(({ byFamily: _unused, ...frame }) => frame).sort((a, b) => a.timestampMs - b.timestampMs);
  const problems = parseProblems.slice();
  if (untimed > 0) problems.push({ line: 0, column: 0, code: 'recording-untimed-samples', message: `${untimed} samples without a timestamp were skipped`, severity: 'warning' });
  return finishRecording('openmetrics', list, problems);
}

function dmonRecording(ticks: DmonTick[], problems: Problem[], name: string, intervalMs: number, endMs: number): Recording {
  if (ticks.length === 0) throw new RecordingReadError(`${name} is a dmon capture without any complete tick`);
  const startMs = endMs - (ticks.length - 1) * intervalMs;
  const frames = ticks.map((tick, i) => ({ timestampMs: startMs + i * intervalMs, source: name, families: tick.families }));
  return finishRecording('dmon', frames, problems);
}

function finishRecording(kind: Recording['kind'], frames: RecordingFrame[], problems: Problem[]): Recording {
  const sources = [...new Set(frames.map((f) => f.source))];
  return { kind, frames, sources, startMs: frames[0].timestampMs, endMs: frames[frames.length - 1].timestampMs, problems };
}
