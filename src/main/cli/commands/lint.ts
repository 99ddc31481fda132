// `gpu-pulse lint`: check exposition files the way a scraper would read them.
import { resolve } from 'node:path';
import {
  formatProblem,
  parseExposition,
  parseExpositionFile,
  type ParseOptions,
  type ParseResult,
} from '../../core/exposition/index';
import { parseCommandArgs } from '../args';
import type { CliIo } from '../io';

const HELP = `Usage: gpu-pulse lint [--format prom|om|auto] [--names utf8|legacy] [--lenient] FILE... | -

Check Prometheus text format 0.0.4 / OpenMetrics 1.0 files (gzip is recognised) or standard
input (-). Prints one line per input: "PATH: ok", or the first error as
"PATH:LINE:COL: error: MESSAGE"; with --lenient, what Prometheus would still ingest passes
with "PATH:LINE:COL: warning: MESSAGE" lines.

Options:
  --format prom|om|auto  text 0.0.4 (prom), OpenMetrics (om), or auto: OpenMetrics when the
                         input ends with "# EOF" (default auto)
  --names utf8|legacy    metric and label name rules: Prometheus 3's UTF-8 names with quoting
                         (default), or the legacy [a-zA-Z_:][a-zA-Z0-9_:]* grammar
  --lenient              accept what the Prometheus server ingests; report the rest as warnings
  -h, --help             show this help

Exit status: 0 when every input is valid, 1 when any is not (or cannot be read), 2 on bad usage.
`;

const FORMATS: Record<string, ParseOptions['format']> = { prom: 'prometheus', om: 'openmetrics', auto: 'auto' };

export interface ExpositionArgs {
  opts: ParseOptions;
  inputs: string[];
}

/** Options shared with `gpu-pulse parse`; `exit` once help or a usage error was printed. */
export function parseExpositionArgs(command: string, args: string[], help: string, io: CliIo): ExpositionArgs | { exit: number } {
  const parsed = parseCommandArgs(command, help, args, io, {
    format: { type: 'string', default: 'auto' },
    names: { type: 'string', default: 'utf8' },
    lenient: { type: 'boolean', default: false },
  });
  if ('exit' in parsed) return parsed;
  const { values, positionals, usageError } = parsed;
  const format = FORMATS[values.format!];
  if (format === undefined) return { exit: usageError(`--format must be prom, om or auto, not "${values.format}"\n\n${help.trimEnd()}`) };
  if (values.names !== 'utf8' && values.names !== 'legacy') return { exit: usageError(`--names must be utf8 or legacy, not "${values.names}"\n\n${help.trimEnd()}`) };
  if (positionals.length === 0) return { exit: usageError(`no input: give FILE... or - for standard input\n\n${help.trimEnd()}`) };
  return { opts: { format, names: values.names, mode: values.lenient ? 'lenient' : 'strict' }, inputs: positionals };
}

/** Parses one input, `-` being standard input; a thrown read error becomes a message. */
export async function parseInput(input: string, opts: ParseOptions, io: CliIo): Promise<ParseResult | { readError: string }> {
  try {
    if (input === '-') return parseExposition(await io.readStdin(), opts);
    return await parseExpositionFile(resolve(io.cwd, input), opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { readError: e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message };
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseExpositionArgs('lint', args, HELP, io);
  if ('exit' in parsed) return parsed.exit;
  let allValid = true;
  for (const input of parsed.inputs) {
    // Only the problems are printed: the samples need not outlive their lines.
    const result = await parseInput(input, { ...parsed.opts, keepSamples: false }, io);
    if ('readError' in result) {
      io.stdout(`${input}: error: cannot read: ${result.readError}\n`);
      allValid = false;
      continue;
    }
    const firstError = result.problems.find((p) => p.severity === 'error');
    if (firstError) {
      // Later errors are mostly consequences of the first, as in the reference parsers.
      io.stdout(formatProblem(input, firstError) + '\n');
      allValid = false;
    } else if (result.problems.length > 0) {
      io.stdout(result.problems.map((p) => formatProblem(input, p) + '\n').join(''));
    } else {
      io.stdout(`${input}: ok\n`);
    }
  }
  return allValid ? 0 : 1;
}
