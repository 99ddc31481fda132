// Real expositions: dcgm-exporter captures and the benchmark inputs, each in its own format.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition, type ExpositionFormat } from '../../src/main/core/exposition/index';
import { SHARED, sampleCount } from './helpers';

const BENCH = join(SHARED, 'bench-data');
const DCGM = join(SHARED, 'dcgm-exporter-samples');

/** Saved files carry their format in the name: `.om.txt` is OpenMetrics, the rest 0.0.4. */
function formatOf(file: string): ExpositionFormat {
  return file.endsWith('.om.txt') ? 'openmetrics' : 'prometheus';
}

/** Sample lines as a plain line count: neither comments nor blank lines. */
function sampleLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length;
}

describe('real expositions', () => {
  const files = [
    ...readdirSync(DCGM).filter((f) => f.endsWith('.prom')).map((f) => join(DCGM, f)),
    ...readdirSync(BENCH).map((f) => join(BENCH, f)),
  ];

  it('covers the dcgm-exporter captures and every benchmark input', () => {
    expect(files.length).toBe(11);
  });

  for (const path of files) {
    const name = path.slice(SHARED.length + 1);
    it(`${name} parses strictly, or leniently with the reason as a warning`, () => {
      const text = readFileSync(path, 'utf8');
      const format = formatOf(path);
      const strict = parseExposition(text, { format });
      if (name.endsWith('alltypes.5mfs.om.txt')) {
        // client_golang's output: a histogram with negative buckets and a _sum, which
        // OpenMetrics forbids and Prometheus ingests anyway.
        expect(strict.ok).toBe(false);
        const lenient = parseExposition(text, { format, mode: 'lenient' });
        expect(lenient.ok).toBe(true);
        expect(lenient.problems.every((p) => p.severity === 'warning')).toBe(true);
        expect(lenient.problems.map((p) => p.code)).toContain('histogram-structure');
        expect(lenient.problems.find((p) => p.code === 'histogram-structure')!.message).toMatch(/negative buckets and a _sum/);
        expect(sampleCount(lenient.families)).toBe(sampleLines(text));
        return;
      }
      expect(strict.problems).toEqual([]);
      expect(strict.format).toBe(format);
      const expectedSamples = sampleLines(text);
      expect(sampleCount(strict.families)).toBe(expectedSamples);
    });
  }

  it('rejects dcgm-exporter output as OpenMetrics, naming the counter without _total', () => {
    const text = readFileSync(join(DCGM, 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom'), 'utf8') + '# EOF\n';
    const r = parseExposition(text, { format: 'openmetrics' });
    expect(r.ok).toBe(false);
    const clash = r.problems.find((p) => p.code === 'clashing-name')!;
    expect(clash.message).toContain('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
    expect(clash.message).toContain('_total');
  });
});
