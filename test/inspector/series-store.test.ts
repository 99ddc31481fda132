// The compact series store: label sets survive the round trip exactly, and paging and
// filtering answer what the Api promises (case-insensitive over name and labels, per family).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/main/core/exposition';
import { compactFamilies, formatLabels, parseLabels, SeriesStore } from '../../src/main/core/inspect/series-store';

describe('label sets in the compact form', () => {
  it('round-trip any names and values, including quotes, backslashes, line feeds and UTF-8 names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string({ minLength: 1 }), fc.constant("__proto__")), fc.string(), { maxKeys: 6 }), (labels) => {
        const text = formatLabels(labels);
        expect(text).not.toContain('\n'); // the store joins sets with line feeds
        expect(parseLabels(text)).toEqual(labels);
      }),
      { numRuns: 300 },
    );
  });

  it('writes legacy names bare and others quoted, as the exposition format does', () => {
    expect(formatLabels({ gpu: '0', 'node.name': 'a"b\\c\nd' })).toBe('gpu="0","node.name"="a\\"b\\\\c\\nd"');
  });
});

const TEXT = `# TYPE latency histogram
latency_bucket{le="0.1",path="/a"} 1
latency_bucket{le="+Inf",path="/a"} 3
latency_sum{path="/a"} 0.9
latency_count{path="/a"} 3
# TYPE temp gauge
temp{gpu="0",Hostname="Node-A"} 41 1700000000000
temp{gpu="1",Hostname="node-b"} 38
`;

function store() {
  const parsed = parseExposition(TEXT, { mode: 'lenient' });
  expect(parsed.problems).toEqual([]);
  return { ...compactFamilies(parsed.families), store: new SeriesStore(compactFamilies(parsed.families).series) };
}

describe('SeriesStore', () => {
  it('counts distinct series per family (a histogram has one per bucket, plus sum and count)', () => {
    expect(store().seriesCounts).toEqual([4, 2]);
  });

  it('pages every row in family then input order, with value as written, timestamp and line', () => {
    const { store: s } = store();
    const page = s.page({ offset: 3, limit: 2 });
    expect(page.total).toBe(6);
    expect(page.rows).toEqual([
      { name: 'latency_count', labels: { path: '/a' }, valueText: '3', timestampMs: null, line: 5 },
      { name: 'temp', labels: { gpu: '0', Hostname: 'Node-A' }, valueText: '41', timestampMs: 1700000000000, line: 7 },
    ]);
    expect(s.page({ offset: 5, limit: 10 }).rows.map((r) => r.line)).toEqual([8]);
    expect(s.page({ offset: 50, limit: 10 })).toEqual({ total: 6, rows: [] });
  });

  it('filters by family name', () => {
    const page = store().store.page({ family: 'temp', offset: 0, limit: 10 });
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => r.labels.gpu)).toEqual(['0', '1']);
  });

  it('filters case-insensitively over the sample name and over labels as written (k="v")', () => {
    const { store: s } = store();
    expect(s.page({ filter: 'NODE-a', offset: 0, limit: 10 }).rows.map((r) => r.line)).toEqual([7]);
    expect(s.page({ filter: 'gpu="1"', offset: 0, limit: 10 }).rows.map((r) => r.line)).toEqual([8]);
    expect(s.page({ filter: 'LATENCY_B', offset: 0, limit: 10 }).total).toBe(2);
    // A label-only hit and a name-only hit in one query, combined with a family.
    expect(s.page({ filter: '/a', family: 'latency', offset: 1, limit: 1 })).toMatchObject({ total: 4, rows: [{ line: 3 }] });
    expect(s.page({ filter: 'nothing-like-this', offset: 0, limit: 10 })).toEqual({ total: 0, rows: [] });
  });

  it('finds a label value in every set that holds it, not just the first', () => {
    const text = Array.from({ length: 50 }, (_, i) => `m{i="${i}",pool="${i % 2 ? 'odd' : 'even'}"} ${i}\n`).join('');
    const s = new SeriesStore(compactFamilies(parseExposition(text, { mode: 'lenient' }).families).series);
    const page = s.page({ filter: 'pool="odd"', offset: 0, limit: 100 });
    expect(page.total).toBe(25);
    expect(page.rows.every((r) => r.labels.pool === 'odd')).toBe(true);
  });
});
