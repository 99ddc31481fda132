// Character-level helpers shared by both line parsers. They work on the decoded string with
// charCodeAt and index ranges so the hot path allocates nothing but the slices it returns.

const enum Ch {
  Tab = 9,
  Space = 32,
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  UpperA = 65,
  UpperE = 69,
  UpperZ = 90,
  Underscore = 95,
  LowerA = 97,
  LowerE = 101,
  LowerZ = 122,
}

/** 1 = may start a legacy metric name, 2 = may continue one; label names exclude ':'. */
const METRIC_START = new Uint8Array(128);
const METRIC_CONT = new Uint8Array(128);
const LABEL_START = new Uint8Array(128);
const LABEL_CONT = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= Ch.UpperA && c <= Ch.UpperZ) || (c >= Ch.LowerA && c <= Ch.LowerZ) || c === Ch.Underscore;
  const digit = c >= Ch.Zero && c <= Ch.Nine;
  LABEL_START[c] = letter ? 1 : 0;
  LABEL_CONT[c] = letter || digit ? 1 : 0;
  METRIC_START[c] = letter || c === Ch.Colon ? 1 : 0;
  METRIC_CONT[c] = letter || digit || c === Ch.Colon ? 1 : 0;
}

export function isMetricNameStart(c: number): boolean {
  return c < 128 && METRIC_START[c] === 1;
}

/** False for NaN (a read past the end). */
export function isMetricNameChar(c: number): boolean {
  return c < 128 && METRIC_CONT[c] === 1;
}

/** False for NaN (a read past the end). */
export function isLabelNameChar(c: number): boolean {
  return c < 128 && LABEL_CONT[c] === 1;
}

export function isLabelNameStart(c: number): boolean {
  return c < 128 && LABEL_START[c] === 1;
}

/** Matches the rest of a legacy metric name; a compiled regex scans it faster than charCodeAt. */
const METRIC_NAME_REST = /[a-zA-Z0-9_:]*/y;

/** End of a legacy metric name starting at `p` (which must already be a valid start char). */
export function scanMetricName(s: string, p: number, end: number): number {
  METRIC_NAME_REST.lastIndex = p;
  METRIC_NAME_REST.test(s);
  const e = METRIC_NAME_REST.lastIndex;
  return e < end ? e : end;
}

export function scanLabelName(s: string, p: number, end: number): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c >= 128 || LABEL_CONT[c] === 0) break;
    p++;
  }
  return p;
}

export function skipBlanks(s: string, p: number, end: number): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c !== Ch.Space && c !== Ch.Tab) break;
    p++;
  }
  return p;
}

export function isBlank(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab;
}

/** s[p, p + t.length) === t for short literals; reads past the end never match (NaN). */
export function regionEquals(s: string, p: number, t: string): boolean {
  for (let i = 0; i < t.length; i++) if (s.charCodeAt(p + i) !== t.charCodeAt(i)) return false;
  return true;
}

/**
 * s[p, p + t.length) === t, for names. Slicing and comparing natively costs half of a
 * charCodeAt loop at typical metric-name lengths; the last character is checked first so most
 * mismatches cost one read.
 */
export function textAt(s: string, p: number, t: string): boolean {
  const n = t.length;
  return s.charCodeAt(p + n - 1) === t.charCodeAt(n - 1) && s.slice(p, p + n) === t;
}

/**
 * Character codes of s[start, end) (ASCII names only). Comparing a line against a byte array
 * is markedly faster than against another string, whose kind (sliced or flat) varies.
 */
export function codesOf(s: string, start: number, end: number): Uint8Array {
  const codes = new Uint8Array(end - start);
  for (let i = start; i < end; i++) codes[i - start] = s.charCodeAt(i);
  return codes;
}

/** s[p, p + codes.length) has exactly these codes; reads past the end never match (NaN). */
export function codesMatch(s: string, p: number, codes: Uint8Array): boolean {
  for (let i = 0; i < codes.length; i++) if (s.charCodeAt(p + i) !== codes[i]) return false;
  return true;
}

/**
 * The label names of the previous label set by position (and their codes, null when quoted),
 * for both parsers' fast path: a name equal to the one at this position last time is reused
 * as the same string, so there is no slice, no check again, and V8 need not intern a fresh
 * property key.
 */
export class LabelNameCache {
  readonly names: string[] = [];
  readonly codes: (Uint8Array | null)[] = [];
  /** How many leading entries form the last complete, checked label set. */
  valid = 0;
  /** What readBare read: the name, and whether it is the previous set's string (already checked). */
  name = '';
  reused = false;

  /** The bare label name at `p` (a name-start character) as the `count`-th label; returns where it ends. */
  readBare(s: string, p: number, end: number, count: number, valid: number): number {
    const codes = count < valid ? this.codes[count] : null;
    let e: number;
    if (codes !== null && codesMatch(s, p, codes) && !isLabelNameChar(s.charCodeAt((e = p + codes.length)))) {
      this.name = this.names[count];
      this.reused = true;
      return e;
    }
    e = scanLabelName(s, p + 1, end);
    this.name = s.slice(p, e);
    this.reused = false;
    this.codes[count] = codesOf(s, p, e);
    return e;
  }

  /** `name` is among the first `count` names of the set being read (a duplicate label). */
  repeats(name: string, count: number): boolean {
    for (let i = 0; i < count; i++) if (this.names[i] === name) return true;
    return false;
  }
}

const LEGACY_METRIC_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** For names that arrived quoted: only these need a regex, never the unquoted hot path. */
export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_RE.test(name);
}

export function isLegacyLabelName(name: string): boolean {
  return LEGACY_LABEL_RE.test(name);
}

// Powers of ten that are exact in float64: m / 10^k is then correctly rounded (Clinger's fast
// path), so plain decimals need no Number() call.
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** While mantissa <= this, mantissa * 10 + 9 < 2^53 stays exact. */
const MANTISSA_LIMIT = (2 ** 53 - 9) / 10;

/** Matches `word` (lower case) case-insensitively at s[p..end). */
function matchWord(s: string, p: number, end: number, word: string): boolean {
  if (end - p !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(p + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses a sample value token. Both formats accept the same language: Go's ParseFloat decimal
 * syntax without hex, `_` or `p` (expfmt), which equals OpenMetrics' `number` rule:
 * `[+-] (digits [. digits] | . digits) [e [+-] digits]`, `[+-]inf`, `[+-]infinity`, `nan`,
 * the words case-insensitive. Returns undefined when the token is not a number or does not fit
 * a float64 (`1e400`). `text`, if given, is s[start, end) already sliced by the caller.
 */
export function parseFloatToken(s: string, start: number, end: number, text?: string): number | undefined {
  if (start >= end) return undefined;
  let p = start;
  let c = s.charCodeAt(p);
  let negative = false;
  if (c === Ch.Plus || c === Ch.Minus) {
    negative = c === Ch.Minus;
    p++;
    if (p >= end) return undefined;
    c = s.charCodeAt(p);
  }
  if (c >= Ch.Zero && c <= Ch.Nine || c === Ch.Dot) {
    let mantissa = 0;
    let intDigits = 0;
    let fracDigits = 0;
    let exact = true; // mantissa holds every digit so far
    while (p < end) {
      c = s.charCodeAt(p);
      if (c < Ch.Zero || c > Ch.Nine) break;
      if (exact && mantissa <= MANTISSA_LIMIT) {
        mantissa = mantissa * 10 + (c - Ch.Zero);
      } else exact = false;
      intDigits++;
      p++;
    }
    if (p < end && c === Ch.Dot) {
      p++;
      while (p < end) {
        c = s.charCodeAt(p);
        if (c < Ch.Zero || c > Ch.Nine) break;
        if (exact && mantissa <= MANTISSA_LIMIT) {
          mantissa = mantissa * 10 + (c - Ch.Zero);
          fracDigits++;
        } else exact = false;
        p++;
      }
      if (intDigits === 0 && fracDigits === 0 && exact) return undefined; // "." alone
    }
    if (intDigits === 0 && fracDigits === 0 && exact) return undefined;
    if (p === end) {
      if (exact && fracDigits <= 22) {
        const v = fracDigits === 0 ? mantissa : mantissa / POW10[fracDigits];
        return negative ? -v : v;
      }
      return finiteOrUndefined(Number(text ?? s.slice(start, end)));
    }
    if (c !== Ch.LowerE && c !== Ch.UpperE) return undefined;
    p++;
    if (p < end) {
      c = s.charCodeAt(p);
      if (c === Ch.Plus || c === Ch.Minus) p++;
    }
    const expNegative = c === Ch.Minus;
    const expStart = p;
    let exponent = 0;
    while (p < end) {
      c = s.charCodeAt(p);
      if (c < Ch.Zero || c > Ch.Nine) return undefined;
      if (exponent < 1000) exponent = exponent * 10 + (c - Ch.Zero);
      p++;
    }
    if (p === expStart) return undefined;
    const scale = (expNegative ? -exponent : exponent) - fracDigits;
    if (exact && scale >= -22 && scale <= 22) {
      // Both factors are exact doubles, so one multiplication or division rounds correctly.
      const v = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
      return negative ? -v : v;
    }
    return finiteOrUndefined(Number(text ?? s.slice(start, end)));
  }
  if (matchWord(s, p, end, 'inf') || matchWord(s, p, end, 'infinity')) {
    return negative ? -Infinity : Infinity;
  }
  if (p === start && matchWord(s, p, end, 'nan')) return NaN;
  return undefined;
}

function finiteOrUndefined(v: number): number | undefined {
  // Number() has already accepted exactly the validated decimal syntax; infinity here means
  // the literal overflowed float64, which both reference parsers reject.
  return v === Infinity || v === -Infinity ? undefined : v;
}

/** The offset after an optional leading '+' or '-' (timestamps may carry either). */
function afterSign(s: string, start: number): number {
  const c = s.charCodeAt(start);
  return c === Ch.Plus || c === Ch.Minus ? start + 1 : start;
}

/**
 * Parses a 0.0.4 timestamp: Go ParseInt syntax (`[+-]digits`) within int64, in milliseconds.
 */
export function parseIntTimestamp(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  const negative = s.charCodeAt(start) === Ch.Minus;
  let p = afterSign(s, start);
  if (p >= end) return undefined;
  let c: number;
  let v = 0;
  const digitStart = p;
  for (; p < end; p++) {
    c = s.charCodeAt(p);
    if (c < Ch.Zero || c > Ch.Nine) return undefined;
    v = v * 10 + (c - Ch.Zero);
  }
  if (p - digitStart > 15) {
    // Beyond 2^53 only the int64 range check needs exact arithmetic.
    const big = BigInt(s.slice(digitStart, end));
    if (big > (negative ? 9223372036854775808n : 9223372036854775807n)) return undefined;
    v = Number(big);
  }
  return negative ? -v : v;
}

/**
 * Parses an OpenMetrics timestamp (`realnumber` seconds, no inf/nan) into milliseconds.
 * Plain decimals are converted from their digits, truncated to nanoseconds as the Python
 * reference does, so `1.001` is exactly 1001 ms; exponent forms go through float64.
 */
export function parseSecondsTimestamp(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  const negative = s.charCodeAt(start) === Ch.Minus;
  let p = afterSign(s, start);
  let c: number;
  const intStart = p;
  while (p < end && (c = s.charCodeAt(p)) >= Ch.Zero && c <= Ch.Nine) p++;
  const intEnd = p;
  let fracStart = p;
  let fracEnd = p;
  if (p < end && s.charCodeAt(p) === Ch.Dot) {
    p++;
    fracStart = p;
    while (p < end && (c = s.charCodeAt(p)) >= Ch.Zero && c <= Ch.Nine) p++;
    fracEnd = p;
  }
  if (intEnd === intStart && fracEnd === fracStart) return undefined;
  if (p < end) {
    c = s.charCodeAt(p);
    if (c !== Ch.LowerE && c !== Ch.UpperE) return undefined;
    p++;
    if (p < end && ((c = s.charCodeAt(p)) === Ch.Plus || c === Ch.Minus)) p++;
    const expStart = p;
    while (p < end && (c = s.charCodeAt(p)) >= Ch.Zero && c <= Ch.Nine) p++;
    if (p === expStart || p !== end) return undefined;
    const seconds = Number(s.slice(start, end));
    if (!Number.isFinite(seconds)) return undefined;
    return seconds * 1000;
  }
  let sec = 0;
  if (intEnd - intStart > 15) sec = Number(s.slice(intStart, intEnd)); // correctly rounded
  else for (let i = intStart; i < intEnd; i++) sec = sec * 10 + (s.charCodeAt(i) - Ch.Zero);
  let nsec = 0;
  for (let i = 0; i < 9; i++) {
    const at = fracStart + i;
    nsec = nsec * 10 + (at < fracEnd ? s.charCodeAt(at) - Ch.Zero : 0);
  }
  const ms = sec * 1000 + nsec / 1e6;
  return negative ? -ms : ms;
}

/** 1-based column of `pos` in code points from `lineStart` (surrogate pairs count once). */
export function columnOf(s: string, lineStart: number, pos: number): number {
  let col = 1;
  for (let i = lineStart; i < pos && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) col++;
  }
  return col;
}

/** Number of code points, for limits the specifications state in characters. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}
