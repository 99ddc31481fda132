// The one bytes -> families reader every source uses (scrape, probe, recorder, replay,
// inspector, snapshot): gzip, dmon or exposition, the format hint, and empty input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { currentFamilies, readFamilies, unusableReason } from '../../src/main/core/sources/read-families';

const dmon = readFileSync(path.resolve(__dirname, '../../../shared/kempnerpulse/dcgmi_dmon_2tick.txt'));
const text = Buffer.from('# TYPE DCGM_FI_DEV_GPU_TEMP gauge\nDCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 41\n# EOF\n');

describe('readFamilies', () => {
  it('reads exposition text, plain or gzipped, to the same families', () => {
    const plain = readFamilies(text);
    const zipped = readFamilies(gzipSync(text));
    expect(plain.kind).toBe('exposition');
    expect(zipped).toMatchObject({ kind: 'exposition', compressed: true, empty: false });
    expect(currentFamilies(zipped)).toEqual(currentFamilies(plain));
    expect(currentFamilies(plain).map((f) => f.name)).toEqual(['DCGM_FI_DEV_GPU_TEMP']);
  });

  it('reads a dmon capture, plain or gzipped, as ticks whose last one is the current state', () => {
    for (const input of [dmon, gzipSync(dmon)]) {
      const read = readFamilies(input);
      if (read.kind !== 'dmon') throw new Error(`read as ${read.kind}`);
      expect(read.ticks).toHaveLength(2);
      expect(currentFamilies(read)).toBe(read.ticks[1].families);
      expect(unusableReason(read)).toBeNull();
    }
  });

  it('reads a truncated gzip as a problem at 1:1, and still throws past the text-size cap', () => {
    const whole = gzipSync(Buffer.from('a 1\n'.repeat(1000)));
    const read = readFamilies(whole.subarray(0, whole.length - 8));
    expect(read.problems[0]).toMatchObject({ line: 1, column: 1, code: 'invalid-gzip', severity: 'error' });
    expect(() => readFamilies(whole, { maxTextBytes: 100 })).toThrow();
  });

  it('takes the format from the Content-Type, or from the hint over it', () => {
    expect(readFamilies(text, { contentType: 'application/openmetrics-text; version=1.0.0' })).toMatchObject({ format: 'openmetrics' });
    expect(readFamilies(text, { contentType: 'text/plain; version=0.0.4' })).toMatchObject({ format: 'prometheus' });
    expect(readFamilies(text)).toMatchObject({ format: 'openmetrics' }); // detected from `# EOF`
    expect(readFamilies(text, { contentType: 'text/plain; version=0.0.4', format: 'openmetrics' })).toMatchObject({ format: 'openmetrics' });
  });

  it('says when the input is empty, also when the gzip holds nothing, and why it cannot be used', () => {
    expect(readFamilies(Buffer.alloc(0))).toMatchObject({ empty: true });
    expect(readFamilies(gzipSync(Buffer.alloc(0)))).toMatchObject({ empty: true, compressed: true });
    expect(unusableReason(readFamilies(Buffer.alloc(0)))).toBe('no metric families');
    expect(unusableReason(readFamilies(Buffer.from('<html>hello</html>\n')))).toMatch(/^line 1, column \d+: /);
  });
});
