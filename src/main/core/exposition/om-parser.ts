// OpenMetrics 1.0 text: the line grammar (ABNF, single spaces, exemplars, `# EOF`), with the
// family semantics delegated to OmFamilyRules. Quoted UTF-8 names (OM 2.0 draft, Prometheus 3,
// client_python) are accepted under the `utf8` names option.

import type { Exemplar, Family, Labels, MetricType, ParseOptions, Sample } from './types';
import * as lineParser from './line-parser';
import { OmFamilyRules, type LabelSource } from './om-rules';
import * as scan from './scan';

// Imported functions bound once: CommonJS output (tsx, vitest) turns each use of an imported
// name into a getter call, which costs more than the work in these hot loops.
const { LineParser, setLabel } = lineParser;
const {
  codePointLength,
  columnOf,
  isLabelNameStart,
  isLegacyLabelName,
  isLegacyMetricName,
  isMetricNameChar,
  isMetricNameStart,
  parseFloatToken,
  parseSecondsTimestamp,
  regionEquals,
  scanMetricName,
  textAt,
  LabelNameCache,
} = scan;

const SP = 32;
const HASH = 35;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const CR = 13;

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);

/** Combined length of exemplar label names and values, in code points (spec "Exemplars"). */
const EXEMPLAR_LABELS_MAX = 128;

export class OmParser extends LineParser {
  private readonly rules: OmFamilyRules;
  private eofLine = 0;
  private afterEofReported = false;
  private lastName = '';
  /** Metric name found quoted inside the braces by `readLabels`. */
  private braceName: string | undefined;
  /** Label names of the last metric and exemplar label sets, kept to match the next ones. */
  private readonly metricCache = new LabelNameCache();
  private readonly exemplarCache = new LabelNameCache();
  /** The last metric label set as the rules need it (one object, rewritten per sample). */
  private readonly source = { raw: null as string | null, names: this.metricCache.names, count: 0 } satisfies LabelSource;
  private labelCount = 0;
  // Set by matchCurrent.
  private matchedName = '';
  private matchedSuffix = '';
  /** Cleared by readLabels when the text has quoted names or spaces (not canonical). */
  private plainLabels = true;

  constructor(opts: ParseOptions) {
    super(opts);
    // Dropping an exact duplicate is what client_python does with a valid input: note it only.
    this.rules = new OmFamilyRules((line, column, code, message) =>
      this.reportAtLine(line, column, code, message, this.lenient || code === 'duplicate-sample' ? 'warning' : 'error'),
    );
  }

  protected parseLine(start: number, end: number): void {
    const s = this.s;
    if (this.eofLine !== 0) {
      if (!this.afterEofReported) {
        this.afterEofReported = true;
        this.report(start, 'text-after-eof', `${start === end ? 'blank line' : 'text'} after "# EOF"; expected the input to end there`);
      }
      return;
    }
    if (start === end) {
      this.report(start, 'blank-line', 'blank lines are not allowed in OpenMetrics; expected a sample, # TYPE/HELP/UNIT or # EOF');
      return;
    }
    if (s.charCodeAt(end - 1) === CR) {
      this.report(end - 1, 'carriage-return', 'line ends with \\r (CRLF line ends); OpenMetrics requires \\n line ends');
      return;
    }
    if (s.charCodeAt(start) === HASH) this.metadataLine(start, end);
    else this.sampleLine(start, end);
  }

  finish(): Family[] {
    const families = this.rules.finish();
    if (this.eofLine === 0) {
      const at = this.unterminatedLastLine ? this.line : this.line + 1;
      this.reportAtLine(Math.max(at, 1), 1, 'missing-eof', 'missing "# EOF" at the end; an OpenMetrics exposition must end with the line # EOF', 'error');
    }
    return families;
  }

  // ---- # TYPE / # HELP / # UNIT / # EOF ----

  private metadataLine(start: number, end: number): void {
    const s = this.s;
    if (end - start === 5 && regionEquals(s, start, '# EOF')) {
      this.eofLine = this.line;
      return;
    }
    if (s.charCodeAt(start + 1) !== SP) return this.badComment(start + 1, 'expected a space after "#"');
    const k = start + 2;
    let keyword: 'TYPE' | 'HELP' | 'UNIT';
    if (regionEquals(s, k, 'TYPE ')) keyword = 'TYPE';
    else if (regionEquals(s, k, 'HELP ')) keyword = 'HELP';
    else if (regionEquals(s, k, 'UNIT ')) keyword = 'UNIT';
    else return this.badComment(k, 'comment lines are not allowed');
    let p = k + 5;
    const nameAt = p;
    let name: string;
    const c = s.charCodeAt(p);
    if (c === QUOTE && p < end) {
      const q = this.readQuoted(p, end, 'keep', 'metric name');
      if (q === undefined) return;
      if (!this.checkQuotedMetricName(q, p)) return;
      name = q;
      p = this.pos;
    } else if (p < end && isMetricNameStart(c)) {
      p = scanMetricName(s, p + 1, end);
      name = s.slice(nameAt, p);
    } else {
      return this.badComment(p, `expected a metric name after "# ${keyword}"`);
    }
    if (p >= end || s.charCodeAt(p) !== SP) {
      return this.badComment(p, p >= end ? `expected a space and a ${keyword === 'HELP' ? 'help text' : keyword === 'TYPE' ? 'type' : 'unit'} after the name` : `unexpected '${s[p]}' after the metric name`);
    }
    p++;
    let value: string;
    if (keyword === 'TYPE') {
      value = s.slice(p, end);
      if (!TYPES.has(value)) {
        this.report(p, 'unknown-type', `unknown metric type ${JSON.stringify(value)}; expected one of counter, gauge, histogram, gaugehistogram, stateset, info, summary, unknown`);
        return;
      }
    } else if (keyword === 'UNIT') {
      const e = scanMetricName(s, p, end);
      if (e !== end) {
        this.report(e, 'invalid-unit', `invalid character '${s[e]}' in unit; expected [a-zA-Z0-9_:]`);
        return;
      }
      value = s.slice(p, end);
    } else {
      value = this.unescapeHelp(p, end, 'keep')!;
    }
    this.rules.metadata(this.line, columnOf(s, this.lineStart, nameAt), keyword, name, value as MetricType | string);
  }

  // A method rather than a closure in metadataLine: that ran for every metadata line.
  private badComment(at: number, what: string): void {
    this.report(at, 'invalid-comment', `${what}; OpenMetrics allows only "# TYPE name type", "# HELP name text", "# UNIT name unit" and "# EOF", with single spaces`);
  }

  private checkQuotedMetricName(name: string, at: number): boolean {
    if (this.legacyNames && !isLegacyMetricName(name)) {
      this.report(at, 'invalid-metric-name', `invalid metric name "${name}" under legacy name validation; quoted names need UTF-8 names`);
      return false;
    }
    if (name === '') {
      this.report(at, 'invalid-metric-name', 'invalid metric name "": a quoted metric name must not be empty');
      return false;
    }
    return true;
  }

  // ---- samples ----

  private sampleLine(start: number, end: number): void {
    const s = this.s;
    let name: string;
    let labels: Labels;
    let p = start;
    const c = s.charCodeAt(p);
    let knownSuffix: string | null = null;
    if (isMetricNameStart(c)) {
      let e = this.matchCurrent(p, end);
      if (e !== -1) {
        name = this.matchedName;
        knownSuffix = this.matchedSuffix;
      } else {
        // Keep using one string object per name: later identity checks then cost nothing.
        e = scanMetricName(s, p + 1, end);
        name = s.slice(p, e);
        if (name === this.lastName) name = this.lastName;
      }
      this.lastName = name;
      p = e;
      if (p < end && s.charCodeAt(p) === LBRACE) {
        const read = this.readLabels(p, end, false);
        if (read === undefined) return;
        if (this.braceName !== undefined) {
          this.report(p, 'multiple-metric-names', `metric name "${name}" is already set before the braces; found "${this.braceName}" as well`);
          return;
        }
        labels = read;
        this.setSource(p, this.pos);
        p = this.pos;
      } else {
        labels = {};
        this.source.raw = '';
        this.source.count = 0;
      }
    } else if (c === LBRACE) {
      const read = this.readLabels(p, end, false);
      if (read === undefined) return;
      if (this.braceName === undefined) {
        this.report(start, 'invalid-metric-name', 'invalid metric name: the braces hold no quoted metric name; expected {"name", ...} or name{...}');
        return;
      }
      name = this.braceName;
      labels = read;
      this.source.raw = null; // the name inside the braces makes the text differ per sample name
      this.source.count = this.labelCount;
      p = this.pos;
    } else {
      this.report(p, 'invalid-metric-name', `invalid metric name: unexpected '${s[p]}'; expected [a-zA-Z_:]${this.legacyNames ? '' : ' or {"quoted name"}'}`);
      return;
    }
    if (p >= end || s.charCodeAt(p) !== SP) {
      this.report(p, p >= end ? 'invalid-value' : 'invalid-metric-name', p >= end
        ? `expected a space and a value after "${name}"`
        : `unexpected '${s[p]}' after "${name}"; expected a single space and the value`);
      return;
    }
    p++;
    const vStart = p;
    p = s.indexOf(' ', vStart);
    if (p === -1 || p > end) p = end;
    const valueText = s.slice(vStart, p);
    const value = parseFloatToken(s, vStart, p, valueText);
    if (value === undefined) {
      this.report(vStart, 'invalid-value', vStart === p
        ? 'expected a value after a single space'
        : `invalid value ${JSON.stringify(s.slice(vStart, p))}; expected a number such as 1, -2.5e3, NaN or +Inf`);
      return;
    }
    let timestampMs: number | null = null;
    let exemplar: Exemplar | null = null;
    if (p < end) {
      p++;
      if (p < end && s.charCodeAt(p) !== HASH) {
        const tStart = p;
        while (p < end && s.charCodeAt(p) !== SP) p++;
        const ts = parseSecondsTimestamp(s, tStart, p);
        if (ts === undefined) {
          this.report(tStart, 'invalid-timestamp', tStart === p
            ? 'expected a timestamp after a single space, or the end of the line'
            : `invalid timestamp ${JSON.stringify(s.slice(tStart, p))}; expected seconds since the epoch such as 1700000000 or 1700000000.123`);
          return;
        }
        timestampMs = ts;
        if (p < end) p++;
        else p = end + 1;
      }
      if (p <= end) {
        const ex = this.readExemplar(p, end);
        if (ex === undefined) return;
        exemplar = ex;
      }
    }
    const sample: Sample = { name, labels, value, valueText, timestampMs, exemplar, line: this.line };
    this.rules.sample(sample, 1, this.source, knownSuffix);
  }

  /**
   * Matches the sample name at s[p] in place against the current family's allowed sample
   * names. Most lines belong to the family of the line before, and this spares scanning,
   * slicing and resolving the name. Returns the end of the name, or -1.
   */
  private matchCurrent(p: number, end: number): number {
    const m = this.rules.currentNames();
    if (m === null) return -1;
    const s = this.s;
    const e = p + m.name.length;
    if (e > end || !textAt(s, p, m.name)) return -1;
    const suffixes = m.suffixes;
    for (let k = 0; k < suffixes.length; k++) {
      const suffix = suffixes[k];
      if ((suffix === '' || regionEquals(s, e, suffix)) && !isMetricNameChar(s.charCodeAt(e + suffix.length))) {
        this.matchedName = m.names[k];
        this.matchedSuffix = suffix;
        return e + suffix.length;
      }
    }
    return -1;
  }

  /** ` # {labels} value [timestamp]` with the leading space already consumed. */
  private readExemplar(p: number, end: number): Exemplar | undefined {
    const s = this.s;
    if (p >= end || !regionEquals(s, p, '# {') || p + 3 > end) {
      this.report(p, p >= end ? 'trailing-whitespace' : 'invalid-exemplar', p >= end
        ? 'trailing space at the end of the line; expected a timestamp, an exemplar or no space'
        : 'expected an exemplar " # {labels} value" or the end of the line');
      return undefined;
    }
    const brace = p + 2;
    const labels = this.readLabels(brace, end, true);
    if (labels === undefined) return undefined;
    p = this.pos;
    let length = 0;
    for (const k in labels) length += codePointLength(k) + codePointLength(labels[k]);
    if (length > EXEMPLAR_LABELS_MAX) {
      this.report(brace, 'exemplar-too-long', `exemplar labels are ${length} characters long; names and values together may have at most ${EXEMPLAR_LABELS_MAX}`);
      if (!this.lenient) return undefined;
    }
    if (p >= end || s.charCodeAt(p) !== SP) {
      this.report(p, 'invalid-exemplar', 'expected a single space and the exemplar value after its labels');
      return undefined;
    }
    p++;
    const vStart = p;
    while (p < end && s.charCodeAt(p) !== SP) p++;
    const valueText = s.slice(vStart, p);
    const value = parseFloatToken(s, vStart, p, valueText);
    if (value === undefined) {
      this.report(vStart, 'invalid-exemplar', `invalid exemplar value ${JSON.stringify(s.slice(vStart, p))}; expected a number`);
      return undefined;
    }
    let timestampMs: number | null = null;
    if (p < end) {
      const tStart = p + 1;
      let e = tStart;
      while (e < end && s.charCodeAt(e) !== SP) e++;
      const ts = e === end ? parseSecondsTimestamp(s, tStart, e) : undefined;
      if (ts === undefined) {
        this.report(tStart, 'invalid-exemplar', `invalid exemplar timestamp ${JSON.stringify(s.slice(tStart, end))}; expected seconds since the epoch and the end of the line`);
        return undefined;
      }
      timestampMs = ts;
    }
    return { labels, value, valueText, timestampMs };
  }

  /**
   * `{` [label *("," label)] `}` with no whitespace. A bare quoted string is the metric name
   * (UTF-8 names) and lands in `braceName`; exemplar label sets may not carry one.
   */
  private readLabels(brace: number, end: number, exemplar: boolean): Labels | undefined {
    const s = this.s;
    const labels: Labels = {};
    // Exemplar label sets have their own cache so they do not evict the metric's names.
    const cache = exemplar ? this.exemplarCache : this.metricCache;
    const seen = cache.names;
    let count = 0;
    // seen[0, valid) is the previous complete label set; reset until this one completes.
    const valid = cache.valid;
    cache.valid = 0;
    let hit = false;
    let allHits = true;
    this.braceName = undefined;
    this.plainLabels = true;
    let p = brace + 1;
    if (p < end && s.charCodeAt(p) === RBRACE) {
      this.pos = p + 1;
      this.labelCount = 0;
      return labels;
    }
    for (;;) {
      if (p >= end) {
        this.report(p, 'expected-label-separator', "unexpected end of line inside the label set; expected a label name or '}'");
        return undefined;
      }
      let c = s.charCodeAt(p);
      const nameAt = p;
      let labelName: string;
      if (c === QUOTE) {
        this.plainLabels = false;
        const q = this.readQuoted(p, end, 'keep', 'label name');
        if (q === undefined) return undefined;
        p = this.pos;
        c = p < end ? s.charCodeAt(p) : -1;
        if (c !== EQUALS) {
          if (c !== COMMA && c !== RBRACE) {
            this.report(p, 'expected-label-separator', `unexpected end of quoted name "${q}"; expected '=', ',' or '}'`);
            return undefined;
          }
          if (exemplar) {
            this.report(nameAt, 'invalid-exemplar', `exemplar labels cannot name a metric; expected "${q}"="value"`);
            return undefined;
          }
          if (this.braceName !== undefined) {
            this.report(nameAt, 'multiple-metric-names', `multiple metric names: "${this.braceName}" and "${q}"`);
            return undefined;
          }
          if (!this.checkQuotedMetricName(q, nameAt)) return undefined;
          this.braceName = q;
          if (c === RBRACE) break;
          p++;
          while (p < end && s.charCodeAt(p) === SP) p++;
          continue;
        }
        if (q === '' || (this.legacyNames && !isLegacyLabelName(q))) {
          this.report(nameAt, 'invalid-label-name', `invalid label name "${q}"${this.legacyNames ? ' under legacy name validation' : ''}`);
          return undefined;
        }
        labelName = q;
        cache.codes[count] = null; // written quoted: never matched in place
      } else if (isLabelNameStart(c)) {
        p = cache.readBare(s, p, end, count, valid);
        labelName = cache.name;
        hit = cache.reused;
        if (p >= end || s.charCodeAt(p) !== EQUALS) {
          this.report(p, 'expected-equals', `expected '=' after label name "${labelName}", found ${p < end ? `'${s[p]}'` : 'the end of the line'}`);
          return undefined;
        }
      } else {
        this.report(p, 'invalid-label-name', `invalid label name: unexpected '${s[p]}'; expected [a-zA-Z_]${this.legacyNames ? '' : ' or a quoted name'}`);
        return undefined;
      }
      if (!hit) {
        if (labelName.charCodeAt(0) === 95 && labelName.charCodeAt(1) === 95) {
          this.reportTolerated(nameAt, 'reserved-label-name', `label name "${labelName}" is reserved: names beginning with "__" are for internal use`);
          if (!this.lenient) return undefined;
        }
        allHits = false;
      }
      // While every name so far repeats the previous (checked) label set, none can repeat.
      if (!allHits && cache.repeats(labelName, count)) {
        this.report(nameAt, 'duplicate-label', `duplicate label name "${labelName}"`);
        return undefined;
      }
      seen[count++] = labelName;
      hit = false;
      p++; // '='
      if (p >= end || s.charCodeAt(p) !== QUOTE) {
        this.report(p, 'expected-quote', `expected '"' at start of the value of label "${labelName}", found ${p < end ? `'${s[p]}'` : 'the end of the line'}`);
        return undefined;
      }
      const value = this.readQuoted(p, end, 'keep', 'label value');
      if (value === undefined) return undefined;
      setLabel(labels, labelName, value);
      p = this.pos;
      c = p < end ? s.charCodeAt(p) : -1;
      if (c === RBRACE) break;
      if (c !== COMMA) {
        this.report(p, 'expected-label-separator', `expected ',' or '}' after the value of label "${labelName}", found ${p < end ? `'${s[p]}'` : 'the end of the line'}`);
        return undefined;
      }
      p++;
      // The ABNF has no whitespace here, but client_python (the strict OpenMetrics reference)
      // strips it, and its quoted-name tests write `{"name", label="v"}`.
      if (p < end && s.charCodeAt(p) === SP) {
        this.plainLabels = false;
        while (p < end && s.charCodeAt(p) === SP) p++;
      }
      if (p < end && s.charCodeAt(p) === RBRACE) {
        this.report(p - 1, 'expected-label-separator', "trailing comma before '}'; OpenMetrics does not allow one");
        return undefined;
      }
    }
    this.pos = p + 1;
    this.labelCount = count;
    cache.valid = count;
    return labels;
  }

  /** Records the label set s[brace, after) for the family rules. */
  private setSource(brace: number, after: number): void {
    const src = this.source;
    src.count = this.labelCount;
    src.raw = this.plainLabels && this.backslashFrom(brace) >= after ? this.s.slice(brace, after) : null;
  }
}
