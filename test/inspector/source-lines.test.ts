// The source view reads lines back from disk: through the sparse offset index for plain files,
// by streaming gunzip for compressed ones; the answer matches the file's own lines either way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLineIndex, MAX_SHOWN_LINE_CHARS, readLinesAround } from '../../src/main/core/inspect/source-lines';
import { tempDir } from './support';

const tmp = tempDir();
afterAll(() => tmp.remove());

const lines = Array.from({ length: 103 }, (_, i) => `metric_${i + 1}{n="é${i + 1}"} ${i + 1}`);
const text = lines.join('\n'); // no final line feed: the last line still counts
const plain = join(tmp.dir, 'plain.prom');
const gz = join(tmp.dir, 'plain.prom.gz');
writeFileSync(plain, text);
writeFileSync(gz, gzipSync(text));

describe('readLinesAround', () => {
  it('indexes every stride-th line start in bytes (multi-byte characters included)', () => {
    const index = buildLineIndex(Buffer.from(text), 10);
    expect(index.offsets.length).toBe(11);
    const at = index.offsets[3]!;
    expect(Buffer.from(text).subarray(at, at + 10).toString()).toBe('metric_31{');
  });

  for (const stride of [1, 4, 10, 1024]) {
    it(`gives the same lines as the file for every position (index stride ${stride})`, async () => {
      const index = buildLineIndex(Buffer.from(text), stride);
      for (const line of [1, 2, 9, 10, 11, 50, 101, 102, 103]) {
        const got = await readLinesAround(plain, { line, context: 3 }, index, false);
        const first = Math.max(1, line - 3);
        expect(got.firstLine).toBe(first);
        expect(got.lines).toEqual(lines.slice(first - 1, line + 3));
      }
    });
  }

  it('reads a gzip file by decompressing it as a stream', async () => {
    const got = await readLinesAround(gz, { line: 60, context: 2 }, null, true);
    expect(got).toEqual({ firstLine: 58, lines: lines.slice(57, 62) });
  });

  it('answers fewer lines (or none) past the end of the file', async () => {
    expect((await readLinesAround(plain, { line: 103, context: 5 }, null, false)).lines).toEqual(lines.slice(97));
    expect(await readLinesAround(plain, { line: 500, context: 1 }, buildLineIndex(Buffer.from(text), 4), false)).toEqual({ firstLine: 499, lines: [] });
  });

  it('drops carriage returns and cuts very long lines for display', async () => {
    const crlf = join(tmp.dir, 'crlf.prom');
    writeFileSync(crlf, `a 1\r\n${'x'.repeat(MAX_SHOWN_LINE_CHARS + 50)} 2\r\nc 3\r\n`);
    const got = await readLinesAround(crlf, { line: 2, context: 1 }, null, false);
    expect(got.lines[0]).toBe('a 1');
    expect(got.lines[1]).toHaveLength(MAX_SHOWN_LINE_CHARS + 1);
    expect(got.lines[1]!.endsWith('…')).toBe(true);
    expect(got.lines[2]).toBe('c 3');
  });
});
