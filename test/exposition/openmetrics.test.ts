// The OpenMetrics conformance suite, client_python's parse of its valid cases as a content
// oracle, and the extra client_python cases.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, type Family } from '../../src/main/core/exposition/index';
import { CONFORMANCE, jsonFloat } from './helpers';

const SUITE = join(CONFORMANCE, 'openmetrics-suite/tests/testdata/parsers');
const PYTHON = join(CONFORMANCE, 'openmetrics-suite-python-results');
const EXTRA = join(CONFORMANCE, 'openmetrics-suite-extra/parsers');

interface Case {
  name: string;
  input: Buffer;
  shouldParse: boolean;
}

function loadCases(dir: string): Case[] {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const t = JSON.parse(readFileSync(join(dir, name, 'test.json'), 'utf8')) as { file: string; shouldParse: boolean };
      return { name, input: readFileSync(join(dir, name, t.file)), shouldParse: t.shouldParse };
    });
}

type PyTimestamp = { sec: number; nsec: number } | number | null;

/** client_python's Timestamp(sec, nsec) or float seconds, in milliseconds. */
function pyMs(ts: PyTimestamp): number | null {
  if (ts === null) return null;
  if (typeof ts === 'number') return ts * 1000;
  return ts.sec * 1000 + ts.nsec / 1e6;
}

/** Our families in the Python oracle's shape (help/unit '' when absent, seconds as ms). */
function toPython(families: Family[]): unknown[] {
  return families.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help ?? '',
    unit: f.unit ?? '',
    samples: f.samples.map((s) => ({
      name: s.name,
      labels: s.labels,
      value: jsonFloat(s.value),
      timestamp: s.timestampMs,
      exemplar: s.exemplar && { labels: s.exemplar.labels, value: jsonFloat(s.exemplar.value), timestamp: s.exemplar.timestampMs },
    })),
  }));
}

function pythonExpected(name: string): unknown[] {
  const raw = JSON.parse(readFileSync(join(PYTHON, `${name}.json`), 'utf8')) as {
    samples: { timestamp: PyTimestamp; exemplar: { timestamp: PyTimestamp } | null }[];
  }[];
  for (const f of raw) {
    for (const s of f.samples) {
      s.timestamp = pyMs(s.timestamp);
      if (s.exemplar) s.exemplar.timestamp = pyMs(s.exemplar.timestamp);
    }
  }
  return raw;
}

describe('OpenMetrics suite, strict OpenMetrics mode', () => {
  const cases = loadCases(SUITE);

  it('gives the right verdict on all 211 cases', () => {
    expect(cases.length).toBe(211);
    const wrong = cases
      .filter((c) => parseExposition(c.input, { format: 'openmetrics', mode: 'strict' }).ok !== c.shouldParse)
      .map((c) => c.name);
    expect(wrong).toEqual([]);
  });

  it('gives every rejection a position and a message', () => {
    for (const c of cases.filter((x) => !x.shouldParse)) {
      const first = parseExposition(c.input, { format: 'openmetrics' }).problems.find((p) => p.severity === 'error')!;
      expect(first.line, c.name).toBeGreaterThan(0);
      expect(first.column, c.name).toBeGreaterThan(0);
      expect(first.message.length, c.name).toBeGreaterThan(10);
    }
  });

  const valid = cases.filter((c) => c.shouldParse);
  it('has 44 valid cases, each with a Python result', () => {
    expect(valid.length).toBe(44);
    expect(readdirSync(PYTHON).filter((f) => f.endsWith('.json')).length).toBe(44);
  });

  for (const c of valid) {
    it(`${c.name}: same families, samples, values and timestamps as client_python`, () => {
      const r = parseExposition(c.input, { format: 'openmetrics', mode: 'strict' });
      expect(r.ok).toBe(true);
      expect(toPython(r.families)).toEqual(pythonExpected(c.name));
    });
  }

  it('keeps uint64 counter values as written', () => {
    const r = parseExposition(readFileSync(join(SUITE, 'uint64_counter/metrics')), { format: 'openmetrics' });
    const raw = readFileSync(join(PYTHON, 'uint64_counter.json'), 'utf8');
    const big = /"value": (\d{17,})/.exec(raw)![1];
    expect(r.families[0].samples[0].valueText).toBe(big);
  });
});

describe('OpenMetrics extra cases (client_python tests)', () => {
  const cases = loadCases(EXTRA);
  const bad = cases.filter((c) => c.name.startsWith('pyclient_bad_'));
  const utf8 = cases.filter((c) => c.name.startsWith('pyclient_utf8_good_'));

  it('rejects the 13 invalid inputs', () => {
    expect(bad.length).toBe(13);
    for (const c of bad) {
      for (const names of ['utf8', 'legacy'] as const) {
        expect(parseExposition(c.input, { format: 'openmetrics', names }).ok, `${c.name} ${names}`).toBe(false);
      }
    }
  });

  it('accepts the 4 quoted-name inputs with UTF-8 names and rejects them with legacy names', () => {
    expect(utf8.length).toBe(4);
    for (const c of utf8) {
      const ok = parseExposition(c.input, { format: 'openmetrics', names: 'utf8' });
      expect(ok.problems, c.name).toEqual([]);
      const legacy = parseExposition(c.input, { format: 'openmetrics', names: 'legacy' });
      expect(legacy.ok, c.name).toBe(false);
      expect(legacy.problems[0].code, c.name).toBe('invalid-metric-name');
    }
  });

  it('reads quoted names, escapes and exemplars of the UTF-8 cases', () => {
    const [counter, complex, histogram, exemplar] = utf8.map((c) => parseExposition(c.input, { format: 'openmetrics' }).families);
    expect(counter[0]).toMatchObject({ name: 'my.counter', type: 'counter', help: 'help' });
    expect(counter[0].samples[0]).toMatchObject({ name: 'my.counter_total', labels: {}, value: 1 });
    expect(complex[0].name).toBe('my.counter{} # = " \n');
    expect(complex[0].samples[0].labels).toEqual({ 'awful. }}{{ # HELP EOF name': '\n yikes } " value' });
    expect(histogram[0].samples.map((s) => [s.name, s.labels.le ?? null, s.value])).toEqual([
      ['a.b_bucket', '1.0', 0],
      ['a.b_bucket', '+Inf', 3],
      ['a.b_count', null, 3],
      ['a.b_sum', null, 2],
    ]);
    expect(exemplar[0].samples[0].exemplar).toEqual({ labels: { 'c{}d': 'b' }, value: 0.5, valueText: '0.5', timestampMs: null });
  });
});

describe('OpenMetrics grouping', () => {
  const om = (body: string) => parseExposition(`# TYPE a gauge\n${body}# EOF\n`, { format: 'openmetrics' });

  it.each([
    ['the same text', 'a{x="1",y="2"} 1\na{x="2",y="2"} 1\na{x="1",y="2"} 1\n'],
    ['labels in another order', 'a{x="1",y="2"} 1\na{x="2",y="2"} 1\na{y="2",x="1"} 1\n'],
    ['another escape spelling', 'a{x="\\\\q"} 1\na{x="b"} 1\na{x="\\q"} 1\n'],
    ['a space after the comma', 'a{x="1",y="2"} 1\na{x="2",y="2"} 1\na{x="1", y="2"} 1\n'],
    ['a quoted label name', 'a{x="1",y="2"} 1\na{x="2",y="2"} 1\na{"x"="1",y="2"} 1\n'],
  ])('rejects a metric that comes back after another, written with %s', (_, body) => {
    const r = om(body);
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([[4, 'invalid-grouping']]);
  });

  it('accepts distinct label sets in any order and keeps all samples', () => {
    const r = om('a{x="2"} 1\na{x="1"} 1\na{y="1",x="1"} 1\na{x="1",y="2"} 1\n');
    expect(r.problems).toEqual([]);
    expect(r.families[0].samples).toHaveLength(4);
  });

  it('reports a label set that comes back after another exactly when it does, in any order of arrival (property)', () => {
    // Ascending, descending and shuffled sequences of label sets, with returns or without.
    const values = fc.array(fc.constantFrom('0', '1', '2', '10', '9', 'a', 'b'), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(values, (sequence) => {
        const runs = sequence.filter((v, i) => i === 0 || v !== sequence[i - 1]);
        const lines = runs.map((v) => `a{gpu="${v}",x="y"} 1\n`).join('');
        const expected = runs.flatMap((v, i) => (runs.slice(0, i).includes(v) ? [i + 2] : []));
        const r = om(lines);
        expect(r.problems.filter((p) => p.code === 'invalid-grouping').map((p) => p.line)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('treats a histogram bucket and its _count as one MetricPoint', () => {
    const r = parseExposition(
      '# TYPE h histogram\nh_bucket{a="1",le="+Inf"} 2\nh_count{a="1"} 2\nh_sum{a="1"} 3\nh_bucket{a="2",le="+Inf"} 1\nh_count{a="2"} 1\nh_sum{a="2"} 1\nh_sum{a="1"} 3\n# EOF\n',
      { format: 'openmetrics' },
    );
    // The returning h_sum also forms a MetricPoint of its own without buckets or count.
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [8, 'invalid-grouping'],
      [8, 'histogram-structure'],
      [8, 'histogram-structure'],
    ]);
  });
});
