// Text and JSON renderings of parse results, shared by the CLI and anything that shows them.

import type { Exemplar, ParseResult, Problem, Sample } from './types';

/** `PATH:LINE:COL: error: MESSAGE`, the compiler-style line editors and CI logs understand. */
export function formatProblem(path: string, p: Problem): string {
  return `${path}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;
}

/** JSON has no NaN or infinities: those become the exposition spellings. */
export function jsonValue(v: number): number | string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}

function exemplarJson(e: Exemplar): unknown {
  return { labels: e.labels, value: jsonValue(e.value), timestampMs: e.timestampMs };
}

function sampleJson(s: Sample): unknown {
  return {
    name: s.name,
    labels: s.labels,
    value: jsonValue(s.value),
    valueText: s.valueText,
    timestampMs: s.timestampMs,
    exemplar: s.exemplar && exemplarJson(s.exemplar),
  };
}

/** Samples per emitted piece: bounds the size of any one string for very large inputs. */
const SAMPLES_PER_PIECE = 2000;

/**
 * The result as JSON text, in pieces so that a result from a multi-hundred-megabyte file never
 * has to fit in one string. Concatenated, the pieces are one JSON document:
 * `{"format", "families": [{"name", "type", "help", "unit", "samples": [...]}]}`.
 */
export function* resultJsonPieces(result: Pick<ParseResult, 'format' | 'families'>): Generator<string> {
  yield `{"format":${JSON.stringify(result.format)},"families":[`;
  let first = true;
  for (const f of result.families) {
    const head = JSON.stringify({ name: f.name, type: f.type, help: f.help, unit: f.unit });
    yield `${first ? '' : ','}${head.slice(0, -1)},"samples":[`;
    first = false;
    for (let k = 0; k < f.samples.length; k += SAMPLES_PER_PIECE) {
      const part = f.samples.slice(k, k + SAMPLES_PER_PIECE).map((s) => JSON.stringify(sampleJson(s)));
      yield (k > 0 ? ',' : '') + part.join(',');
    }
    yield ']}';
  }
  yield ']}\n';
}
