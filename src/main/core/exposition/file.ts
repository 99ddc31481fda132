// Files of any size are streamed in chunks, so a 200 MB exposition is never held as a whole
// buffer plus a whole string plus a line array. Each chunk is decoded, its complete lines
// parsed, and the unfinished last line carried into the next chunk.
//
// Streaming is also the fast way to read a file of a few megabytes. Reading it whole put its
// bytes in a fresh buffer and its text in a fresh string, and touching fresh memory for the
// first time costs a page fault per 4 KiB: 40 to 50 ms for the 5.6 MB fleet file on the
// benchmark machine, a third of what `gpu-pulse lint` spends on it after Node starts. Plain
// files are read into one reused buffer and decoded in small pieces whose strings V8 places in
// its young generation, whose pages are reused from one piece to the next.

import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ExpositionFormat, ParseOptions, ParseResult, Problem } from './types';
import { BOM, decodeUtf8, isGzip } from './input';
import { bomProblem, createParser, finishResult, invalidUtf8Problem, positionOf } from './parse';
import { detectFormat } from './detect';

/** Bytes per read: few enough reads to keep their round trips cheap, memory still flat. */
const CHUNK_BYTES = 1 << 20;
/**
 * Bytes decoded into one string. Up to about 32 KiB the string is an ordinary young-generation
 * object; from 128 KiB it goes to V8's large-object space, fresh memory each time. Checking
 * the 5.6 MB fleet file in a fresh process took (medians of 7) 119 ms with 16 KiB pieces, 126
 * with 32 KiB, 145 with 64 KiB, 178 with 256 KiB, and 140 read whole.
 */
const DECODE_BYTES = 32 << 10;
/** Enough of the end of the input to find a final `# EOF` line. */
const TAIL_BYTES = 64;

const lossyDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * UTF-8 decoding across chunk boundaries that still reports where invalid input is: a
 * multi-byte character split by a boundary is held back for the next chunk.
 */
class Utf8ChunkDecoder {
  private pending: Uint8Array = new Uint8Array(0);

  /** Text of the complete characters, and the offset in it of the first invalid sequence. */
  decode(chunk: Uint8Array, final: boolean): { text: string; invalidAt: number } {
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
    }
    const cut = final ? bytes.length : completeLength(bytes);
    this.pending = bytes.slice(cut);
    return decodeUtf8(bytes.subarray(0, cut));
  }
}

/** Length of `b` without a trailing incomplete UTF-8 sequence (at most 3 bytes). */
function completeLength(b: Uint8Array): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back];
    if (c < 0x80) return n; // ASCII: nothing pending
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return back < need ? n - back : n;
    }
  }
  return n;
}

/** Bytes of a file of chunks; `read()` tells how much of the file itself was read. */
interface FileBytes {
  chunks: AsyncIterable<Uint8Array>;
  read: () => number;
}

/** A gzip file's inflated content (the file is opened by the stream, once per pass). */
function gzipFileBytes(path: string): FileBytes {
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const source = raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES }));
  raw.on('error', (err) => source.destroy(err));
  return { chunks: source as AsyncIterable<Uint8Array>, read: () => raw.bytesRead };
}

/**
 * A plain file in chunks read into one buffer (a read stream allocates a fresh one per
 * read). Each chunk is a view of that buffer, valid until the consumer asks for the next.
 */
function plainFileBytes(fh: FileHandle): FileBytes {
  let read = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const buf = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, read);
      if (bytesRead === 0) return;
      read += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }
  return { chunks: chunks(), read: () => read };
}

/** Bytes `detectFormat` treats as blank at the end of the input. */
function isBlankByte(b: number): boolean {
  return b === 10 || b === 13 || b === 32 || b === 9;
}

/** Index of the last byte that is not blank, or -1. */
function lastContent(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  while (i >= 0 && isBlankByte(bytes[i]!)) i--;
  return i;
}

/**
 * For `detectFormat`: the last TAIL_BYTES of the content up to its last byte that is not
 * blank, so any number of trailing blank lines gives the answer the whole text would. A plain
 * file is read back from its end, past blank bytes.
 */
async function plainTail(fh: FileHandle, size: number): Promise<Uint8Array> {
  const window = new Uint8Array(Math.min(size, 4096));
  let last = -1;
  for (let end = size; end > 0 && last === -1; ) {
    const start = Math.max(0, end - window.length);
    const { bytesRead } = await fh.read(window, 0, end - start, start);
    const i = lastContent(window.subarray(0, bytesRead));
    if (i !== -1) last = start + i;
    end = start;
  }
  const from = Math.max(0, last + 1 - TAIL_BYTES);
  const tail = new Uint8Array(last + 1 - from);
  const { bytesRead } = await fh.read(tail, 0, tail.length, from);
  return tail.subarray(0, bytesRead);
}

/** The end of a gzip stream is only known after inflating it: one extra pass, still streaming. */
async function gzipTail(path: string): Promise<Uint8Array> {
  let tail: Uint8Array = new Uint8Array(0);
  // Blank bytes after the tail's last content byte: part of the tail if more content follows.
  let blanks: Uint8Array = new Uint8Array(0);
  for await (const chunk of gzipFileBytes(path).chunks) {
    const i = lastContent(chunk);
    if (i === -1) {
      blanks = concatTail(blanks, chunk);
    } else {
      tail = concatTail(concatTail(tail, blanks), chunk.subarray(0, i + 1));
      blanks = concatTail(new Uint8Array(0), chunk.subarray(i + 1));
    }
  }
  return tail;
}

/** The last TAIL_BYTES of a followed by b. */
function concatTail(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all.slice(Math.max(0, all.length - TAIL_BYTES));
}

/**
 * Parses a stream of byte chunks split anywhere (inside lines, inside UTF-8 characters) with
 * working memory of about one chunk plus the unfinished line. A chunk may be a view of a
 * buffer the source reuses: it is decoded before the next one is asked for.
 */
export async function parseExpositionStream(
  chunks: AsyncIterable<Uint8Array>,
  opts: ParseOptions & { format: ExpositionFormat },
): Promise<ParseResult> {
  const { format, onProgress: _progress, ...parserOpts } = opts;
  const parser = createParser(format, parserOpts);
  const extra: Problem[] = [];
  const decoder = new Utf8ChunkDecoder();
  let carry = '';
  let first = true;
  const feed = (text: string, invalidAt: number, final: boolean) => {
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === BOM) {
        extra.push(bomProblem(format, opts));
        text = text.slice(1);
        if (invalidAt > 0) invalidAt--;
      }
    }
    const combined = carry.length > 0 ? carry + text : text;
    if (invalidAt !== -1 && !extra.some((p) => p.code === 'invalid-utf8')) {
      const at = positionOf(combined, carry.length + invalidAt, parser.linesParsed() + 1);
      extra.push(invalidUtf8Problem(at.line, at.column));
    }
    const rest = parser.feed(combined, final);
    carry = rest < combined.length ? combined.slice(rest) : '';
  };
  for await (const chunk of chunks) {
    for (let off = 0; off < chunk.length; off += DECODE_BYTES) {
      const { text, invalidAt } = decoder.decode(chunk.subarray(off, off + DECODE_BYTES), false);
      feed(text, invalidAt, false);
    }
  }
  const last = decoder.decode(new Uint8Array(0), true);
  feed(last.text, last.invalidAt, true);
  return finishResult(format, parser, extra);
}

/**
 * Parses a file of any size with bounded working memory (a few chunks); gzip content (by its
 * magic bytes, e.g. `.gz`) is inflated on the fly. Progress is reported in file bytes read.
 */
export async function parseExpositionFile(path: string, opts: ParseOptions = {}): Promise<ParseResult> {
  // One handle for the size, the magic bytes, the tail and the content of a plain file.
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = new Uint8Array(2);
    const gzip = isGzip(head.subarray(0, (await fh.read(head, 0, 2, 0)).bytesRead));
    const format: ExpositionFormat =
      opts.format === undefined || opts.format === 'auto'
        ? detectFormat(lossyDecoder.decode(gzip ? await gzipTail(path) : await plainTail(fh, size)))
        : opts.format;
    const input = gzip ? gzipFileBytes(path) : plainFileBytes(fh);
    const onProgress = opts.onProgress;
    async function* withProgress(): AsyncGenerator<Uint8Array> {
      for await (const chunk of input.chunks) {
        yield chunk;
        onProgress?.(Math.min(input.read(), size), size);
      }
    }
    const result = await parseExpositionStream(withProgress(), { ...opts, format });
    onProgress?.(size, size);
    return result;
  } finally {
    await fh.close();
  }
}
