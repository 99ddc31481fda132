import type { Family, Labels, ParseOptions, Problem, ProblemSeverity } from './types';
import { MAX_PROBLEMS, makeProblem, type ProblemCode } from './problems';
import * as scan from './scan';

// Imported functions bound once: CommonJS output (tsx, vitest) turns each use of an imported
// name into a getter call, which costs more than the work in these hot loops.
const { columnOf } = scan;

/**
 * What a backslash escape other than `\\`, `\"` and `\n` means: an error in expfmt (strict
 * 0.0.4, `reject`), kept verbatim by Prometheus' scraper (lenient 0.0.4, `warn`), and valid
 * and kept verbatim in OpenMetrics (`BS normal-char`, `keep`).
 */
export type UnknownEscape = 'reject' | 'warn' | 'keep';

const BACKSLASH = 92;
const QUOTE = 34;
const LF = 10;
/** Text without a line feed read before lone CRs are taken for line ends (see firstLineEnd). */
const CR_DECISION_CHARS = 1 << 20;

/**
 * The line loop and problem bookkeeping shared by the 0.0.4 and OpenMetrics parsers. Input
 * arrives as one or more chunks of decoded text; every chunk but the last must end on a line
 * boundary's far side (the caller keeps the unfinished tail), so a line never spans chunks.
 */
export abstract class LineParser {
  protected s = '';
  /** 1-based number of the line being parsed. */
  protected line = 0;
  protected lineStart = 0;
  /** Position after the last token a helper consumed. */
  protected pos = 0;
  /** Cached position of the next backslash at or after some earlier point (escape fast path). */
  private nextBackslash = -1;
  private nextQuote = -1;
  protected readonly problems: Problem[] = [];
  private errorCount = 0;
  protected readonly lenient: boolean;
  protected readonly legacyNames: boolean;
  /** False for validation only: samples are checked, counted and dropped (0.0.4 parser). */
  protected readonly keepSamples: boolean;
  /** True when the final line had no terminating line feed. */
  protected unterminatedLastLine = false;
  private readonly onProgress?: (done: number, total: number) => void;
  private progressTotal = 0;
  /**
   * Lenient mode: how the input's lines end. CRLF is read as a line end anywhere; a CR alone
   * only in input without line feeds (classic Mac text), so that elsewhere a CR inside a label
   * value stays content.
   */
  private firstLineEnd: 'unknown' | 'lf' | 'crlf' | 'cr' = 'unknown';
  private carriageReturnsReported = false;

  constructor(opts: ParseOptions) {
    this.lenient = opts.mode === 'lenient';
    this.legacyNames = opts.names === 'legacy';
    this.keepSamples = opts.keepSamples !== false;
    this.onProgress = opts.onProgress;
  }

  /** Parses one physical line s[start, end) (without its line feed). */
  protected abstract parseLine(start: number, end: number): void;

  /** Families in input order, after any end-of-input checks. */
  abstract finish(): Family[];

  /**
   * Parses every complete line of `text`. Returns the index where the unfinished last line
   * starts (text.length when everything was consumed); with `final` everything is consumed.
   */
  feed(text: string, final: boolean): number {
    this.s = text;
    this.nextBackslash = -1;
    this.nextQuote = -1;
    // The strict path and LF input are untouched: one scan of the chunk for a CR, in lenient
    // mode only, decides whether the CR-aware loop runs.
    if (this.lenient && text.indexOf('\r') !== -1) return this.feedCarriageReturns(text, final);
    const len = text.length;
    let pos = 0;
    let nextReport = this.onProgress ? 1 << 20 : Infinity;
    while (pos < len) {
      let end = text.indexOf('\n', pos);
      if (end === -1) {
        if (!final) return pos;
        end = len;
        this.unterminatedLastLine = true;
      }
      this.line++;
      this.lineStart = pos;
      this.parseLine(pos, end);
      pos = end + 1;
      if (pos >= nextReport) {
        this.onProgress!(pos, len);
        nextReport = pos + (1 << 20);
      }
    }
    if (this.firstLineEnd === 'unknown' && this.line > 0 && !this.unterminatedLastLine) this.firstLineEnd = 'lf';
    return len;
  }

  /**
   * feed() for lenient input with carriage returns: CRLF and lone CR end lines like LF does
   * (what a file saved on Windows or pasted from a document has), reported once as a warning.
   */
  private feedCarriageReturns(text: string, final: boolean): number {
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      const lf = text.indexOf('\n', pos);
      let cr = text.indexOf('\r', pos);
      // A lone CR ends lines only in input without line feeds (classic Mac text); elsewhere
      // it is content, skipped over to the next line end.
      if (this.firstLineEnd === 'unknown' && lf === -1 && cr !== -1 && text.charCodeAt(cr + 1) !== LF) {
        // No line feed yet: wait for more text unless this is all of it, or enough to tell.
        if (!final && len - pos < CR_DECISION_CHARS) return pos;
        this.firstLineEnd = 'cr';
      }
      while (cr !== -1 && (lf === -1 || cr < lf) && cr + 1 < len && text.charCodeAt(cr + 1) !== LF && this.firstLineEnd !== 'cr') {
        cr = text.indexOf('\r', cr + 1);
      }
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the end of an unfinished chunk may be the first half of a CRLF.
        if (cr === len - 1 && !final) return pos;
        const crlf = text.charCodeAt(cr + 1) === LF;
        if (this.firstLineEnd === 'unknown' && crlf) this.firstLineEnd = 'crlf';
        if (crlf || this.firstLineEnd === 'cr') {
          this.noteCarriageReturns(crlf);
          end = cr;
          next = crlf ? cr + 2 : cr + 1;
        } else {
          // The input's last character, a lone CR in text with line feeds: part of the last line.
          end = len;
          next = len;
          this.unterminatedLastLine = true;
        }
      } else if (lf !== -1) {
        if (this.firstLineEnd === 'unknown') this.firstLineEnd = 'lf';
        end = lf;
        next = lf + 1;
      } else {
        if (!final) return pos;
        end = len;
        next = len;
        this.unterminatedLastLine = true;
      }
      this.line++;
      this.lineStart = pos;
      this.parseLine(pos, end);
      pos = next;
    }
    return len;
  }

  /** One warning for the whole input, at the first line that ends with a CR. */
  private noteCarriageReturns(crlf: boolean): void {
    if (this.carriageReturnsReported) return;
    this.carriageReturnsReported = true;
    const what = crlf ? 'CRLF (\\r\\n, as Windows saves text)' : 'CR alone (\\r)';
    this.reportAtLine(
      this.line + 1,
      1,
      'carriage-return',
      `lines end with ${what}; read as \\n line ends. The format requires \\n, so promtool and \`gpu-pulse lint\` reject this input; dos2unix converts it`,
      'warning',
    );
  }

  /** Number of lines parsed so far (the next line's number minus one). */
  linesParsed(): number {
    return this.line;
  }

  /** Problems so far, errors and warnings in the order found. */
  getProblems(): Problem[] {
    return this.problems;
  }

  hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** Reports a problem at s[at] on the current line. */
  protected report(at: number, code: ProblemCode, message: string, severity: ProblemSeverity = 'error'): void {
    this.reportAtLine(this.line, columnOf(this.s, this.lineStart, at), code, message, severity);
  }

  protected reportAtLine(line: number, column: number, code: ProblemCode, message: string, severity: ProblemSeverity): void {
    if (severity === 'error') this.errorCount++;
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push(makeProblem(line, column, code, message, severity));
    } else if (this.problems.length === MAX_PROBLEMS) {
      this.problems.push(
        makeProblem(line, column, 'too-many-problems', `more than ${MAX_PROBLEMS} problems; further ones are not listed`, severity),
      );
    }
  }

  /** Strict: error. Lenient: a warning, because Prometheus' scraper ingests it. */
  protected reportTolerated(at: number, code: ProblemCode, message: string): void {
    this.report(at, code, message, this.lenient ? 'warning' : 'error');
  }

  /**
   * Reads a double-quoted string whose opening quote is at s[open]. On success sets `pos` after
   * the closing quote and returns the unescaped content; otherwise reports and returns undefined.
   */
  protected readQuoted(open: number, end: number, unknownEscape: UnknownEscape, what: string): string | undefined {
    const s = this.s;
    const start = open + 1;
    // Cached like the backslash: a line with an unclosed quote must not make every later line
    // rescan the rest of the input.
    let close = this.nextQuote;
    if (close < start) {
      close = s.indexOf('"', start);
      this.nextQuote = close = close === -1 ? Infinity : close;
    }
    if (close < end) {
      if (this.backslashFrom(start) > close) {
        this.pos = close + 1;
        return s.slice(start, close);
      }
    }
    return this.readQuotedEscaped(start, end, unknownEscape, what);
  }

  /** First backslash at or after `p` (Infinity if none), from a cache that only moves forward. */
  protected backslashFrom(p: number): number {
    let bs = this.nextBackslash;
    if (bs < p) {
      bs = this.s.indexOf('\\', p);
      this.nextBackslash = bs = bs === -1 ? Infinity : bs;
    }
    return bs;
  }

  /**
   * Unescapes HELP text s[p, end): `\\`, `\n` and `\"` (expfmt and client_python both accept
   * the quote escape); other escapes, and a lone backslash at the end, per `unknownEscape`.
   */
  protected unescapeHelp(p: number, end: number, unknownEscape: UnknownEscape): string | undefined {
    const s = this.s;
    let bs = this.backslashFrom(p);
    if (bs >= end) return s.slice(p, end);
    let out = '';
    let segment = p;
    while (bs < end) {
      out += s.slice(segment, bs);
      const e = bs + 1 < end ? s.charCodeAt(bs + 1) : -1;
      if (e === BACKSLASH) out += '\\';
      else if (e === 110 /* n */) out += '\n';
      else if (e === QUOTE) out += '"';
      else {
        const shown = e === -1 ? 'at the end of the line' : `'\\${s[bs + 1]}'`;
        if (unknownEscape === 'reject') {
          this.report(bs, 'invalid-escape', `invalid escape sequence ${shown} in HELP text; only \\\\, \\" and \\n are allowed`);
          return undefined;
        }
        if (unknownEscape === 'warn') {
          this.report(bs, 'invalid-escape', `invalid escape sequence ${shown} in HELP text kept verbatim; only \\\\, \\" and \\n are defined`, 'warning');
        }
        out += e === -1 ? '\\' : '\\' + s[bs + 1];
      }
      segment = Math.min(bs + 2, end);
      bs = this.backslashFrom(segment);
    }
    return out + s.slice(segment, end);
  }

  private readQuotedEscaped(start: number, end: number, unknownEscape: UnknownEscape, what: string): string | undefined {
    const s = this.s;
    let out = '';
    let segment = start;
    let i = start;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out + s.slice(segment, i);
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += s.slice(segment, i);
      if (i + 1 >= end) {
        this.report(i, 'unterminated-string', `${what} "${out}" is not closed before the end of the line; expected '"' (a line feed inside must be written as \\n)`);
        return undefined;
      }
      const e = s.charCodeAt(i + 1);
      if (e === BACKSLASH) out += '\\';
      else if (e === QUOTE) out += '"';
      else if (e === 110 /* n */) out += '\n';
      else if (unknownEscape === 'reject') {
        this.report(i, 'invalid-escape', `invalid escape sequence '\\${s[i + 1]}' in ${what}; only \\\\, \\" and \\n are allowed`);
        return undefined;
      } else {
        if (unknownEscape === 'warn') {
          this.report(i, 'invalid-escape', `invalid escape sequence '\\${s[i + 1]}' in ${what} kept verbatim; only \\\\, \\" and \\n are defined`, 'warning');
        }
        out += '\\' + s[i + 1];
      }
      i += 2;
      segment = i;
    }
    this.report(end, 'unterminated-string', `${what} "${out + s.slice(segment, end)}" is not closed before the end of the line; expected '"' (a line feed inside must be written as \\n)`);
    return undefined;
  }
}

/** Adds a label, guarding the one name a plain object would treat specially. */
export function setLabel(labels: Labels, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    labels[name] = value;
  }
}

