// Writes a recording incrementally and finishes it as one OpenMetrics file.
//
// OpenMetrics wants each family in one piece, each Metric's points together and in time
// order, and `# EOF` last; a recording grows one scrape at a time, interleaving all of them.
// (promtool 2.42 happens to import interleaved families, but it refuses a file without
// `# EOF`, and the strict parsers refuse the interleaving.) So while recording, each family's
// sample lines are appended to their own segment file in `<out>.parts/` and flushed to disk
// after every scrape round: a crash loses at most the round in flight, and
// `finishInterruptedRecording` turns what is left into the final file. Closing stitches the
// segments family by family (memory bounded by the largest family, not the recording) into a
// temporary file, optionally gzipped, ends it with `# EOF` and renames it over `out`.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Family } from '../exposition/types';
import { SOURCE_LABEL, familyHeader, metricKey, sampleLine, toRecordedFamilies, type RecordedFamily } from './recording-format';

export interface RecordedScrape {
  /** The scrape target (host:port), written as the gpu_pulse_source label; null for none. */
  source: string | null;
  /** When the scrape finished: every sample of it gets this timestamp. */
  timestampMs: number;
  families: Family[];
}

export interface RecordingSummary {
  path: string;
  gzip: boolean;
  scrapes: number;
  samples: number;
  families: number;
  firstMs: number | null;
  lastMs: number | null;
  bytes: number;
}

interface FamilyMeta {
  i: number;
  name: string;
  type: RecordedFamily['type'];
  help: string | null;
  unit: string | null;
}

interface PartsState {
  gzip: boolean;
  scrapes: number;
  samples: number;
  firstMs: number | null;
  lastMs: number | null;
}

export function partsDirFor(out: string): string {
  return `${out}.parts`;
}

export function wantsGzip(out: string): boolean {
  return out.endsWith('.gz');
}

export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

/** Open segment files: more than this many families and the least recently used are closed. */
const MAX_OPEN_SEGMENTS = 256;

export class RecordingWriter {
  private readonly families = new Map<string, FamilyMeta>();
  private readonly handles = new Map<number, FileHandle>();
  private readonly dirty = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private familiesDirty = false;
  private readonly state: PartsState;

  private constructor(
    readonly out: string,
    private readonly parts: string,
    gzip: boolean,
  ) {
    this.state = { gzip, scrapes: 0, samples: 0, firstMs: null, lastMs: null };
  }

  /** Starts a recording to `out` (gzipped when it ends in `.gz` unless `gzip` says otherwise). */
  static async create(out: string, opts: { gzip?: boolean } = {}): Promise<RecordingWriter> {
    const parts = partsDirFor(out);
    if (existsSync(parts)) {
      throw new RecordingError(`${parts} holds an interrupted recording of ${out}; finish it first (gpu-pulse record --recover ${out}) or remove it`);
    }
    if (!existsSync(dirname(out))) throw new RecordingError(`cannot record to ${out}: the folder ${dirname(out)} does not exist`);
    await mkdir(parts);
    const writer = new RecordingWriter(out, parts, opts.gzip ?? wantsGzip(out));
    await writer.saveState();
    return writer;
  }

  get scrapes(): number {
    return this.state.scrapes;
  }

  /** Appends one scrape. Calls are serialised; scrapes of one source must come in time order. */
  append(scrape: RecordedScrape): Promise<void> {
    return this.enqueue(() => this.write(scrape));
  }

  /** Flushes every segment written since the last sync to disk, and the counters with them. */
  sync(): Promise<void> {
    return this.enqueue(async () => {
      for (const i of this.dirty) await this.handles.get(i)?.datasync();
      this.dirty.clear();
      if (this.familiesDirty) {
        const index = await open(join(this.parts, 'families.jsonl'), 'a');
        await index.datasync();
        await index.close();
        this.familiesDirty = false;
      }
      await this.saveState();
    });
  }

  /** Finishes the file: stitched, `# EOF`, renamed into place; the segments are removed. */
  async close(): Promise<RecordingSummary> {
    await this.enqueue(async () => {
      this.closed = true;
      await this.closeHandles();
      await this.saveState();
    });
    return stitch(this.out, this.parts);
  }

  /** Stops without producing a file, removing the segments. */
  async abort(): Promise<void> {
    await this.enqueue(async () => {
      this.closed = true;
      await this.closeHandles();
    });
    await rm(this.parts, { recursive: true, force: true });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(scrape: RecordedScrape): Promise<void> {
    if (this.closed) throw new RecordingError('the recording is closed');
    const chunks = new Map<number, string>();
    let samples = 0;
    for (const family of scrape.families) {
      for (const recorded of toRecordedFamilies(family)) {
        const meta = await this.familyMeta(recorded);
        const seen = new Set<string>();
        let text = chunks.get(meta.i) ?? '';
        for (const sample of recorded.samples) {
          const labels = scrape.source === null ? sample.labels : { ...sample.labels, [SOURCE_LABEL]: scrape.source };
          const line = sampleLine({ ...sample, labels }, scrape.timestampMs);
          const series = line.slice(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1));
          // An exporter repeating a series within one scrape would give one point two values.
          if (seen.has(series)) continue;
          seen.add(series);
          const key = metricKey(labels);
          text += `${key.length}:${key}${line}`;
          samples++;
        }
        chunks.set(meta.i, text);
      }
    }
    for (const [i, text] of chunks) {
      if (text === '') continue;
      const handle = await this.handle(i);
      await handle.appendFile(text);
      this.dirty.add(i);
    }
    this.state.scrapes++;
    this.state.samples += samples;
    this.state.firstMs = this.state.firstMs === null ? scrape.timestampMs : Math.min(this.state.firstMs, scrape.timestampMs);
    this.state.lastMs = this.state.lastMs === null ? scrape.timestampMs : Math.max(this.state.lastMs, scrape.timestampMs);
  }

  private async familyMeta(recorded: RecordedFamily): Promise<FamilyMeta> {
    let meta = this.families.get(recorded.name);
    if (!meta) {
      meta = { i: this.families.size, name: recorded.name, type: recorded.type, help: recorded.help, unit: recorded.unit };
      this.families.set(recorded.name, meta);
      // Appended (never rewritten), so an interrupted recording still knows every family it has lines for.
      await appendFile(join(this.parts, 'families.jsonl'), `${JSON.stringify(meta)}\n`);
      this.familiesDirty = true;
    }
    return meta;
  }

  private async handle(i: number): Promise<FileHandle> {
    let handle = this.handles.get(i);
    if (handle) {
      // Most recently used last, so the first entry is the one to close when over the cap.
      this.handles.delete(i);
      this.handles.set(i, handle);
      return handle;
    }
    if (this.handles.size >= MAX_OPEN_SEGMENTS) {
      const [oldest, oldHandle] = this.handles.entries().next().value as [number, FileHandle];
      if (this.dirty.delete(oldest)) await oldHandle.datasync();
      await oldHandle.close();
      this.handles.delete(oldest);
    }
    handle = await open(join(this.parts, `${i}.seg`), 'a');
    this.handles.set(i, handle);
    return handle;
  }

  private async closeHandles(): Promise<void> {
    for (const [i, handle] of this.handles) {
      if (this.dirty.has(i)) await handle.datasync();
      await handle.close();
    }
    this.handles.clear();
    this.dirty.clear();
  }

  private async saveState(): Promise<void> {
    const file = join(this.parts, 'state.json');
    await writeFile(`${file}.tmp`, JSON.stringify(this.state));
    await rename(`${file}.tmp`, file);
  }
}

async function readFamilies(parts: string): Promise<FamilyMeta[]> {
  let text = '';
  try {
    text = await readFile(join(parts, 'families.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const families: FamilyMeta[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      families.push(JSON.parse(line) as FamilyMeta);
    } catch {
      // the last line of an interrupted write
    }
  }
  return families;
}

/** The complete sample lines of one segment, grouped by Metric in order of first appearance. */
async function segmentLines(file: string): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return groups;
  }
  const end = text.lastIndexOf('\n');
  // Anything after the last newline is a line cut short by a crash.
  let pos = 0;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const colon = text.indexOf(':', pos);
    const keyLength = Number(text.slice(pos, colon));
    if (colon < 0 || colon > nl || !Number.isInteger(keyLength) || colon + 1 + keyLength > nl) break;
    const key = text.slice(colon + 1, colon + 1 + keyLength);
    const line = text.slice(colon + 1 + keyLength, nl + 1);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(line);
    pos = nl + 1;
  }
  return groups;
}

async function stitch(out: string, parts: string): Promise<RecordingSummary> {
  let state: PartsState;
  try {
    state = JSON.parse(await readFile(join(parts, 'state.json'), 'utf8')) as PartsState;
  } catch {
    state = { gzip: wantsGzip(out), scrapes: 0, samples: 0, firstMs: null, lastMs: null };
  }
  const families = await readFamilies(parts);
  const temp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
  const file = createWriteStream(temp);
  const gzip = state.gzip ? createGzip() : null;
  if (gzip) gzip.pipe(file);
  const sink = gzip ?? file;
  const write = async (text: string) => {
    if (!sink.write(text)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  };
  let written = 0;
  let samples = 0;
  try {
    for (const family of families) {
      const groups = await segmentLines(join(parts, `${family.i}.seg`));
      if (groups.size === 0) continue;
      await write(familyHeader(family));
      written++;
      for (const lines of groups.values()) {
        samples += lines.length;
        await write(lines.join(''));
      }
    }
    await write('# EOF\n');
    sink.end();
    await finished(file);
    const handle = await open(temp, 'r');
    await handle.sync();
    await handle.close();
    await rename(temp, out);
  } catch (err) {
    file.destroy();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await rm(parts, { recursive: true, force: true });
  const { size } = await stat(out);
  return { path: out, gzip: state.gzip, scrapes: state.scrapes, samples, families: written, firstMs: state.firstMs, lastMs: state.lastMs, bytes: size };
}

/** Turns the segments an interrupted recording left in `<out>.parts` into the finished `out`. */
export async function finishInterruptedRecording(out: string): Promise<RecordingSummary> {
  const parts = partsDirFor(out);
  if (!existsSync(parts)) throw new RecordingError(`no interrupted recording of ${out} (${parts} does not exist)`);
  return stitch(out, parts);
}
