// The source view: lines around a line number, read again from the file on disk (uploads are
// kept in a temp file) so no copy of a large text stays in memory. A sparse index of line
// offsets built during the parse makes a plain file's read start near the line; a gzip file is
// decompressed from its start as a stream (without blocking main).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { InspectionSource, InspectionSourceRequest } from '../../../shared/api';

export const LINE_INDEX_STRIDE = 1024;
/** Longer lines are cut for display; the parser's column still points into the full line. */
export const MAX_SHOWN_LINE_CHARS = 4000;

export interface LineIndex {
  stride: number;
  /** offsets[k] is the byte offset where line k * stride + 1 starts. */
  offsets: Float64Array;
}

export function buildLineIndex(bytes: Uint8Array, stride = LINE_INDEX_STRIDE): LineIndex {
  const offsets: number[] = [0];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let line = 1;
  for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, nl + 1)) {
    line++;
    if ((line - 1) % stride === 0) offsets.push(nl + 1);
  }
  return { stride, offsets: Float64Array.from(offsets) };
}

/** Collects lines first..last from a byte stream that starts at line `startLine`. */
class LineCollector {
  readonly lines: string[] = [];
  private current: Buffer[] = [];
  private currentBytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    private line: number,
    private readonly first: number,
    private readonly last: number,
  ) {}

  get done(): boolean {
    return this.line > this.last;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.done) {
      const nl = chunk.indexOf(10, pos);
      const end = nl === -1 ? chunk.length : nl;
      if (this.line >= this.first && this.currentBytes < MAX_SHOWN_LINE_CHARS * 4) {
        // A copy: the caller reuses its read buffer.
        this.current.push(Buffer.from(chunk.subarray(pos, end)));
        this.currentBytes += end - pos;
      }
      if (nl === -1) return;
      this.endLine();
      pos = nl + 1;
    }
  }

  /** At end of input: a last line without a line feed still counts. */
  finish(): void {
    if (!this.done && this.line >= this.first && this.currentBytes > 0) this.endLine();
  }

  private endLine(): void {
    if (this.line >= this.first) {
      let text = this.decoder.decode(Buffer.concat(this.current)).replace(/\r$/, '');
      if (text.length > MAX_SHOWN_LINE_CHARS) text = `${text.slice(0, MAX_SHOWN_LINE_CHARS)}…`;
      this.lines.push(text);
    }
    this.current = [];
    this.currentBytes = 0;
    this.line++;
  }
}

export async function readLinesAround(path: string, req: InspectionSourceRequest, index: LineIndex | null, compressed: boolean): Promise<InspectionSource> {
  const first = Math.max(1, req.line - req.context);
  const last = req.line + req.context;
  if (compressed) return readGzipLines(path, first, last);
  const block = index ? Math.min(Math.floor((first - 1) / index.stride), index.offsets.length - 1) : 0;
  const startLine = index ? block * index.stride + 1 : 1;
  const collector = new LineCollector(startLine, first, last);
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let position = index ? index.offsets[block] : 0;
    while (!collector.done) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead === 0) break;
      collector.push(buf.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  collector.finish();
  return { firstLine: first, lines: collector.lines };
}

async function readGzipLines(path: string, first: number, last: number): Promise<InspectionSource> {
  const collector = new LineCollector(1, first, last);
  const stream = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of stream) {
      collector.push(chunk as Buffer);
      if (collector.done) break;
    }
  } finally {
    stream.destroy();
  }
  collector.finish();
  return { firstLine: first, lines: collector.lines };
}
