// `gpu-pulse parse`: an exposition file as JSON, for scripts and for checking what a file holds.
import { formatProblem, resultJsonPieces } from '../../core/exposition/index';
import type { CliIo } from '../io';
import { parseExpositionArgs, parseInput } from './lint';

const HELP = `Usage: gpu-pulse parse [--format prom|om|auto] [--names utf8|legacy] [--lenient] FILE | -

Parse a Prometheus text format 0.0.4 / OpenMetrics 1.0 file (gzip is recognised) or standard
input (-) and print it as JSON:
  {"format": "prometheus"|"openmetrics",
   "families": [{"name", "type", "help", "unit",
                 "samples": [{"name", "labels", "value", "valueText", "timestampMs", "exemplar"}]}]}
"value" is a number or "NaN", "+Inf", "-Inf"; "valueText" is the value as written (exact for
integers beyond 2^53); OpenMetrics timestamps (seconds) are converted to milliseconds.
When the input is invalid, prints its problems as "PATH:LINE:COL: error: MESSAGE" on standard
error instead; --lenient warnings also go to standard error.

Options:
  --format prom|om|auto  text 0.0.4 (prom), OpenMetrics (om), or auto: OpenMetrics when the
                         input ends with "# EOF" (default auto)
  --names utf8|legacy    metric and label name rules (default utf8, as Prometheus 3)
  --lenient              accept what the Prometheus server ingests; report the rest as warnings
  -h, --help             show this help

Exit status: 0 when the input was parsed, 1 when it is invalid or unreadable, 2 on bad usage.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseExpositionArgs('parse', args, HELP, io);
  if ('exit' in parsed) return parsed.exit;
  if (parsed.inputs.length !== 1) {
    io.stderr(`gpu-pulse parse: give exactly one FILE or -\n\n${HELP}`);
    return 2;
  }
  const input = parsed.inputs[0];
  const result = await parseInput(input, parsed.opts, io);
  if ('readError' in result) {
    io.stderr(`${input}: error: cannot read: ${result.readError}\n`);
    return 1;
  }
  if (result.problems.length > 0) io.stderr(result.problems.map((p) => formatProblem(input, p) + '\n').join(''));
  if (!result.ok) return 1;
  for (const piece of resultJsonPieces(result)) io.stdout(piece);
  return 0;
}
