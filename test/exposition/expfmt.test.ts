// The Go reference parser's own test cases (prometheus/common expfmt text_parse_test.go).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition, type Family, type ParseOptions } from '../../src/main/core/exposition/index';
import { CONFORMANCE, jsonFloat } from './helpers';

const DIR = join(CONFORMANCE, 'expfmt-cases');
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as {
  good: { file: string; expected: string }[];
  bad: { file: string; errUTF8: string; errLegacy: string | null; parsesUnderUTF8: boolean; parsesUnderLegacy: boolean }[];
};

/** expfmt's error text (after "line N: ") mapped to the problem code that must name it. */
const ERROR_CLASSES: [string, string][] = [
  ['unexpected end of input stream', 'missing-final-newline'],
  ['invalid escape sequence', 'invalid-escape'],
  ['label value "new" contains unescaped new-line', 'unterminated-string'],
  ['metric name "metric" contains unescaped new-line', 'unterminated-string'],
  ['label name "new" contains unescaped new-line', 'unterminated-string'],
  ['invalid label name', 'invalid-label-name'],
  ['label name "__name__" is reserved', 'reserved-label-name'],
  ["expected '=' after label name", 'expected-equals'],
  ['expected \'"\' at start of label value', 'expected-quote'],
  ["expected float as value for 'quantile' label", 'invalid-quantile'],
  ["expected float as value for 'le' label", 'invalid-le'],
  ['unexpected end of label value', 'expected-label-separator'],
  ['unexpected end of metric name', 'expected-label-separator'],
  ['expected integer as timestamp', 'invalid-timestamp'],
  ['spurious string after timestamp', 'unexpected-text'],
  ['expected float as value', 'invalid-value'],
  ['second HELP line', 'duplicate-help'],
  ['second TYPE line', 'duplicate-type'],
  ['unknown metric type', 'unknown-type'],
  ['invalid metric name', 'invalid-metric-name'],
  ['invalid label value', 'invalid-utf8'],
  ['duplicate label names', 'duplicate-label'],
  ['multiple metric names', 'multiple-metric-names'],
  ['negative count', 'negative-value'],
  ['negative bucket population', 'negative-value'],
];

function expectedError(err: string): { line: number; code: string } {
  const m = /^text format parsing error in line (\d+): (.*)$/s.exec(err)!;
  const cls = ERROR_CLASSES.find(([prefix]) => m[2].startsWith(prefix));
  if (!cls) throw new Error(`no class for ${err}`);
  return { line: Number(m[1]), code: cls[1] };
}

type ExpectedMetric = Record<string, unknown>;

/**
 * Rebuilds expfmt's MetricFamily protos from our flat samples: summaries and histograms are
 * merged by label signature without quantile/le; the latest timestamp wins, as in expfmt.
 */
function toExpfmt(families: Family[]): unknown[] {
  return families.map((f) => {
    const out: Record<string, unknown> = { name: f.name };
    if (f.help !== null) out.help = f.help;
    out.type = f.type === 'gaugehistogram' ? 'GAUGE_HISTOGRAM' : f.type.toUpperCase();
    const metrics: ExpectedMetric[] = [];
    const bySignature = new Map<string, ExpectedMetric>();
    for (const s of f.samples) {
      const structured = f.type === 'summary' || f.type === 'histogram' || f.type === 'gaugehistogram';
      const special = f.type === 'summary' ? 'quantile' : 'le';
      const labels = Object.entries(s.labels)
        .filter(([k]) => !structured || k !== special)
        .map(([name, value]) => ({ name, value }));
      let m: ExpectedMetric;
      if (!structured) {
        m = {};
        if (labels.length) m.label = labels;
        m[f.type] = { value: jsonFloat(s.value) };
        metrics.push(m);
      } else {
        const sig = JSON.stringify([...labels].sort((a, b) => (a.name < b.name ? -1 : 1)));
        m = bySignature.get(sig)!;
        if (!m) {
          m = {};
          if (labels.length) m.label = labels;
          bySignature.set(sig, m);
          metrics.push(m);
        }
        const key = f.type === 'summary' ? 'summary' : 'histogram';
        const body = ((m[key] as Record<string, unknown>) ??= {});
        if (s.name === f.name + '_count') body.sampleCount = s.value;
        else if (s.name === f.name + '_sum') body.sampleSum = jsonFloat(s.value);
        else if (f.type === 'summary') ((body.quantile as unknown[]) ??= []).push({ quantile: Number(s.labels.quantile), value: jsonFloat(s.value) });
        else ((body.bucket as unknown[]) ??= []).push({ upperBound: jsonFloat(Number(s.labels.le.replace(/^\+?Inf$/i, 'Infinity'))), cumulativeCount: s.value });
      }
      if (s.timestampMs !== null) m.timestampMs = s.timestampMs;
    }
    out.metric = metrics;
    return out;
  });
}

/** The proto's integer/float split for histogram counts is representation, not content. */
function normalizeExpected(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalizeExpected);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      o[k === 'sampleCountFloat' ? 'sampleCount' : k === 'cumulativeCountFloat' ? 'cumulativeCount' : k] = normalizeExpected(x);
    }
    return o;
  }
  return v;
}

function byName(list: unknown[]): unknown[] {
  return [...list].sort((a, b) => ((a as { name: string }).name < (b as { name: string }).name ? -1 : 1));
}

describe('expfmt cases, strict 0.0.4', () => {
  const opts: ParseOptions = { format: 'prometheus', mode: 'strict' };

  it('has the 18 valid and 48 invalid inputs', () => {
    expect(cases.good.length).toBe(18);
    expect(cases.bad.length).toBe(48);
  });

  for (const c of cases.good) {
    it(`${c.file} parses to the expected families`, () => {
      const r = parseExposition(readFileSync(join(DIR, c.file)), opts);
      expect(r.problems).toEqual([]);
      const expected = JSON.parse(readFileSync(join(DIR, c.expected), 'utf8')) as unknown[];
      // The Go result is a map: family order carries no meaning.
      expect(byName(toExpfmt(r.families))).toEqual(byName(normalizeExpected(expected) as unknown[]));
    });
  }

  for (const names of ['utf8', 'legacy'] as const) {
    const relevant = cases.bad.filter((c) => (names === 'utf8' ? !c.parsesUnderUTF8 : !c.parsesUnderLegacy));
    it(`rejects ${relevant.length} invalid inputs under ${names} names, each on the Go parser's line`, () => {
      expect(relevant.length).toBe(names === 'utf8' ? 46 : 48);
      let right = 0;
      for (const c of relevant) {
        const err = names === 'legacy' && c.errLegacy ? c.errLegacy : c.errUTF8;
        const want = expectedError(err);
        const r = parseExposition(readFileSync(join(DIR, c.file)), { ...opts, names });
        const first = r.problems.find((p) => p.severity === 'error');
        expect(r.ok, c.file).toBe(false);
        expect({ file: c.file, line: first?.line, code: first?.code }).toEqual({ file: c.file, ...want });
        right++;
      }
      expect(right).toBe(relevant.length);
    });
  }

  it('accepts the two legacy-only failures under UTF-8 names', () => {
    for (const c of cases.bad.filter((x) => x.parsesUnderUTF8)) {
      const r = parseExposition(readFileSync(join(DIR, c.file)), { ...opts, names: 'utf8' });
      expect(r.problems, c.file).toEqual([]);
    }
  });
});

describe('validation only (keepSamples: false, as gpu-pulse lint parses)', () => {
  const inputs = [...cases.good.map((c) => c.file), ...cases.bad.map((c) => c.file)];
  for (const mode of ['strict', 'lenient'] as const) {
    for (const names of ['utf8', 'legacy'] as const) {
      it(`reports exactly the problems of a full parse for all ${inputs.length} cases (${mode}, ${names} names)`, () => {
        let differing = 0;
        for (const file of inputs) {
          const bytes = readFileSync(join(DIR, file));
          const opts: ParseOptions = { format: 'prometheus', mode, names };
          const full = parseExposition(bytes, opts);
          const lean = parseExposition(bytes, { ...opts, keepSamples: false });
          expect(lean.problems, file).toEqual(full.problems);
          expect(lean.ok, file).toBe(full.ok);
          // Same families, only without their samples.
          expect(lean.families.map((f) => ({ ...f, samples: [] })), file).toEqual(full.families.map((f) => ({ ...f, samples: [] })));
          expect(lean.families.every((f) => f.samples.length === 0), file).toBe(true);
          if (full.problems.length > 0) differing++;
        }
        // The comparison covers inputs with problems, not only clean ones.
        expect(differing).toBeGreaterThanOrEqual(46);
      });
    }
  }
});
