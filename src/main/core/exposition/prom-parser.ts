// Prometheus text format 0.0.4 (and its quoted UTF-8 name extension, "PrometheusText1.0.0").
// Strict mode follows expfmt's TextParser, the Go reference: same accept/reject decisions and
// the same line for the first error. Lenient mode additionally ingests what Prometheus' own
// scrape parser accepts, with a warning for each deviation.

import type { Family, Labels, MetricType, ParseOptions, Sample } from './types';
import * as lineParser from './line-parser';
import * as scan from './scan';

// Imported functions bound once: CommonJS output (tsx, vitest) turns each use of an imported
// name into a getter call, which costs more than the work in these hot loops.
const { LineParser, setLabel } = lineParser;
const {
  isBlank,
  isLabelNameStart,
  isLegacyLabelName,
  isLegacyMetricName,
  isMetricNameChar,
  isMetricNameStart,
  parseFloatToken,
  parseIntTimestamp,
  regionEquals,
  textAt,
  scanMetricName,
  skipBlanks,
  LabelNameCache,
} = scan;

const HASH = 35;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const CR = 13;

/** How a sample relates to its family, which decides the histogram/summary checks. */
const enum Role {
  Plain,
  Count,
  Sum,
}

interface FamilyState {
  family: Family;
  /** expfmt fixes the type at the first sample, so a later TYPE line is an error. */
  typeFixed: boolean;
  helpSeen: boolean;
  /** Whether the name is a legacy one, which unquoted sample lines can match in place; undefined until first needed. */
  legacy: boolean | undefined;
  /** name_count, name_sum, name_bucket, made once so samples share the strings. */
  suffixed: [string, string, string] | null;
  /** Samples accepted, kept or not (see ParseOptions.keepSamples). */
  sampleCount: number;
}

const SUFFIXES = ['_count', '_sum', '_bucket'] as const;

const TYPE_WORDS: Record<string, MetricType> = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  SUMMARY: 'summary',
  UNTYPED: 'untyped',
  HISTOGRAM: 'histogram',
  GAUGEHISTOGRAM: 'gaugehistogram',
  GAUGE_HISTOGRAM: 'gaugehistogram',
};

/** The usual spelling, found without upper-casing a fresh string per TYPE line. */
const LOWER_TYPE_WORDS = new Map<string, MetricType>(Object.entries(TYPE_WORDS).map(([k, v]) => [k.toLowerCase(), v]));

function isHistogram(t: MetricType): boolean {
  return t === 'histogram' || t === 'gaugehistogram';
}

export class PromParser extends LineParser {
  private readonly byName = new Map<string, FamilyState>();
  private readonly order: FamilyState[] = [];
  // One-entry caches: consecutive samples usually share a name and family.
  private lastName = '';
  private lastState: FamilyState | null = null;
  private lastRole = Role.Plain;
  /** Families whose own name ends in _count, _sum or _bucket (see resolveFamily). */
  private suffixedFamilies = 0;
  /** Family of the last HELP/TYPE line: usually the next sample's exact name. */
  private metaState: FamilyState | null = null;
  /** Family of the last HELP/TYPE line or sample: what the next sample most likely belongs to. */
  private current: FamilyState | null = null;
  // Set by matchCurrent.
  private matchedName = '';
  private matchedRole = Role.Plain;
  /** Metric name found quoted inside the braces by `readLabels`. */
  private braceName: string | undefined;
  /** Label names of the current label set by position, kept as a cache for the next one. */
  private readonly labelCache = new LabelNameCache();

  constructor(opts: ParseOptions) {
    super(opts);
  }

  protected parseLine(start: number, end: number): void {
    const s = this.s;
    let c = s.charCodeAt(start);
    if (isMetricNameStart(c)) {
      this.sampleLine(start, end);
      return;
    }
    const p = skipBlanks(s, start, end);
    if (p === end) {
      // Blank or whitespace-only line: ignored, even unterminated (expfmt good-07).
      if (this.unterminatedLastLine) this.unterminatedLastLine = false;
      return;
    }
    c = s.charCodeAt(p);
    if (c === HASH) this.commentLine(p + 1, end);
    else this.sampleLine(p, end);
  }

  finish(): Family[] {
    if (this.unterminatedLastLine) {
      this.reportAtLine(
        this.line,
        1,
        'missing-final-newline',
        'unexpected end of input: the last line must end with a line feed (\\n)',
        this.lenient ? 'warning' : 'error',
      );
    }
    const families: Family[] = [];
    for (const st of this.order) if (st.sampleCount > 0) families.push(st.family);
    return families;
  }

  // ---- comments, HELP and TYPE ----

  private commentLine(p: number, end: number): void {
    const s = this.s;
    p = skipBlanks(s, p, end);
    let k = p;
    while (k < end && !isBlank(s.charCodeAt(k))) k++;
    if (k === end) return; // `#`, `# word`: a plain comment
    const keywordLen = k - p;
    const isHelp = keywordLen === 4 && regionEquals(s, p, 'HELP');
    const isType = !isHelp && keywordLen === 4 && regionEquals(s, p, 'TYPE');
    if (!isHelp && !isType) return;
    p = skipBlanks(s, k, end);
    if (p === end) return; // `# HELP` without a name is not an error in expfmt
    const name = this.readCommentName(p, end);
    if (name === undefined) return;
    p = this.pos;
    if (p === end) return; // `# HELP name` without text is ignored entirely
    if (!isBlank(s.charCodeAt(p))) {
      this.report(p, 'invalid-metric-name', `invalid metric name in ${isHelp ? 'HELP' : 'TYPE'} line: unexpected '${s[p]}'; expected a blank after the name`);
      return;
    }
    if (this.legacyNames && !isLegacyMetricName(name)) {
      this.report(p, 'invalid-metric-name', `invalid metric name "${name}" under legacy name validation`);
      return;
    }
    const st = this.familyFor(name);
    this.metaState = st;
    this.current = st;
    p = skipBlanks(s, p, end);
    if (p === end) return;
    if (isHelp) this.help(st, p, end);
    else this.type(st, p, end);
  }

  private readCommentName(p: number, end: number): string | undefined {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === QUOTE) {
      const name = this.readQuoted(p, end, 'reject', 'metric name');
      if (name === undefined) return undefined;
      if (name === '') {
        this.report(p, 'invalid-metric-name', 'invalid metric name "": a quoted metric name must not be empty');
        return undefined;
      }
      return name;
    }
    if (!isMetricNameStart(c)) {
      this.report(p, 'invalid-metric-name', `invalid metric name in comment: unexpected '${s[p]}'; expected [a-zA-Z_:] or a quoted name`);
      return undefined;
    }
    // TYPE usually follows HELP for the same name: compare instead of scanning and slicing.
    const meta = this.metaState;
    if (meta !== null) {
      const known = meta.family.name;
      const e = p + known.length;
      if (e <= end && !isMetricNameChar(s.charCodeAt(e)) && textAt(s, p, known)) {
        this.pos = e;
        return known;
      }
    }
    const e = scanMetricName(s, p + 1, end);
    this.pos = e;
    return s.slice(p, e);
  }

  private help(st: FamilyState, p: number, end: number): void {
    if (st.helpSeen) {
      // Lenient keeps the first text, as the family's documentation is already set.
      this.reportTolerated(p, 'duplicate-help', `second HELP line for metric name "${st.family.name}"; expected at most one`);
      return;
    }
    st.helpSeen = true;
    const text = this.unescapeHelp(p, end, this.lenient ? 'warn' : 'reject');
    if (text !== undefined) st.family.help = text;
  }

  private type(st: FamilyState, p: number, end: number): void {
    const s = this.s;
    if (st.typeFixed) {
      const after = st.sampleCount > 0 ? ', or TYPE reported after samples' : '';
      this.reportTolerated(p, 'duplicate-type', `second TYPE line for metric name "${st.family.name}"${after}; expected one TYPE before the first sample`);
      return;
    }
    // expfmt takes the rest of the line, so trailing blanks make the type unknown.
    let word = s.slice(p, end);
    let t = LOWER_TYPE_WORDS.get(word) ?? TYPE_WORDS[word.toUpperCase()];
    if (t === undefined && this.lenient) {
      const trimmed = word.replace(/[ \t]+$/, '');
      t = TYPE_WORDS[trimmed.toUpperCase()];
      if (t !== undefined) {
        this.report(p + trimmed.length, 'trailing-whitespace', 'trailing whitespace after the metric type', 'warning');
        word = trimmed;
      }
    }
    if (t === undefined) {
      if (s.charCodeAt(end - 1) === CR) {
        this.report(end - 1, 'carriage-return', 'line ends with \\r (CRLF line ends); the format requires \\n line ends');
      } else {
        this.report(p, 'unknown-type', `unknown metric type "${word}"; expected counter, gauge, histogram, summary or untyped`);
      }
      return;
    }
    st.family.type = t;
    st.typeFixed = true;
  }

  private familyFor(name: string): FamilyState {
    const meta = this.metaState;
    if (meta !== null && meta.family.name === name) return meta; // HELP then TYPE, or the first sample
    let st = this.byName.get(name);
    if (st === undefined) {
      st = {
        family: { name, type: 'untyped', help: null, unit: null, samples: [] },
        typeFixed: false,
        helpSeen: false,
        legacy: undefined,
        suffixed: null,
        sampleCount: 0,
      };
      this.byName.set(name, st);
      this.order.push(st);
      // A new exact-name family can take samples the last name resolved by suffix.
      this.lastName = '';
      if (name.endsWith('_count') || name.endsWith('_sum') || name.endsWith('_bucket')) this.suffixedFamilies++;
    }
    return st;
  }

  // ---- samples ----

  private sampleLine(start: number, end: number): void {
    const s = this.s;
    if (s.charCodeAt(end - 1) === CR) {
      this.report(end - 1, 'carriage-return', 'line ends with \\r (CRLF line ends); the format requires \\n line ends');
      return;
    }
    let name: string;
    let labels: Labels | null;
    this.le = undefined;
    this.quantile = undefined;
    let matched: FamilyState | null = null;
    let p = start;
    const c = s.charCodeAt(p);
    if (c === LBRACE) {
      const read = this.readLabels(p, end, undefined);
      if (read === undefined) return;
      labels = read;
      if (this.braceName === undefined) {
        this.report(start, 'invalid-metric-name', 'invalid metric name: the braces hold no quoted metric name; expected {"name", ...} or name{...}');
        return;
      }
      name = this.braceName;
      p = skipBlanks(s, this.pos, end);
    } else if (isMetricNameStart(c)) {
      let e = this.matchCurrent(p, end);
      if (e !== -1) {
        name = this.matchedName;
        matched = this.current;
      } else {
        e = scanMetricName(s, p + 1, end);
        // Keep using one string object per name: later identity checks then cost nothing.
        name = s.slice(p, e);
        if (name === this.lastName) name = this.lastName;
        else if (this.metaState !== null && name === this.metaState.family.name) name = this.metaState.family.name;
      }
      p = skipBlanks(s, e, end);
      if (p < end && s.charCodeAt(p) === LBRACE) {
        const read = this.readLabels(p, end, name);
        if (read === undefined) return;
        labels = read;
        p = skipBlanks(s, this.pos, end);
      } else {
        if (p === e && p < end) {
          this.report(p, 'invalid-metric-name', `invalid character '${s[p]}' in metric name "${name}"; expected [a-zA-Z0-9_:], '{' or a blank`);
          return;
        }
        labels = this.keepSamples ? {} : null;
      }
    } else {
      this.report(p, 'invalid-metric-name', `invalid metric name: unexpected '${s[p]}'; expected [a-zA-Z_:] or '{'`);
      return;
    }

    // value: up to the next blank; a native search for the space, tabs being rare
    const vStart = p;
    p = s.indexOf(' ', vStart);
    if (p === -1 || p > end) p = end;
    let valueText = s.slice(vStart, p);
    let value = parseFloatToken(s, vStart, p, valueText);
    if (value === undefined) {
      const tab = valueText.indexOf('\t');
      if (tab !== -1) {
        p = vStart + tab;
        valueText = s.slice(vStart, p);
        value = parseFloatToken(s, vStart, p, valueText);
      }
    }
    if (value === undefined) {
      const got = valueText;
      this.report(vStart, 'invalid-value', got === ''
        ? `expected a float value after "${name}"`
        : `expected float as value, got "${got}" (e.g. 1, -2.5e3, NaN, +Inf)`);
      return;
    }

    // optional timestamp
    let timestampMs: number | null = null;
    if (p < end) {
      const blank = p;
      p = skipBlanks(s, p, end);
      if (p === end) {
        this.reportTolerated(blank, 'trailing-whitespace', 'trailing whitespace after the value; expected a timestamp or the end of the line');
        if (!this.lenient) return;
      } else {
        const tStart = p;
        while (p < end && !isBlank(s.charCodeAt(p))) p++;
        const ts = parseIntTimestamp(s, tStart, p);
        if (ts === undefined) {
          this.report(tStart, 'invalid-timestamp', `expected integer as timestamp (milliseconds), got "${s.slice(tStart, p)}"`);
          return;
        }
        timestampMs = ts;
        if (p < end) {
          const rest = skipBlanks(s, p, end);
          if (rest === end) {
            this.reportTolerated(p, 'trailing-whitespace', 'trailing whitespace after the timestamp; expected the end of the line');
            if (!this.lenient) return;
          } else {
            this.report(rest, 'unexpected-text', `spurious string after timestamp: "${s.slice(rest, end)}"; expected the end of the line`);
            return;
          }
        }
      }
    }
    this.addSample(name, labels, value, valueText, timestampMs, vStart, matched);
  }

  /**
   * Matches the sample name at s[p] against the current family in place, as its exact name or
   * (summary, histogram) with _count/_sum/_bucket. Most lines belong to the family of the line
   * before, and this spares scanning, slicing and looking the name up. Returns the end of the
   * name, or -1 to take the general path.
   */
  private matchCurrent(p: number, end: number): number {
    const st = this.current;
    if (st === null) return -1;
    const name = st.family.name;
    if (st.legacy === false || (st.legacy === undefined && !(st.legacy = isLegacyMetricName(name)))) return -1;
    const e = p + name.length;
    if (e > end) return -1;
    const s = this.s;
    // The character after the name decides what to compare, so most mismatches cost one read.
    const c = s.charCodeAt(e);
    if (!isMetricNameChar(c)) {
      if (!textAt(s, p, name)) return -1;
      this.matchedName = name;
      this.matchedRole = Role.Plain;
      return e;
    }
    // A family with the suffixed name itself would win (expfmt), so only while none exists.
    const t = st.family.type;
    if (c !== 95 || this.suffixedFamilies > 0 || !(t === 'summary' || isHistogram(t))) return -1;
    const c1 = s.charCodeAt(e + 1);
    const k = c1 === 99 /* c */ ? 0 : c1 === 115 /* s */ ? 1 : c1 === 98 /* b */ && t !== 'summary' ? 2 : -1;
    if (k === -1) return -1;
    const suffix = SUFFIXES[k];
    if (!regionEquals(s, e, suffix) || isMetricNameChar(s.charCodeAt(e + suffix.length)) || !textAt(s, p, name)) return -1;
    const names = (st.suffixed ??= [name + '_count', name + '_sum', name + '_bucket']);
    this.matchedName = names[k];
    this.matchedRole = k === 0 ? Role.Count : k === 1 ? Role.Sum : Role.Plain;
    return e + suffix.length;
  }

  /**
   * Reads `{...}` starting at the brace. `outerName` is the name written before the brace, if
   * any; a bare quoted string inside is the metric name and lands in `braceName`.
   */
  private readLabels(brace: number, end: number, outerName: string | undefined): Labels | null | undefined {
    const s = this.s;
    // Validation only: the names and values are checked, but no object is built.
    const labels: Labels | null = this.keepSamples ? {} : null;
    const seen = this.labelCache.names;
    let count = 0;
    // seen[0, valid) is the previous complete label set; reset until this one completes.
    const valid = this.labelCache.valid;
    this.labelCache.valid = 0;
    let hit = false;
    let allHits = true;
    this.braceName = undefined;
    let p = brace + 1;
    for (;;) {
      p = skipBlanks(s, p, end);
      if (p >= end) {
        this.report(p, 'expected-label-separator', 'unexpected end of line inside the label set; expected a label name or \'}\'');
        return undefined;
      }
      let c = s.charCodeAt(p);
      if (c === RBRACE) break;
      let labelName: string;
      const nameAt = p;
      if (c === QUOTE) {
        const q = this.readQuoted(p, end, 'reject', 'label name');
        if (q === undefined) return undefined;
        p = skipBlanks(s, this.pos, end);
        c = p < end ? s.charCodeAt(p) : -1;
        if (c !== EQUALS) {
          // A bare quoted string is the metric name (UTF-8 name syntax).
          if (outerName !== undefined) {
            this.report(nameAt, 'multiple-metric-names', `metric name "${outerName}" is already set before the braces; found "${q}" as well`);
            return undefined;
          }
          if (this.braceName !== undefined) {
            this.report(nameAt, 'multiple-metric-names', `multiple metric names for metric "${this.braceName}": found "${q}" as well`);
            return undefined;
          }
          if (c !== COMMA && c !== RBRACE) {
            this.report(p, 'expected-label-separator', `unexpected end of metric name "${q}"; expected ',' or '}'`);
            return undefined;
          }
          if (q === '' || (this.legacyNames && !isLegacyMetricName(q))) {
            this.report(nameAt, 'invalid-metric-name', `invalid metric name "${q}"${this.legacyNames ? ' under legacy name validation' : ''}`);
            return undefined;
          }
          this.braceName = q;
          if (c === COMMA) p++;
          continue;
        }
        labelName = q;
        this.labelCache.codes[count] = null; // written quoted: never matched in place
        if (labelName === '' || (this.legacyNames && !isLegacyLabelName(labelName))) {
          this.report(nameAt, 'invalid-label-name', `invalid label name "${labelName}"${this.legacyNames ? ' under legacy name validation' : ''}`);
          return undefined;
        }
      } else if (isLabelNameStart(c)) {
        p = skipBlanks(s, this.labelCache.readBare(s, p, end, count, valid), end);
        labelName = this.labelCache.name;
        hit = this.labelCache.reused;
        if (p >= end || s.charCodeAt(p) !== EQUALS) {
          this.report(p, 'expected-equals', `expected '=' after label name "${labelName}", found ${p < end ? `'${s[p]}'` : 'the end of the line'}`);
          return undefined;
        }
      } else {
        this.report(p, 'invalid-label-name', `invalid label name: unexpected '${s[p]}'; expected [a-zA-Z_] or a quoted name`);
        return undefined;
      }
      if (!hit) {
        if (labelName === '__name__') {
          this.report(nameAt, 'reserved-label-name', 'label name "__name__" is reserved');
          return undefined;
        }
        allHits = false;
      }
      // While every name so far repeats the previous (checked) label set, none can repeat.
      if (!allHits && this.labelCache.repeats(labelName, count)) {
        this.report(nameAt, 'duplicate-label', `duplicate label names: "${labelName}" appears twice`);
        return undefined;
      }
      seen[count++] = labelName;
      hit = false;
      // at '='
      p = skipBlanks(s, p + 1, end);
      if (p >= end || s.charCodeAt(p) !== QUOTE) {
        this.report(p, 'expected-quote', `expected '"' at start of label value for "${labelName}", found ${p < end ? `'${s[p]}'` : 'the end of the line'}`);
        return undefined;
      }
      const value = this.readQuoted(p, end, this.lenient ? 'warn' : 'reject', 'label value');
      if (value === undefined) return undefined;
      if (labels !== null) setLabel(labels, labelName, value);
      // The two labels with rules of their own (checkStructured), kept aside.
      if (labelName.length === 2 ? labelName === 'le' : labelName.length === 8 && labelName === 'quantile') {
        if (labelName === 'le') this.le = value;
        else this.quantile = value;
      }
      p = skipBlanks(s, this.pos, end);
      c = p < end ? s.charCodeAt(p) : -1;
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === RBRACE) break;
      this.report(p, 'expected-label-separator', `unexpected end of label value "${value}"; expected ',' or '}'`);
      return undefined;
    }
    this.pos = p + 1;
    this.labelCache.valid = count;
    return labels;
  }

  private addSample(
    name: string,
    labels: Labels | null,
    value: number,
    valueText: string,
    timestampMs: number | null,
    valueAt: number,
    matched: FamilyState | null,
  ): void {
    let st: FamilyState;
    let role: Role;
    if (matched !== null) {
      st = matched;
      role = this.matchedRole;
    } else if (name === this.lastName && this.lastState !== null) {
      st = this.lastState;
      role = this.lastRole;
    } else if (this.metaState !== null && name === this.metaState.family.name) {
      st = this.metaState;
      role = Role.Plain;
      this.lastName = name;
      this.lastState = st;
      this.lastRole = role;
    } else {
      if (this.legacyNames && !isLegacyMetricName(name)) {
        // Only reachable for quoted names; the unquoted grammar is the legacy one.
        this.report(this.lineStart, 'invalid-metric-name', `invalid metric name "${name}" under legacy name validation`);
        return;
      }
      const found = this.resolveFamily(name);
      st = found;
      role = this.resolvedRole;
      this.lastName = name;
      this.lastState = st;
      this.lastRole = role;
    }
    this.current = st;
    const family = st.family;
    if (!st.typeFixed) st.typeFixed = true;
    const type = family.type;
    if (type !== 'counter' && type !== 'gauge' && type !== 'untyped' && !this.checkStructured(family, role, value, valueAt)) {
      return;
    }
    st.sampleCount++;
    if (this.keepSamples) {
      const sample: Sample = { name, labels: labels!, value, valueText, timestampMs, exemplar: null, line: this.line };
      family.samples.push(sample);
    }
  }

  private resolvedRole = Role.Plain;
  /** Values of the current sample's `le` and `quantile` labels, if it has them. */
  private le: string | undefined = undefined;
  private quantile: string | undefined = undefined;

  /** expfmt's setOrCreateCurrentMF: exact name, then `_count`/`_sum`/`_bucket` of a declared family. */
  private resolveFamily(name: string): FamilyState {
    this.resolvedRole = Role.Plain;
    const cut = name.endsWith('_count') ? 6 : name.endsWith('_sum') ? 4 : name.endsWith('_bucket') ? 7 : 0;
    // An exact-name family wins. Families named like `x_sum` are rare, so while none exists
    // the lookup (hashing a fresh string) is skipped for suffixed names.
    if (cut === 0 || this.suffixedFamilies > 0) {
      const exact = this.byName.get(name);
      if (exact !== undefined) return exact;
    }
    if (cut !== 0) {
      const base = name.slice(0, name.length - cut);
      const meta = this.metaState;
      const st = meta !== null && meta.family.name === base ? meta : this.byName.get(base);
      if (st !== undefined) {
        const t = st.family.type;
        if (isHistogram(t) || (cut !== 7 && t === 'summary')) {
          this.resolvedRole = cut === 6 ? Role.Count : cut === 4 ? Role.Sum : Role.Plain;
          return st;
        }
      }
    }
    return this.familyFor(name);
  }

  /** expfmt's checks on summary and histogram samples; false drops the sample (strict error). */
  private checkStructured(family: Family, role: Role, value: number, valueAt: number): boolean {
    if (family.type === 'summary') {
      const q = this.quantile;
      if (q !== undefined && parseFloatToken(q, 0, q.length) === undefined) {
        this.reportTolerated(this.lineStart, 'invalid-quantile', `expected float as value for 'quantile' label, got "${q}"`);
        return this.lenient;
      }
      return true;
    }
    if (!isHistogram(family.type)) return true;
    const le = this.le;
    const hasLe = le !== undefined;
    if (hasLe && parseFloatToken(le, 0, le.length) === undefined) {
      this.reportTolerated(this.lineStart, 'invalid-le', `expected float as value for 'le' label, got "${le}"`);
      return this.lenient;
    }
    if (role === Role.Count && value < 0) {
      this.reportTolerated(valueAt, 'negative-value', `negative count for histogram "${family.name}"; expected a value >= 0`);
      return this.lenient;
    }
    if (role === Role.Plain && hasLe && value < 0) {
      this.reportTolerated(valueAt, 'negative-value', `negative bucket population for histogram "${family.name}"; expected a value >= 0`);
      return this.lenient;
    }
    return true;
  }
}
