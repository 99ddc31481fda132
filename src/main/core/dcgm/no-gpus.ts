// Why an input with DCGM series gave no GPU (issue 22: a CRLF capture printed "No GPUs found"
// and exited 0). Commands turn the answer into an error problem, so they say why and fail.
import type { Family, Problem } from '../exposition/types';
import { isDcgmMetricName } from './aliases';

export interface NoGpuInput {
  families: Family[];
  /** The parser's problems for the same input. */
  problems: Problem[];
  /** GPUs the pipeline found. */
  gpuCount: number;
  /** The input text, read only when no GPU was found (lines the parser dropped may hold DCGM names). */
  text?: () => string;
}

/** A DCGM metric name at the start of a line, where a sample or its braces begin. */
const DCGM_LINE = /(?:^|[\r\n])[ \t]*(?:DCGM_FI_|dcgm_)[A-Za-z0-9_:]*[{ \t]/;

/** An error problem saying why no GPU came out of input that has DCGM series; null otherwise. */
export function explainNoGpus(input: NoGpuInput): Problem | null {
  if (input.gpuCount > 0) return null;
  const dcgmFamilies = input.families.filter((f) => isDcgmMetricName(f.name));
  const samples = dcgmFamilies.reduce((n, f) => n + f.samples.length, 0);
  if (dcgmFamilies.length === 0 && !(input.text && DCGM_LINE.test(input.text()))) return null;

  const errors = input.problems.filter((p) => p.severity === 'error');
  let reason: string;
  let at = { line: 0, column: 0 };
  if (samples > 0) {
    reason = `its ${samples} DCGM sample(s) carry no gpu, UUID or uuid label, so none names a GPU (NvLink, NvSwitch or CPU entities only, or labels dropped by relabelling)`;
  } else if (errors.length > 0) {
    const first = errors[0];
    at = { line: first.line, column: first.column };
    reason = `${errors.length} line(s) could not be read; the first, line ${first.line}: ${first.message}`;
  } else {
    reason = 'its DCGM families are declared (HELP/TYPE lines) but hold no samples';
  }
  return { ...at, code: 'no-gpus', message: `the input has DCGM series but no GPU could be read: ${reason}`, severity: 'error' };
}
