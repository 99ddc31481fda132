// Line ends other than LF (issue 22): a capture saved on Windows (CRLF) or with classic-Mac
// line ends (CR) is read in lenient mode with one warning, and stays an error in strict mode
// (promtool rejects it too).
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/main/core/exposition';

const LF = [
  '# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).',
  '# TYPE DCGM_FI_DEV_GPU_TEMP gauge',
  'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a",Hostname="h1"} 41',
  'DCGM_FI_DEV_GPU_TEMP{gpu="1",UUID="GPU-b",Hostname="h1"} 42',
  '',
].join('\n');

const samplesOf = (text: string, mode: 'strict' | 'lenient') => parseExposition(text, { mode }).families.flatMap((f) => f.samples.map((s) => [s.name, s.labels, s.value]));

describe('line ends', () => {
  it('lenient: CRLF gives the samples LF gives, with one warning naming the fix', () => {
    const crlf = LF.replace(/\n/g, '\r\n');
    const r = parseExposition(crlf, { mode: 'lenient' });
    expect(samplesOf(crlf, 'lenient')).toEqual(samplesOf(LF, 'lenient'));
    expect(r.ok).toBe(true);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 1, code: 'carriage-return', severity: 'warning' });
    expect(r.problems[0].message).toMatch(/CRLF.*promtool.*dos2unix/);
    // Labels and HELP text carry no stray \r.
    expect(r.families[0].help).toBe('GPU temperature (in C).');
  });

  it('lenient: lone CR line ends are read too; bytes input (Buffer) as well', () => {
    const cr = LF.replace(/\n/g, '\r');
    expect(samplesOf(cr, 'lenient')).toEqual(samplesOf(LF, 'lenient'));
    const r = parseExposition(Buffer.from(cr), { mode: 'lenient' });
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['carriage-return', 'warning']]);
    expect(r.problems[0].message).toContain('CR alone');
  });

  it('strict: CRLF stays an error, as promtool says (HELP text may hold a CR, so the TYPE line is the first)', () => {
    const r = parseExposition(LF.replace(/\n/g, '\r\n'), { mode: 'strict' });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ line: 2, code: 'carriage-return', severity: 'error' });
  });

  it('lenient: in an LF file a CR inside a label value stays content, and a later CRLF line is still read', () => {
    const r = parseExposition('a{l="x\ry"} 1\nb 2\r\nc 3\n', { mode: 'lenient' });
    expect(r.families.flatMap((f) => f.samples.map((s) => [s.name, s.labels, s.value]))).toEqual([
      ['a', { l: 'x\ry' }, 1],
      ['b', {}, 2],
      ['c', {}, 3],
    ]);
    expect(r.problems.map((p) => [p.line, p.code, p.severity])).toEqual([[2, 'carriage-return', 'warning']]);
  });

  it('lenient LF input has no line-end warning', () => {
    expect(parseExposition(LF, { mode: 'lenient' }).problems).toEqual([]);
  });
});
