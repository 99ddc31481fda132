// The parser's public result types. Parse knows nothing about GPUs (DESIGN.md §3): it yields
// families and samples in input order, or problems with a position.

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'untyped'
  | 'unknown';

export type Labels = Record<string, string>;

export interface Exemplar {
  labels: Labels;
  value: number;
  valueText: string;
  timestampMs: number | null;
}

export interface Sample {
  /** Full sample name, e.g. `http_requests_total` or `latency_bucket`. */
  name: string;
  labels: Labels;
  /** float64 value; NaN, +Inf and -Inf are represented as the JS numbers. */
  value: number;
  /** The value exactly as written, kept because float64 loses uint64 counters. */
  valueText: string;
  /** Milliseconds since the epoch (OpenMetrics seconds are converted), or null. */
  timestampMs: number | null;
  exemplar: Exemplar | null;
  /** 1-based input line of the sample, for problems reported after parsing. */
  line: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string | null;
  unit: string | null;
  samples: Sample[];
}

export type ProblemSeverity = 'error' | 'warning';

export interface Problem {
  /** 1-based line and column (column counts characters, not bytes). */
  line: number;
  column: number;
  /** Stable machine-readable code, e.g. `invalid-value`, `duplicate-family`. */
  code: string;
  /** Human message that says what was expected. */
  message: string;
  severity: ProblemSeverity;
}

export interface ParseOptions {
  /** `auto` (default) picks OpenMetrics when the text ends in `# EOF`, else 0.0.4. */
  format?: ExpositionFormat | 'auto';
  /** Metric and label name rules: `utf8` (default, as Prometheus 3) or `legacy`. */
  names?: 'utf8' | 'legacy';
  /** `strict` (default) reports any violation as an error; `lenient` ingests what Prometheus would. */
  mode?: 'strict' | 'lenient';
  /**
   * `false` for validation only (`gpu-pulse lint`): every rule is still checked, but 0.0.4
   * families come back without their samples, so nothing per sample outlives its line and a
   * large file costs no memory or garbage collection for a result nobody reads. OpenMetrics
   * keeps them, as its family rules are checked over a family's samples.
   */
  keepSamples?: boolean;
  /** Progress callback for large inputs: bytes or characters consumed so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface ParseResult {
  format: ExpositionFormat;
  families: Family[];
  /** Errors (strict: input rejected) and warnings (lenient: ingested with a note). */
  problems: Problem[];
  /** True when no problem has severity `error`. */
  ok: boolean;
}
