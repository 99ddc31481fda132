import type { Problem, ProblemSeverity } from './types';

/**
 * Stable problem codes. Front ends and tests key on these; messages may be reworded.
 */
export type ProblemCode =
  // input
  | 'invalid-gzip'
  | 'invalid-utf8'
  | 'bom'
  | 'carriage-return'
  | 'missing-final-newline'
  | 'blank-line'
  | 'missing-eof'
  | 'text-after-eof'
  | 'invalid-whitespace'
  | 'trailing-whitespace'
  // names and labels
  | 'invalid-metric-name'
  | 'multiple-metric-names'
  | 'invalid-label-name'
  | 'reserved-label-name'
  | 'duplicate-label'
  | 'expected-equals'
  | 'expected-quote'
  | 'expected-label-separator'
  | 'unterminated-string'
  | 'invalid-escape'
  // values
  | 'invalid-value'
  | 'invalid-timestamp'
  | 'unexpected-text'
  | 'invalid-exemplar'
  // metadata
  | 'invalid-comment'
  | 'duplicate-help'
  | 'duplicate-type'
  | 'duplicate-unit'
  | 'metadata-after-samples'
  | 'unknown-type'
  | 'invalid-unit'
  // family semantics
  | 'clashing-name'
  | 'invalid-grouping'
  | 'duplicate-sample'
  | 'timestamp-presence'
  | 'timestamp-order'
  | 'invalid-le'
  | 'invalid-quantile'
  | 'negative-value'
  | 'nan-value'
  | 'non-integer-value'
  | 'invalid-info-value'
  | 'invalid-stateset'
  | 'exemplar-not-allowed'
  | 'exemplar-too-long'
  | 'histogram-structure'
  | 'too-many-problems';

/** Past this many problems the input is clearly not the format; stop collecting. */
export const MAX_PROBLEMS = 100;

export function makeProblem(
  line: number,
  column: number,
  code: ProblemCode,
  message: string,
  severity: ProblemSeverity,
): Problem {
  return { line, column, code, message, severity };
}
