// Chunked and file parsing must give exactly what whole-input parsing gives.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseExposition,
  parseExpositionFile,
  parseExpositionStream,
  type ExpositionFormat,
  type ParseOptions,
} from '../../src/main/core/exposition/index';
import { dcgmFleetText } from './fixtures';
import { SHARED } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-exposition-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > at && cut < bytes.length) {
      yield bytes.subarray(at, cut);
      at = cut;
    }
  }
  yield bytes.subarray(at);
}

const tricky = Buffer.concat([
  Buffer.from('# HELP m Heizölrückstoßabdämpfung in €, 😂 included\n# TYPE m gauge\nm{a="ü😂",b="x"} 1\nm{a="日本"} 2 1700000000000\n'),
  Buffer.from('m{a="'),
  Buffer.from([0xc3]), // a lone lead byte: invalid UTF-8
  Buffer.from('"} 3\nn 4\r\no{x="y"} 5'),
]);

const inputs: [string, Uint8Array, ExpositionFormat][] = [
  ...readdirSync(join(SHARED, 'bench-data')).map(
    (f) => [f, readFileSync(join(SHARED, 'bench-data', f)), f.endsWith('.om.txt') ? 'openmetrics' : 'prometheus'] as [string, Uint8Array, ExpositionFormat],
  ),
  ['multibyte, invalid UTF-8, CRLF and no final newline', tricky, 'prometheus'],
  ['BOM', Buffer.from('\ufeffa 1\n'), 'prometheus'],
  ['CRLF line ends', Buffer.from('# HELP a x\r\n# TYPE a gauge\r\na{l="v"} 1\r\nb 2\r\n'), 'prometheus'],
  ['lone CR line ends', Buffer.from('# TYPE a gauge\ra{l="v"} 1\rb 2\r'), 'prometheus'],
  ['LF lines, a CR inside a label value, then CRLF', Buffer.from('a{l="x\ry"} 1\nb 2\r\nc 3\n'), 'prometheus'],
];

describe('parseExpositionStream', () => {
  for (const [name, bytes, format] of inputs) {
    it(`${name}: any chunking gives the whole-input result`, async () => {
      for (const mode of ['strict', 'lenient'] as const) {
        const opts: ParseOptions = { format, mode };
        const whole = parseExposition(bytes, opts);
        await fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
            const streamed = await parseExpositionStream(chunked(bytes, cuts), { ...opts, format });
            expect(streamed).toEqual(whole);
          }),
          { numRuns: 25 },
        );
      }
    });
  }

  it('splits inside every multi-byte character without losing one', async () => {
    for (let cut = 1; cut < tricky.length; cut++) {
      const streamed = await parseExpositionStream(chunked(tricky, [cut]), { format: 'prometheus' });
      expect(streamed, `cut at ${cut}`).toEqual(parseExposition(tricky, { format: 'prometheus' }));
    }
  });
});

describe('parseExpositionFile', () => {
  const text = dcgmFleetText(64);

  it('parses a plain file like the text, reporting byte progress up to the size', async () => {
    const path = join(dir, 'fleet.prom');
    writeFileSync(path, text);
    const seen: [number, number][] = [];
    const r = await parseExpositionFile(path, { onProgress: (done, total) => seen.push([done, total]) });
    expect(r).toEqual(parseExposition(text));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual([Buffer.byteLength(text), Buffer.byteLength(text)]);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
  });

  it('inflates gzip content and detects OpenMetrics from its end', async () => {
    const om = readFileSync(join(SHARED, 'bench-data/dcgm-8gpu.om.txt'));
    const path = join(dir, 'scrape.om.gz');
    writeFileSync(path, gzipSync(om));
    const r = await parseExpositionFile(path);
    expect(r.format).toBe('openmetrics');
    expect(r).toEqual(parseExposition(om, { format: 'openmetrics' }));
  });

  it('streams a file too big to read whole, reporting invalid UTF-8 on its line and progress per chunk', async () => {
    // Over 16 MiB, with the bad byte in the last of many 1 MiB reads.
    const big = dcgmFleetText(1600);
    const bytes = Buffer.concat([Buffer.from(big), Buffer.from('bad{x="'), Buffer.from([0xff]), Buffer.from('"} 1\n')]);
    expect(bytes.length).toBeGreaterThan(16 << 20);
    const path = join(dir, 'bad.prom');
    writeFileSync(path, bytes);
    const progress: number[] = [];
    const r = await parseExpositionFile(path, { format: 'prometheus', onProgress: (done) => progress.push(done) });
    expect(r.problems).toEqual([
      { line: big.split('\n').length, column: 8, code: 'invalid-utf8', message: expect.any(String), severity: 'error' },
    ]);
    expect(r.families.reduce((n, f) => n + f.samples.length, 0)).toBe(1600 * 36 + 1);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('reads and decodes in pieces that split characters, with the result of the whole text', async () => {
    // Multi-byte label values throughout: piece (32 KiB) and read (1 MiB) boundaries fall
    // inside characters, which must be carried whole into the next piece.
    const values = ['GPU-Ünïcødé', '温度センサー', 'emoji-🚀🔥', 'x'];
    const lines: string[] = ['# TYPE gpu_temp gauge'];
    for (let i = 0; lines.length < 60000; i++) lines.push(`gpu_temp{gpu="${i}",name="${values[i % values.length]}-${i}"} ${i % 97}`);
    const bytes = Buffer.from(lines.join('\n') + '\n');
    let splitInside = 0;
    for (let at = 32 << 10; at < bytes.length; at += 32 << 10) if ((bytes[at] & 0xc0) === 0x80) splitInside++;
    expect(splitInside).toBeGreaterThan(2);
    expect(bytes.length).toBeGreaterThan(2 << 20);
    const path = join(dir, 'unicode.prom');
    writeFileSync(path, bytes);
    const r = await parseExpositionFile(path);
    expect(r.ok).toBe(true);
    expect(r).toEqual(parseExposition(bytes));
  });

  it('gives the whole-text result for empty, blank-only and "# EOF"-only files', async () => {
    for (const [name, text] of [['empty', ''], ['blank', '\n\n  \n\t'], ['eof', '# EOF'], ['bom-eof', '\ufeff# EOF\n']]) {
      const path = join(dir, `edge-${name}`);
      writeFileSync(path, text);
      expect(await parseExpositionFile(path), name).toEqual(parseExposition(Buffer.from(text)));
    }
  });

  it('finds "# EOF" behind any number of trailing blank lines, as the whole text would', async () => {
    const om = readFileSync(join(SHARED, 'bench-data/dcgm-8gpu.om.txt'), 'utf8');
    // More blank bytes than the 4 KiB the tail is read back in, and more than the 64 kept.
    const text = om.trimEnd() + '\n' + '\n \t\r'.repeat(3000);
    const path = join(dir, 'trailing-blanks.om.txt');
    writeFileSync(path, text);
    const r = await parseExpositionFile(path);
    expect(r.format).toBe('openmetrics');
    expect(r).toEqual(parseExposition(text));
  });

  it('finds "# EOF" in gzip content that starts a new inflated chunk after blank lines', async () => {
    // Inflated in 1 MiB chunks: the first ends with the line feed before "# EOF", so the tail
    // must keep blank bytes across chunks; then a whole chunk of blank lines follows.
    const head = '# TYPE g gauge\n';
    const line = (i: number) => `g{i="${i}"} 1\n`;
    let body = head;
    for (let i = 0; body.length < (1 << 20) - 100; i++) body += line(i);
    body += `g{i="pad",p="${'x'.repeat((1 << 20) - body.length - 'g{i="pad",p=""} 1\n'.length)}"} 1\n`;
    expect(body.length).toBe(1 << 20);
    const text = body + '# EOF\n' + '\n'.repeat(1 << 20);
    const path = join(dir, 'eof-at-chunk.om.gz');
    writeFileSync(path, gzipSync(text));
    const r = await parseExpositionFile(path);
    expect(r.format).toBe('openmetrics');
    expect(r).toEqual(parseExposition(text));
  });

  it('streams a big gzip file and gives the same result as reading it whole', async () => {
    const text = dcgmFleetText(1600);
    const path = join(dir, 'big.prom.gz');
    writeFileSync(path, gzipSync(text));
    const r = await parseExpositionFile(path);
    expect(r.format).toBe('prometheus');
    expect(r).toEqual(parseExposition(text));
  });
});
