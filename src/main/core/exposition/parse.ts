// One entry point over the two line parsers: input decoding, BOM and invalid UTF-8 reports,
// format choice, and the final result.

import type { ExpositionFormat, ParseOptions, ParseResult, Problem } from './types';
import type { LineParser } from './line-parser';
import { PromParser } from './prom-parser';
import { OmParser } from './om-parser';
import { BOM, decodeUtf8, gunzip, isGzip } from './input';
import { detectFormat } from './detect';
import { makeProblem } from './problems';

export function createParser(format: ExpositionFormat, opts: ParseOptions): LineParser {
  return format === 'openmetrics' ? new OmParser(opts) : new PromParser(opts);
}

function resolveFormat(opts: ParseOptions, text: string): ExpositionFormat {
  return opts.format === undefined || opts.format === 'auto' ? detectFormat(text) : opts.format;
}

/** A leading U+FEFF: OpenMetrics forbids it and expfmt rejects it; lenient 0.0.4 skips it. */
export function bomProblem(format: ExpositionFormat, opts: ParseOptions): Problem {
  const tolerated = opts.mode === 'lenient' && format === 'prometheus';
  return makeProblem(
    1,
    1,
    'bom',
    tolerated
      ? 'byte order mark (U+FEFF) at the start of the input skipped; the format does not allow one'
      : 'byte order mark (U+FEFF) at the start of the input; expected the first line without one',
    tolerated ? 'warning' : 'error',
  );
}

/** Line and column of a character offset, for problems found before line parsing. */
export function positionOf(text: string, offset: number, firstLine = 1, firstLineOffset = 0): { line: number; column: number } {
  let line = firstLine;
  let lineStart = firstLineOffset;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) column++;
  }
  return { line, column };
}

export function invalidUtf8Problem(line: number, column: number): Problem {
  return makeProblem(line, column, 'invalid-utf8', 'invalid UTF-8 byte sequence; the exposition formats require UTF-8 text', 'error');
}

/**
 * An idle parser of each format, replaced after every parse. V8 holds a class's instance map
 * only weakly: when no parser is alive at a full GC (an idle app between scrapes, or another
 * component's garbage) the map is collected, and every optimized parser method compiled
 * against it is discarded ("weak objects" deopts). The next parse then ran unoptimized, at a
 * quarter of the speed. An empty instance keeps the current map alive for a microsecond each.
 */
const shapeAnchors = new Map<ExpositionFormat, LineParser>();

export function finishResult(format: ExpositionFormat, parser: LineParser, extra: Problem[]): ParseResult {
  shapeAnchors.set(format, createParser(format, {}));
  const families = parser.finish();
  const problems = extra.length > 0 ? sortProblems(extra.concat(parser.getProblems())) : parser.getProblems();
  return { format, families, problems, ok: !problems.some((p) => p.severity === 'error') };
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The text a parser reads from bytes or a string, with the input's own problems: gzip by its
 * magic (a body that does not inflate is a problem at 1:1, never a throw), strict UTF-8 with the
 * position of the first invalid sequence. Every reader of exposition bytes starts here.
 */
export function inputText(input: string | Uint8Array): { text: string; problems: Problem[] } {
  if (typeof input === 'string') return { text: input, problems: [] };
  const problems: Problem[] = [];
  let bytes = input;
  if (isGzip(input)) {
    try {
      bytes = gunzip(input);
    } catch (err) {
      problems.push(makeProblem(1, 1, 'invalid-gzip', `gzip data that cannot be inflated (${(err as Error).message}); save or send the file again`, 'error'));
      bytes = new Uint8Array(0);
    }
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.invalidAt !== -1) {
    const at = positionOf(decoded.text, decoded.invalidAt);
    problems.push(invalidUtf8Problem(at.line, at.column));
  }
  return { text: decoded.text, problems };
}

/** `text` without a leading byte-order mark, which is reported (an error, or tolerated in lenient 0.0.4). */
export function withoutBom(text: string, format: ExpositionFormat, opts: ParseOptions, problems: Problem[]): string {
  if (text.charCodeAt(0) !== BOM) return text;
  problems.push(bomProblem(format, opts));
  return text.slice(1);
}

export function parseExposition(input: string | Uint8Array, opts: ParseOptions = {}): ParseResult {
  const decoded = inputText(input);
  const extra = decoded.problems;
  const format = resolveFormat(opts, decoded.text);
  const parser = createParser(format, opts);
  const text = withoutBom(decoded.text, format, opts, extra);
  parser.feed(text, true);
  opts.onProgress?.(text.length, text.length);
  return finishResult(format, parser, extra);
}
