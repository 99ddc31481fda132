import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/main/core/exposition/index';

const DCGM = join(__dirname, '../../../shared/dcgm-exporter-samples');

describe('0.0.4 parsing', () => {
  it('parses families, labels, values and timestamps in input order', () => {
    const r = parseExposition(
      '# HELP g A gauge.\n# TYPE g gauge\ng{gpu="0",UUID="GPU-1"} 1.5\ng{gpu="1",UUID="GPU-2"} 2 1700000000000\nc_total 3\n',
      { format: 'prometheus' },
    );
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.families.map((f) => [f.name, f.type, f.help])).toEqual([
      ['g', 'gauge', 'A gauge.'],
      ['c_total', 'untyped', null],
    ]);
    expect(r.families[0].samples.map((s) => [s.labels, s.value, s.timestampMs, s.line])).toEqual([
      [{ gpu: '0', UUID: 'GPU-1' }, 1.5, null, 3],
      [{ gpu: '1', UUID: 'GPU-2' }, 2, 1700000000000, 4],
    ]);
  });

  it('keeps the text of values float64 cannot hold', () => {
    const r = parseExposition('c 18446744073709551615\n', { format: 'prometheus' });
    expect(r.families[0].samples[0].valueText).toBe('18446744073709551615');
    expect(r.families[0].samples[0].value).toBe(18446744073709551615);
  });

  it('reports the line and column of a bad value', () => {
    const r = parseExposition('a 1\nb{x="y"} 0x1\n', { format: 'prometheus' });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ line: 2, column: 10, code: 'invalid-value', severity: 'error' });
  });

  it('rejects a missing final line feed strictly and warns about it leniently', () => {
    expect(parseExposition('a 1', { format: 'prometheus' }).problems[0].code).toBe('missing-final-newline');
    const lenient = parseExposition('a 1', { format: 'prometheus', mode: 'lenient' });
    expect(lenient.ok).toBe(true);
    expect(lenient.problems[0]).toMatchObject({ code: 'missing-final-newline', severity: 'warning' });
    expect(lenient.families[0].samples[0].value).toBe(1);
  });

  it('detects gzip by its magic bytes', () => {
    const r = parseExposition(gzipSync(Buffer.from('a{b="c"} 7\n')));
    expect(r.families[0].samples[0]).toMatchObject({ name: 'a', labels: { b: 'c' }, value: 7 });
  });

  it('rejects invalid UTF-8 with its position instead of repairing it', () => {
    const bytes = Buffer.concat([Buffer.from('a 1\nmetric{l="'), Buffer.from([0xbd]), Buffer.from('"} 3.14\n')]);
    const r = parseExposition(bytes);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ line: 2, column: 11, code: 'invalid-utf8' });
  });

  it('reports a byte order mark', () => {
    const bytes = Buffer.from('\ufeffa 1\n');
    expect(parseExposition(bytes).problems[0]).toMatchObject({ line: 1, code: 'bom', severity: 'error' });
    const lenient = parseExposition(bytes, { mode: 'lenient' });
    expect(lenient.ok).toBe(true);
    expect(lenient.families[0].name).toBe('a');
  });

  it('names CRLF line ends as the problem', () => {
    const r = parseExposition('a 1\r\n', { format: 'prometheus' });
    expect(r.problems[0]).toMatchObject({ line: 1, column: 4, code: 'carriage-return' });
  });

  it('parses every dcgm-exporter capture strictly as 0.0.4', () => {
    const files = readdirSync(DCGM).filter((f) => f.endsWith('.prom'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = readFileSync(join(DCGM, f), 'utf8');
      const r = parseExposition(text, { format: 'prometheus' });
      expect(r.problems, f).toEqual([]);
      const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(r.families.reduce((n, fam) => n + fam.samples.length, 0), f).toBe(lines.length);
      for (const fam of r.families) {
        for (const s of fam.samples) expect(s.labels.UUID ?? s.labels.uuid ?? s.labels.gpu, `${f} ${s.name}`).toBeDefined();
      }
    }
  });
});
