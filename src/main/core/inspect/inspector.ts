// The file inspector: exposition files the user opened (File > Open, drop, argv, open-with,
// serve-mode uploads). Each file is parsed in its own worker thread; main keeps only the
// summary (InspectionInfo) and the compact series store, and re-reads source lines from disk.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type {
  InspectionComparison,
  InspectionInfo,
  InspectionPhase,
  InspectionSeriesPage,
  InspectionSeriesRequest,
  InspectionSource,
  InspectionSourceRequest,
} from '../../../shared/api';
import type { Analysis } from './analyze';
import { compareGpus } from './compare';
import { SeriesStore } from './series-store';
import { readLinesAround, type LineIndex } from './source-lines';
import { saveUpload, safeFileName, type SavedUpload } from './upload';
import { runAnalysis, type RunningAnalysis } from './worker-host';

export interface InspectorOptions {
  /** Called whenever an inspection's progress or status changes. */
  onChange(info: InspectionInfo): void;
}

/** Older finished files are closed past this many, so memory stays bounded in a long session. */
export const MAX_OPEN_INSPECTIONS = 20;
/** Share of an upload's progress bar taken by the transfer itself (the parse takes the rest). */
const UPLOAD_SHARE = 0.25;

interface Entry {
  info: InspectionInfo;
  /** The file on disk (a temp copy for uploads); empty while an upload is still arriving. */
  path: string;
  upload: SavedUpload | null;
  running: RunningAnalysis | null;
  store: SeriesStore | null;
  lineIndex: LineIndex | null;
  closed: boolean;
  /** Last progress published, to publish about once per percent. */
  published: { progress: number; phase: InspectionPhase | undefined };
}

let nextSeq = 0;
const newId = () => `f${(nextSeq++).toString(36)}${randomBytes(4).toString('hex')}`;

export class Inspector {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly opts: InspectorOptions) {}

  async inspectPath(path: string): Promise<InspectionInfo> {
    const absolute = resolve(path);
    let size: number;
    try {
      const s = await stat(absolute);
      if (!s.isFile()) throw new Error(`${absolute} is not a file`);
      size = s.size;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code ? `cannot open ${absolute}: ${code === 'ENOENT' ? 'no such file' : code}` : (err as Error).message);
    }
    const entry = this.add(basename(absolute), size, 'reading');
    entry.path = absolute;
    this.analyze(entry, 0);
    return this.snapshot(entry);
  }

  /** serve mode: a file dropped in the browser, streamed in; answers once it is saved and parsing. */
  async inspectStream(name: string, body: AsyncIterable<Uint8Array>, sizeBytes: number | null): Promise<InspectionInfo> {
    const entry = this.add(safeFileName(name), sizeBytes ?? 0, 'uploading');
    try {
      entry.upload = await saveUpload(name, body, (received) => {
        if (sizeBytes) this.progress(entry, 'uploading', UPLOAD_SHARE * Math.min(1, received / sizeBytes));
      });
    } catch (err) {
      this.fail(entry, `the upload did not complete: ${(err as Error).message}`);
      throw err;
    }
    if (entry.closed) {
      await entry.upload.remove();
      throw new Error(`${entry.info.name} was closed while it uploaded`);
    }
    entry.path = entry.upload.path;
    entry.info.sizeBytes = entry.upload.sizeBytes;
    this.analyze(entry, UPLOAD_SHARE);
    return this.snapshot(entry);
  }

  /** Newest first. */
  list(): InspectionInfo[] {
    return [...this.entries.values()].reverse().map((e) => this.snapshot(e));
  }

  get(id: string): InspectionInfo {
    return this.snapshot(this.entry(id));
  }

  series(id: string, req: InspectionSeriesRequest): InspectionSeriesPage {
    const entry = this.entry(id);
    return entry.store ? entry.store.page(req) : { total: 0, rows: [] };
  }

  async source(id: string, req: InspectionSourceRequest): Promise<InspectionSource> {
    const entry = this.entry(id);
    if (entry.info.status === 'parsing') throw new Error(`${entry.info.name} is still being read; its source is available when the parse is done`);
    if (!entry.path) throw new Error(`${entry.info.name} was not received completely, so it has no source to show`);
    return readLinesAround(entry.path, req, entry.lineIndex, entry.lineIndex === null);
  }

  compare(a: string, b: string): InspectionComparison {
    const [ea, eb] = [this.entry(a), this.entry(b)];
    for (const e of [ea, eb]) if (e.info.status !== 'done') throw new Error(`${e.info.name} is not parsed yet (${e.info.status}); compare it when it is done`);
    return { a, b, rows: compareGpus(ea.info.gpus, eb.info.gpus) };
  }

  /** Where an open file's bytes are on disk (a temp copy for uploads), e.g. to replay it. */
  filePath(id: string): string {
    const entry = this.entry(id);
    if (!entry.path || entry.info.status === 'parsing') throw new Error(`${entry.info.name} is still being read; try again when it has opened`);
    return entry.path;
  }

  close(id: string): void {
    const entry = this.entries.get(id);
    if (entry) void this.closeEntry(entry);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.closeEntry(e)));
  }

  // ---- internals ----

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no open file with id ${id}; it was closed or the app restarted, so open it again`);
    return entry;
  }

  private add(name: string, sizeBytes: number, phase: InspectionPhase): Entry {
    this.evictOldest();
    const info: InspectionInfo = {
      id: newId(),
      name,
      sizeBytes,
      status: 'parsing',
      progress: 0,
      phase,
      format: null,
      families: [],
      sampleCount: 0,
      problems: [],
      gpus: [],
      error: null,
      openedAt: Date.now(),
    };
    const entry: Entry = { info, path: '', upload: null, running: null, store: null, lineIndex: null, closed: false, published: { progress: 0, phase } };
    this.entries.set(info.id, entry);
    this.publish(entry);
    return entry;
  }

  private async closeEntry(entry: Entry): Promise<void> {
    entry.closed = true;
    this.entries.delete(entry.info.id);
    entry.running?.terminate();
    await entry.upload?.remove();
  }

  private evictOldest(): void {
    if (this.entries.size < MAX_OPEN_INSPECTIONS) return;
    const finished = [...this.entries.values()].find((e) => e.info.status !== 'parsing');
    if (finished) void this.closeEntry(finished);
  }

  private analyze(entry: Entry, base: number): void {
    entry.info.phase = 'reading';
    const running = runAnalysis({ path: entry.path, sourceId: entry.info.id, fallbackNode: entry.info.name, observedAt: Date.now() }, (phase, progress) =>
      this.progress(entry, phase, base + (1 - base) * progress),
    );
    entry.running = running;
    running.result.then(
      (analysis) => this.finish(entry, analysis),
      (err: Error) => this.fail(entry, err.message),
    );
  }

  private progress(entry: Entry, phase: InspectionPhase, progress: number): void {
    if (entry.closed || entry.info.status !== 'parsing') return;
    entry.info.progress = progress;
    entry.info.phase = phase;
    const last = entry.published;
    if (phase === last.phase && progress - last.progress < 0.01) return;
    this.publish(entry);
  }

  private finish(entry: Entry, analysis: Analysis): void {
    entry.running = null;
    if (entry.closed) return;
    entry.store = new SeriesStore(analysis.series);
    entry.lineIndex = analysis.lineIndex;
    Object.assign(entry.info, {
      status: 'done',
      progress: 1,
      phase: undefined,
      format: analysis.format,
      families: analysis.families,
      sampleCount: analysis.sampleCount,
      problems: analysis.problems,
      gpus: analysis.gpus,
      gpuTotal: analysis.gpuTotal,
    } satisfies Partial<InspectionInfo>);
    this.publish(entry);
  }

  private fail(entry: Entry, message: string): void {
    entry.running = null;
    if (entry.closed) return;
    Object.assign(entry.info, { status: 'failed', phase: undefined, error: message } satisfies Partial<InspectionInfo>);
    this.publish(entry);
  }

  private publish(entry: Entry): void {
    entry.published = { progress: entry.info.progress, phase: entry.info.phase };
    this.opts.onChange(this.snapshot(entry));
  }

  /** A copy, so a caller holding an earlier answer does not see it change under it. */
  private snapshot(entry: Entry): InspectionInfo {
    const info = { ...entry.info };
    if (info.phase === undefined) delete info.phase;
    return info;
  }
}
