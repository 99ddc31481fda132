// Property tests: random families survive render -> parse, and random damage to valid inputs
// never throws, never hangs, and always ends in a result or a positioned problem.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, type Family, type MetricType, type ParseOptions, type Sample } from '../../src/main/core/exposition/index';
import { CONFORMANCE, SHARED } from './helpers';

// ---- generators ----

const RESERVED_SUFFIXES = /(_sum|_count|_bucket|_total|_created|_info|_gsum|_gcount)$/;

const legacyName = fc
  .stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/)
  .filter((n) => !RESERVED_SUFFIXES.test(n) && !n.startsWith('__'));
const utf8Name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter((n) => !RESERVED_SUFFIXES.test(n) && !n.startsWith('__'));
/** `le` and `quantile` are excluded: on a histogram or summary they must hold numbers. */
const isSpecialLabel = (n: string) => n === 'le' || n === 'quantile';
const labelName = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/)
  .filter((n) => !n.startsWith('__') && !isSpecialLabel(n));
// UTF-8 label names can be "le" too (about 3 in 100,000 draws): a histogram's _sum would then
// carry le="<any text>", which the format rejects.
const utf8LabelName = utf8Name.filter((n) => n !== '__name__' && !isSpecialLabel(n));
/** Anything at all, including quotes, backslashes, line feeds, braces and emoji. */
const labelValue = fc.string({ unit: 'grapheme', maxLength: 12 });
const helpText = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((h) => h === h.trimStart() && h !== '');
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));
const anyValue = fc.oneof(finite, fc.constantFrom(NaN, Infinity, -Infinity));
const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));
const count = fc.nat({ max: 1e6 });

const labelSet = (names: fc.Arbitrary<string>) =>
  fc.uniqueArray(fc.tuple(names, labelValue), { selector: ([n]) => n, maxLength: 4 }).map((pairs) => Object.fromEntries(pairs));

/** Label sets that differ from each other, so every one is its own metric. */
const distinctLabelSets = (names: fc.Arbitrary<string>, min: number, max: number) =>
  fc.uniqueArray(labelSet(names), { selector: (l) => JSON.stringify(Object.entries(l).sort()), minLength: min, maxLength: max });

interface Spec {
  name: string;
  type: MetricType;
  help: string | null;
  unit: string | null;
  samples: Omit<Sample, 'line' | 'valueText'>[];
}

function sample(name: string, labels: Record<string, string>, value: number, timestampMs: number | null = null): Spec['samples'][number] {
  return { name, labels, value, timestampMs, exemplar: null };
}

/** 0.0.4 families: counter/gauge/untyped one sample per metric; summaries and histograms. */
function promFamily(names: fc.Arbitrary<string>, lnames: fc.Arbitrary<string>): fc.Arbitrary<Spec> {
  const ts = fc.option(fc.integer({ min: -1e15, max: 1e15 }), { nil: null });
  const simple = fc
    .record({ type: fc.constantFrom<MetricType>('counter', 'gauge', 'untyped'), sets: distinctLabelSets(lnames, 1, 4), values: fc.array(fc.tuple(anyValue, ts), { minLength: 4, maxLength: 4 }) })
    .map(({ type, sets, values }) => (name: string) => ({ type, samples: sets.map((l, i) => sample(name, l, values[i][0], values[i][1])) }));
  const summary = fc
    .record({ sets: distinctLabelSets(lnames, 1, 2), quantiles: fc.uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }), values: fc.array(anyValue, { minLength: 3, maxLength: 3 }), sum: finite, n: count })
    .map(({ sets, quantiles, values, sum, n }) => (name: string) => ({
      type: 'summary' as MetricType,
      samples: sets.flatMap((l) => [
        ...quantiles.map((q, i) => sample(name, { ...l, quantile: String(q) }, values[i])),
        sample(`${name}_sum`, l, sum),
        sample(`${name}_count`, l, n),
      ]),
    }));
  const histogram = fc
    .record({ sets: distinctLabelSets(lnames, 1, 2), bounds: fc.uniqueArray(finite, { minLength: 1, maxLength: 3 }), counts: fc.array(count, { minLength: 4, maxLength: 4 }), sum: finite })
    .map(({ sets, bounds, counts, sum }) => (name: string) => {
      const les = [...bounds].sort((a, b) => a - b).map(String).concat('+Inf');
      let acc = 0;
      const cumulative = les.map((_, i) => (acc += counts[i]));
      return {
        type: 'histogram' as MetricType,
        samples: sets.flatMap((l) => [
          ...les.map((le, i) => sample(`${name}_bucket`, { ...l, le }, cumulative[i])),
          sample(`${name}_sum`, l, sum),
          sample(`${name}_count`, l, acc),
        ]),
      };
    });
  return fc
    .record({ name: names, help: fc.option(helpText, { nil: null }), body: fc.oneof(simple, summary, histogram) })
    .map(({ name, help, body }) => ({ name, help, unit: null, ...body(name) }));
}

/** OpenMetrics families obeying every family rule, with timestamps in whole milliseconds. */
function omFamily(names: fc.Arbitrary<string>, lnames: fc.Arbitrary<string>): fc.Arbitrary<Spec> {
  const tsMs = fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: null });
  const exemplar = fc.option(
    fc.record({ labels: labelSet(lnames).filter((l) => [...Object.entries(l).flat().join('')].length <= 128), value: finite, timestampMs: tsMs }),
    { nil: null },
  );
  const gauge = fc
    .record({ type: fc.constantFrom<MetricType>('gauge', 'unknown'), sets: distinctLabelSets(lnames, 1, 4), values: fc.array(anyValue, { minLength: 4, maxLength: 4 }), ts: tsMs })
    .map(({ type, sets, values, ts }) => (name: string) => ({ type, samples: sets.map((l, i) => sample(name, l, values[i], ts)) }));
  const counter = fc
    .record({ sets: distinctLabelSets(lnames, 1, 3), values: fc.array(fc.tuple(nonNegative, exemplar), { minLength: 3, maxLength: 3 }), created: fc.boolean() })
    .map(({ sets, values, created }) => (name: string) => ({
      type: 'counter' as MetricType,
      samples: sets.flatMap((l, i) => [
        { ...sample(`${name}_total`, l, values[i][0]), exemplar: values[i][1] && { ...values[i][1], valueText: '' } },
        ...(created ? [sample(`${name}_created`, l, 1700000000)] : []),
      ]),
    }));
  const histogram = fc
    .record({ sets: distinctLabelSets(lnames, 1, 2), bounds: fc.uniqueArray(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 3 }), counts: fc.array(count, { minLength: 4, maxLength: 4 }), sum: nonNegative })
    .map(({ sets, bounds, counts, sum }) => (name: string) => {
      const les = [...new Set(bounds.map((b) => (b === 0 ? 0 : b)))].sort((a, b) => a - b).map(String).concat('+Inf');
      let acc = 0;
      const cumulative = les.map((_, i) => (acc += counts[i]));
      return {
        type: 'histogram' as MetricType,
        samples: sets.flatMap((l) => [
          ...les.map((le, i) => sample(`${name}_bucket`, { ...l, le }, cumulative[i])),
          sample(`${name}_count`, l, acc),
          sample(`${name}_sum`, l, sum),
        ]),
      };
    });
  const info = distinctLabelSets(lnames, 1, 3).map((sets) => (name: string) => ({ type: 'info' as MetricType, samples: sets.map((l) => sample(`${name}_info`, l, 1)) }));
  const stateset = fc
    .record({ states: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 }), on: fc.nat() })
    .map(({ states, on }) => (name: string) => ({ type: 'stateset' as MetricType, samples: states.map((st, i) => sample(name, { [name]: st }, i === on % states.length ? 1 : 0)) }));
  return fc
    .record({ name: names, help: fc.option(helpText, { nil: null }), withUnit: fc.boolean(), body: fc.oneof(gauge, counter, histogram, info, stateset) })
    .map(({ name, help, withUnit, body }) => {
      const b = body(name);
      // A unit must be a suffix of the name, and info/stateset take none.
      const unit = withUnit && b.type !== 'info' && b.type !== 'stateset' && /_[a-z]+$/.test(name) ? name.slice(name.lastIndexOf('_') + 1) : null;
      return { name, help, unit, ...b };
    })
    .filter((f) => f.type !== 'stateset' || /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(f.name) && !f.name.startsWith('__'));
}

/** Families with distinct names that cannot capture each other's samples. */
const familySet = (family: fc.Arbitrary<Spec>) => fc.uniqueArray(family, { selector: (f) => f.name, minLength: 1, maxLength: 5 });

// ---- renderers (the exposers' side, written from the specifications) ----

const isLegacyMetric = (n: string) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(n);
const isLegacyLabel = (n: string) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n);
const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const quoteIfNeeded = (n: string, legacy: (n: string) => boolean) => (legacy(n) ? n : `"${escapeValue(n)}"`);

function renderNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function renderSeconds(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

function renderLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${quoteIfNeeded(k, isLegacyLabel)}="${escapeValue(v)}"`)
    .join(',');
}

function renderSeries(name: string, labels: Record<string, string>): string {
  const body = renderLabels(labels);
  if (isLegacyMetric(name)) return body === '' ? name : `${name}{${body}}`;
  return `{"${escapeValue(name)}"${body === '' ? '' : ',' + body}}`;
}

function render(families: Spec[], format: 'prometheus' | 'openmetrics'): string {
  let out = '';
  for (const f of families) {
    const n = quoteIfNeeded(f.name, isLegacyMetric);
    if (f.help !== null) out += `# HELP ${n} ${escapeHelp(f.help)}\n`;
    out += `# TYPE ${n} ${f.type}\n`;
    if (f.unit !== null) out += `# UNIT ${n} ${f.unit}\n`;
    for (const s of f.samples) {
      out += `${renderSeries(s.name, s.labels)} ${renderNumber(s.value)}`;
      if (s.timestampMs !== null) out += ` ${format === 'openmetrics' ? renderSeconds(s.timestampMs) : s.timestampMs}`;
      if (s.exemplar) {
        out += ` # {${renderLabels(s.exemplar.labels)}} ${renderNumber(s.exemplar.value)}`;
        if (s.exemplar.timestampMs !== null) out += ` ${renderSeconds(s.exemplar.timestampMs)}`;
      }
      out += '\n';
    }
  }
  return format === 'openmetrics' ? out + '# EOF\n' : out;
}

/** What the parser must give back: the spec plus the text each value was written as. */
function expected(families: Spec[]): unknown[] {
  return families.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help === '' ? null : f.help,
    unit: f.unit,
    samples: f.samples.map((s) => ({
      name: s.name,
      labels: s.labels,
      value: s.value,
      valueText: renderNumber(s.value),
      timestampMs: s.timestampMs,
      exemplar: s.exemplar && { ...s.exemplar, valueText: renderNumber(s.exemplar.value) },
    })),
  }));
}

function withoutLines(families: Family[]): unknown[] {
  return families.map((f) => ({ ...f, samples: f.samples.map(({ line: _line, ...s }) => s) }));
}

describe('round trip: rendered families parse back to themselves', () => {
  it('Prometheus text 0.0.4 with legacy names', () => {
    fc.assert(
      fc.property(familySet(promFamily(legacyName, labelName)), (families) => {
        const r = parseExposition(render(families, 'prometheus'), { format: 'prometheus', names: 'legacy' });
        expect(r.problems).toEqual([]);
        expect(withoutLines(r.families)).toEqual(expected(families));
      }),
      { numRuns: 300 },
    );
  });

  it('Prometheus text with quoted UTF-8 names', () => {
    fc.assert(
      fc.property(familySet(promFamily(fc.oneof(legacyName, utf8Name), fc.oneof(labelName, utf8LabelName))), (families) => {
        const r = parseExposition(render(families, 'prometheus'), { format: 'prometheus' });
        expect(r.problems).toEqual([]);
        expect(withoutLines(r.families)).toEqual(expected(families));
      }),
      { numRuns: 300 },
    );
  });

  it('OpenMetrics, every family type, exemplars and second timestamps', () => {
    fc.assert(
      fc.property(familySet(omFamily(legacyName, labelName)), (families) => {
        const r = parseExposition(render(families, 'openmetrics'), { format: 'openmetrics', names: 'legacy' });
        expect(r.problems).toEqual([]);
        expect(withoutLines(r.families)).toEqual(expected(families));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- damage ----

const seeds: { text: string; format: 'prometheus' | 'openmetrics' }[] = [
  ...readdirSync(join(CONFORMANCE, 'openmetrics-suite/tests/testdata/parsers')).map((c) => ({
    text: readFileSync(join(CONFORMANCE, 'openmetrics-suite/tests/testdata/parsers', c, 'metrics'), 'utf8'),
    format: 'openmetrics' as const,
  })),
  ...readdirSync(join(CONFORMANCE, 'expfmt-cases'))
    .filter((f) => f.endsWith('.prom'))
    .map((f) => ({ text: readFileSync(join(CONFORMANCE, 'expfmt-cases', f), 'utf8'), format: 'prometheus' as const })),
  { text: readFileSync(join(SHARED, 'dcgm-exporter-samples/cncf-kops-v1.35_nvidia-l4_full-scrape.prom'), 'utf8'), format: 'prometheus' },
];

const SPECIAL = ['{', '}', '"', '\\', '\n', ' ', '\t', '#', '=', ',', '\r', '\0', '😂', 'é', '\ufeff', 'e', '.', '-', '+', 'Inf', 'NaN', '# EOF\n', '_total', '_bucket', 'le="', '# TYPE a histogram\n'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...SPECIAL) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
);

type Mutation = { kind: 'insert' | 'delete' | 'replace' | 'duplicate-line'; at: number; text?: string; length?: number };

function mutate(text: string, mutations: Mutation[]): string {
  let t = text;
  for (const m of mutations) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    if (m.kind === 'insert') t = t.slice(0, at) + m.text + t.slice(at);
    else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + (m.length ?? 1));
    else if (m.kind === 'replace') t = t.slice(0, at) + m.text + t.slice(at + 1);
    else {
      const start = t.lastIndexOf('\n', at - 1) + 1;
      const end = t.indexOf('\n', at);
      const line = t.slice(start, end === -1 ? t.length : end + 1);
      t = t.slice(0, start) + line + t.slice(start);
    }
  }
  return t;
}

const options = fc.record({
  format: fc.constantFrom<ParseOptions['format']>('prometheus', 'openmetrics', 'auto'),
  names: fc.constantFrom<ParseOptions['names']>('utf8', 'legacy'),
  mode: fc.constantFrom<ParseOptions['mode']>('strict', 'lenient'),
});

describe('damaged inputs', () => {
  it('never throw and always give a result or an error with a position inside the input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 5 }), options, fc.boolean(), (seed, muts, opts, asBytes) => {
        const text = mutate(seed.text, muts);
        const input = asBytes ? Buffer.from(text) : text;
        const r = parseExposition(input, opts);
        // Lenient mode also ends lines at CRLF, and at a lone CR in text without line feeds.
        const lines = Math.max(text.split('\n').length, text.split(/\r\n|\r|\n/).length);
        expect(r.ok).toBe(!r.problems.some((p) => p.severity === 'error'));
        for (const p of r.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines + 1);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
        }
        for (const f of r.families) for (const s of f.samples) expect(typeof s.value).toBe('number');
      }),
      { numRuns: 3000 },
    );
  });

  it('report a truncated gzip body (random bytes that start with its magic) as a problem at 1:1', () => {
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const r = parseExposition(Uint8Array.from([0x1f, 0x8b]), { format, mode: 'strict' });
      expect(r.ok).toBe(false);
      expect(r.problems[0]).toMatchObject({ line: 1, column: 1, code: 'invalid-gzip', severity: 'error' });
    }
  });

  it('never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), options, (bytes, opts) => {
        const r = parseExposition(bytes, opts);
        expect(Array.isArray(r.families)).toBe(true);
        if (!r.ok) expect(r.problems.find((p) => p.severity === 'error')!.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('stay linear on pathological lines (unclosed quotes, backslash runs, one huge line)', () => {
    const n = 20000;
    const inputs = [
      'a{b="'.repeat(n),
      'a{b="x\n'.repeat(n),
      'a{b="\\\\\\\\\\'.repeat(n) + '\n',
      '# HELP a ' + '\\'.repeat(n * 10) + '\n',
      'a ' + '1'.repeat(n * 10) + '\n',
      '{'.repeat(n * 10),
      '"'.repeat(n * 10) + '\n',
    ];
    for (const text of inputs) {
      for (const format of ['prometheus', 'openmetrics'] as const) {
        const r = parseExposition(text, { format });
        // Problems are capped, so a broken input cannot make the result grow per line.
        expect(r.problems.length).toBeLessThanOrEqual(101);
      }
    }
  });
});
