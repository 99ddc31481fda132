// OpenMetrics 1.0 family semantics, applied as lines arrive: which family a sample belongs
// to, grouping and ordering, per-type value rules, name clashes and the histogram MetricPoint
// checks. The rules and their order follow client_python's OpenMetrics parser, the reference
// that passes the whole conformance suite. Prometheus' scraper checks none of them, so in
// lenient mode every violation here is a warning and the sample is kept.

import type { Family, Labels, MetricType, Sample } from './types';
import type { ProblemCode } from './problems';
import * as scan from './scan';

// Bound once: CommonJS output turns each use of an imported name into a getter call.
const { parseFloatToken } = scan;

export type RuleReporter = (line: number, column: number, code: ProblemCode, message: string) => void;

const TYPE_SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  histogram: ['_count', '_sum', '_bucket', '_created'],
  gaugehistogram: ['_gcount', '_gsum', '_bucket'],
  info: ['_info'],
};
const PLAIN: readonly string[] = [''];

const NOT_NAN_SUFFIXES = new Set(['_total', '_sum', '_count', '_bucket', '_gcount', '_gsum']);
const NOT_NEGATIVE_SUFFIXES = new Set(['_total', '_sum', '_count', '_bucket', '_gcount']);

function suffixesOf(type: MetricType | null): readonly string[] {
  return (type && TYPE_SUFFIXES[type]) || PLAIN;
}

function hasOwn(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** Canonical key of a label set without one label (`skip`), independent of label order. */
function labelsKey(labels: Labels, skip: string | null): string {
  const keys = Object.keys(labels);
  keys.sort();
  let key = '';
  for (const k of keys) if (k !== skip) key += k + '\u0000' + labels[k] + '\u0001';
  return key;
}

/** Whether two label sets are equal once `skipA` / `skipB` are ignored. */
function sameGroup(a: Labels, skipA: string | null, b: Labels, skipB: string | null): boolean {
  let na = 0;
  for (const k in a) {
    if (k === skipA) continue;
    if (k === skipB || !hasOwn(b, k) || b[k] !== a[k]) return false;
    na++;
  }
  let nb = 0;
  for (const k in b) if (k !== skipB) nb++;
  return na === nb;
}

function sameNames(names: readonly string[], source: LabelSource): boolean {
  if (source.raw === null || source.count !== names.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== source.names[i]) return false;
  return true;
}

interface OpenFamily {
  family: Family;
  /** null until a TYPE line; a family started by a sample is `unknown`. */
  type: MetricType | null;
  helpSeen: boolean;
  unitSeen: boolean;
  firstLine: number;
  /**
   * Group keys are the raw label text while every sample writes its labels the same way
   * (see `group`); null once they are canonical sorted keys.
   */
  rawNames: string[] | null;
  /**
   * Lazily built CurrentNames; undefined until needed or after the type changes. Declared in
   * the literal: a property added later gives the object a map V8 holds only weakly, and its
   * collection at an idle GC threw away the optimized parser code.
   */
  names: CurrentNames | null | undefined;
}

/** The current family's sample names, for matching sample lines in place (see OmParser). */
export interface CurrentNames {
  /** The family name (a legacy name, so unquoted sample lines can match it in place). */
  name: string;
  /** Allowed suffixes for the type, and the full sample name for each. */
  suffixes: readonly string[];
  names: string[];
}

/**
 * How the parser saw a sample's label set: its source text when that text is canonical for
 * the family (no escapes, quoted names or spaces), and its label names in written order.
 */
export interface LabelSource {
  raw: string | null;
  names: readonly string[];
  count: number;
}

/** Says why a name is taken, with the usual cause: 0.0.4-style names fed to OpenMetrics. */
function clashMessage(family: Family, sampleName: string, owner: Family, ownerLine: number): string {
  const ownerSuffixes = suffixesOf(owner.type);
  if (family.type === 'unknown' && family.samples.length > 0 && owner.name === family.name && !ownerSuffixes.includes('')) {
    const expected = ownerSuffixes.map((x) => owner.name + x).join(' or ');
    return `sample "${sampleName}" does not belong to the ${owner.type} family "${owner.name}" (line ${ownerLine}), whose samples must be named ${expected}, and cannot start a family of the same name (as in 0.0.4 text, where counters need no _total)`;
  }
  return `family "${family.name}" clashes with the name "${sampleName}" already used by the ${owner.type} family "${owner.name}" (line ${ownerLine}); families must be contiguous and their sample names unique`;
}

export class OmFamilyRules {
  private readonly families: Family[] = [];
  /** Family names plus their type's sample names, for the clash rule, with who took them. */
  private readonly seenNames = new Map<string, { family: Family; line: number }>();
  private current: OpenFamily | null = null;

  // grouping state of the current family
  private groupLabels: Labels | null = null;
  private groupSkip: string | null = null;
  private groupRaw: string | null = null;
  private groupTimestamp: number | null = null;
  private readonly seenGroups = new Set<string>();
  /**
   * Group keys of the current family while each was greater than the one before. Such keys
   * cannot repeat, so they need no Set: hashing a dcgm-exporter label set (about 250
   * characters) into one cost a third of the OpenMetrics parse. Exporters usually write a
   * family's series in a fixed sorted order (dcgm-exporter by GPU index, ascending as text up to
   * ten GPUs); the first key out of order moves them all into `seenGroups`.
   */
  private readonly ascendingKeys: string[] = [];
  private keysAscending = true;
  /**
   * Series seen in the current group, for dropping duplicates. Within a group series differ
   * only by name and the skipped label's value (all labels for info), so they are kept as
   * name -> values without building key strings; the first one is held alone, since most
   * groups of a dcgm-style family have one sample.
   */
  private groupFirstName: string | null = null;
  private groupFirstValue: string | null = null;
  private readonly groupSeries = new Map<string, Set<string | null>>();

  // one-entry cache of the last sample name's relation to the current family
  private lastName = '';
  private lastSuffix = '';

  constructor(private readonly report: RuleReporter) {}

  /** A `# TYPE`, `# HELP` or `# UNIT` line for `name`. */
  metadata(line: number, column: number, keyword: 'TYPE' | 'HELP' | 'UNIT', name: string, value: string | MetricType): void {
    let cur = this.current;
    if (cur !== null && cur.family.name === name) {
      if (cur.family.samples.length > 0) {
        this.report(line, column, 'metadata-after-samples', `# ${keyword} for "${name}" after its samples; metadata must come before the family's first sample`);
      }
    } else {
      cur = this.open(name, null, line);
    }
    if (keyword === 'TYPE') {
      if (cur.type !== null) {
        this.report(line, column, 'duplicate-type', `more than one TYPE line for "${name}"; expected at most one`);
        return;
      }
      cur.type = value as MetricType;
      cur.family.type = value as MetricType;
      cur.names = undefined;
      this.lastName = '';
    } else if (keyword === 'HELP') {
      if (cur.helpSeen) {
        this.report(line, column, 'duplicate-help', `more than one HELP line for "${name}"; expected at most one`);
        return;
      }
      cur.helpSeen = true;
      // An empty HELP or UNIT "MUST be treated as if no metadata line existed".
      cur.family.help = value === '' ? null : value;
    } else {
      if (cur.unitSeen) {
        this.report(line, column, 'duplicate-unit', `more than one UNIT line for "${name}"; expected at most one`);
        return;
      }
      cur.unitSeen = true;
      cur.family.unit = value === '' ? null : value;
    }
  }

  /** A syntactically valid sample line. */
  sample(s: Sample, column: number, source: LabelSource, knownSuffix: string | null): void {
    let cur = this.current;
    let suffix: string;
    if (knownSuffix !== null) {
      suffix = knownSuffix;
      this.lastName = s.name;
      this.lastSuffix = suffix;
    } else if (s.name === this.lastName && cur !== null) {
      suffix = this.lastSuffix;
    } else {
      let found: string | null = null;
      if (cur !== null) {
        const famName = cur.family.name;
        if (s.name.startsWith(famName)) {
          const sfx = s.name.slice(famName.length);
          if (suffixesOf(cur.type).includes(sfx)) found = sfx;
        }
      }
      if (found === null) {
        cur = this.open(s.name, 'unknown', s.line);
        found = '';
      }
      suffix = found;
      this.lastName = s.name;
      this.lastSuffix = suffix;
    }
    const open = cur!;
    const family = open.family;
    const name = family.name;
    const type = family.type;
    const line = s.line;
    const labels = s.labels;
    const value = s.value;

    if (type === 'stateset' && !hasOwn(labels, name)) {
      this.report(line, column, 'invalid-stateset', `stateset sample without the label "${name}" naming its state`);
    }
    if (suffix === '_bucket') {
      const le = hasOwn(labels, 'le') ? labels.le : undefined;
      const bound = le === undefined ? undefined : parseFloatToken(le, 0, le.length);
      if (bound === undefined || Number.isNaN(bound) || (bound === Infinity && le !== '+Inf')) {
        this.report(line, column, 'invalid-le', le === undefined
          ? `bucket of histogram "${name}" has no "le" label; expected le="<upper bound>"`
          : `invalid le label "${le}"; expected a number, with +Inf written exactly as "+Inf"`);
      }
      if (!Number.isInteger(value)) {
        this.report(line, column, 'non-integer-value', `bucket value ${s.valueText} of "${name}" must be an integer`);
      }
    } else if ((suffix === '_count' || suffix === '_gcount') && !Number.isInteger(value)) {
      this.report(line, column, 'non-integer-value', `count value ${s.valueText} of "${name}" must be an integer`);
    }
    if (type === 'summary' && suffix === '') {
      const q = hasOwn(labels, 'quantile') ? labels.quantile : undefined;
      const qv = q === undefined ? undefined : parseFloatToken(q, 0, q.length);
      if (qv === undefined || !(qv >= 0 && qv <= 1)) {
        this.report(line, column, 'invalid-quantile', q === undefined
          ? `summary quantile sample without a "quantile" label`
          : `invalid quantile label "${q}"; expected a number between 0 and 1`);
      }
    }

    this.group(open, s, suffix, column, source);

    if (type === 'stateset' && value !== 0 && value !== 1) {
      this.report(line, column, 'invalid-stateset', `stateset value ${s.valueText} must be 0 or 1`);
    }
    if (type === 'info' && value !== 1) {
      this.report(line, column, 'invalid-info-value', `info value ${s.valueText} must be 1`);
    }
    if (type === 'summary' && suffix === '' && value < 0) {
      this.report(line, column, 'negative-value', `quantile value ${s.valueText} must not be negative`);
    }
    if (suffix !== '') {
      if (Number.isNaN(value) && NOT_NAN_SUFFIXES.has(suffix)) {
        this.report(line, column, 'nan-value', `counter-like sample "${s.name}" must not be NaN`);
      }
      if (value < 0 && NOT_NEGATIVE_SUFFIXES.has(suffix)) {
        this.report(line, column, 'negative-value', `counter-like sample "${s.name}" must not be negative, got ${s.valueText}`);
      }
    }
    if (s.exemplar !== null && !((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket') && !(type === 'counter' && suffix === '_total')) {
      this.report(line, column, 'exemplar-not-allowed', `exemplar on "${s.name}"; only counter _total and histogram _bucket samples may have exemplars`);
    }
  }

  /** The current family's names, when it has a legacy name that sample lines can match. */
  currentNames(): CurrentNames | null {
    const cur = this.current;
    if (cur === null) return null;
    if (cur.names === undefined) {
      const name = cur.family.name;
      if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) {
        const suffixes = suffixesOf(cur.type);
        cur.names = { name, suffixes, names: suffixes.map((x) => name + x) };
      } else {
        cur.names = null;
      }
    }
    return cur.names;
  }

  /** Ends the input: closes the last family and returns all families in input order. */
  finish(): Family[] {
    this.close();
    return this.families;
  }

  private open(name: string, type: MetricType | null, line: number): OpenFamily {
    this.close();
    const family: Family = { name, type: type ?? 'unknown', help: null, unit: null, samples: [] };
    this.families.push(family);
    const cur: OpenFamily = { family, type, helpSeen: false, unitSeen: false, firstLine: line, rawNames: null, names: undefined };
    this.current = cur;
    this.groupLabels = null;
    this.groupSkip = null;
    this.groupRaw = null;
    this.groupTimestamp = null;
    this.seenGroups.clear();
    this.ascendingKeys.length = 0;
    this.keysAscending = true;
    this.groupFirstName = null;
    this.groupSeries.clear();
    this.lastName = '';
    return cur;
  }

  /** client_python's build_metric: rules that need the whole family. */
  private close(): void {
    const cur = this.current;
    if (cur === null) return;
    this.current = null;
    const { family } = cur;
    const name = family.name;
    for (const suffix of new Set([...suffixesOf(family.type), ''])) {
      const sampleName = name + suffix;
      const owner = this.seenNames.get(sampleName);
      if (owner !== undefined) {
        this.report(cur.firstLine, 1, 'clashing-name', clashMessage(family, sampleName, owner.family, owner.line));
        break;
      }
      this.seenNames.set(sampleName, { family, line: cur.firstLine });
    }
    if (family.unit !== null) {
      if (!name.endsWith('_' + family.unit)) {
        this.report(cur.firstLine, 1, 'invalid-unit', `unit "${family.unit}" is not a suffix of the family name "${name}"; expected a name ending in _${family.unit}`);
      }
      if (family.type === 'info' || family.type === 'stateset') {
        this.report(cur.firstLine, 1, 'invalid-unit', `${family.type} family "${name}" must not have a unit`);
      }
    }
    if (family.type === 'histogram' || family.type === 'gaugehistogram') this.checkHistogram(family);
  }

  /**
   * Grouping, timestamp order and duplicate dropping within one family. A group is the label
   * set without the label that varies inside a MetricPoint (le, quantile, the stateset name).
   * Families without such a label usually have one sample per group (dcgm-exporter gauges),
   * so their group keys start as the raw label text, which equals the sorted canonical key as
   * long as every sample writes the same label names in the same order without escapes; the
   * first sample that does not switches the family to canonical keys.
   */
  private group(cur: OpenFamily, s: Sample, suffix: string, column: number, source: LabelSource): void {
    const family = cur.family;
    const type = family.type;
    const labels = s.labels;
    let skip: string | null = null;
    if (type === 'summary' && suffix === '') skip = 'quantile';
    else if (type === 'stateset') skip = family.name;
    else if ((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket') skip = 'le';
    const plainType = type === 'gauge' || type === 'counter' || type === 'unknown';
    if (plainType && family.samples.length === 0 && this.seenGroups.size === 0 && this.ascendingKeys.length === 0 && source.raw !== null) {
      cur.rawNames = source.names.slice(0, source.count);
    } else if (cur.rawNames !== null && !sameNames(cur.rawNames, source)) {
      this.useCanonicalKeys(cur);
    }
    const raw = cur.rawNames !== null ? source.raw : null;
    const ts = s.timestampMs;
    const prev = this.groupLabels;
    // Info metrics have one group: their labels are the information, not the identity.
    const same = prev !== null &&
      (type === 'info' || (raw !== null ? raw === this.groupRaw : sameGroup(labels, skip, prev, this.groupSkip)));
    if (same) {
      if ((ts === null) !== (this.groupTimestamp === null)) {
        this.report(s.line, column, 'timestamp-presence', `"${s.name}" mixes samples with and without timestamps within one metric`);
      } else if (ts !== null && this.groupTimestamp! > ts && type !== 'info') {
        this.report(s.line, column, 'timestamp-order', `timestamp of "${s.name}" goes backwards within its metric; expected increasing timestamps`);
      }
    } else {
      const key = type === 'info' ? '' : raw !== null ? raw : labelsKey(labels, skip);
      if (this.keysAscending) {
        const keys = this.ascendingKeys;
        if (keys.length === 0 || key > keys[keys.length - 1]) keys.push(key);
        else this.leaveAscendingMode();
      }
      if (!this.keysAscending) {
        if (prev !== null && this.seenGroups.has(key)) {
          this.report(s.line, column, 'invalid-grouping', `samples of "${s.name}" return to a label set seen before another one; a metric's samples must be contiguous, not interleaved`);
        }
        this.seenGroups.add(key);
      }
      this.groupFirstName = null;
      if (this.groupSeries.size > 0) this.groupSeries.clear();
    }
    const seriesValue = type === 'info' ? labelsKey(labels, null) : skip !== null && hasOwn(labels, skip) ? labels[skip] : null;
    if (ts !== this.groupTimestamp || !this.seriesSeen(s.name, seriesValue)) {
      family.samples.push(s);
    } else {
      this.report(s.line, column, 'duplicate-sample', `duplicate sample for "${s.name}" with the same labels and timestamp; dropped`);
    }
    this.addSeries(s.name, seriesValue);
    this.groupLabels = labels;
    this.groupSkip = skip;
    this.groupRaw = raw;
    this.groupTimestamp = ts;
  }

  private seriesSeen(name: string, value: string | null): boolean {
    if (name === this.groupFirstName && value === this.groupFirstValue) return true;
    const values = this.groupSeries.get(name);
    return values !== undefined && values.has(value);
  }

  private addSeries(name: string, value: string | null): void {
    if (this.groupFirstName === null) {
      this.groupFirstName = name;
      this.groupFirstValue = value;
      return;
    }
    let values = this.groupSeries.get(name);
    if (values === undefined) this.groupSeries.set(name, (values = new Set()));
    values.add(value);
  }

  /** A group key out of order: from now on keys go into the Set, the earlier ones first. */
  private leaveAscendingMode(): void {
    this.keysAscending = false;
    for (const key of this.ascendingKeys) this.seenGroups.add(key);
    this.ascendingKeys.length = 0;
  }

  /** Re-keys the groups seen so far canonically (a sample wrote its labels differently). */
  private useCanonicalKeys(cur: OpenFamily): void {
    cur.rawNames = null;
    this.keysAscending = false;
    this.ascendingKeys.length = 0;
    this.seenGroups.clear();
    for (const s of cur.family.samples) this.seenGroups.add(labelsKey(s.labels, null));
  }

  /** Per MetricPoint (group and timestamp): bucket order, +Inf, count and sum rules. */
  private checkHistogram(family: Family): void {
    const name = family.name;
    const samples = family.samples;
    let i = 0;
    while (i < samples.length) {
      const first = samples[i];
      const firstSkip = first.name === name + '_bucket' ? 'le' : null;
      let bucket: number | null = null;
      let bucketValue = 0;
      let count: number | null = null;
      let hasSum = false;
      let hasGsum = false;
      let negativeBuckets = false;
      let negativeGsum = false;
      let last = first;
      let j = i;
      for (; j < samples.length; j++) {
        const s = samples[j];
        const suffix = s.name.slice(name.length);
        const skip = suffix === '_bucket' ? 'le' : null;
        if (j > i && (s.timestampMs !== first.timestampMs || !sameGroup(s.labels, skip, first.labels, firstSkip))) break;
        last = s;
        if (suffix === '_bucket') {
          const le = hasOwn(s.labels, 'le') ? parseFloatToken(s.labels.le, 0, s.labels.le.length) : undefined;
          if (le === undefined || Number.isNaN(le)) continue; // reported per sample already
          if (le < 0) negativeBuckets = true;
          if (bucket !== null && le <= bucket) {
            this.report(s.line, 1, 'histogram-structure', `buckets of histogram "${name}" out of order: le="${s.labels.le}" after a bucket with a bound >= it`);
          }
          if (s.value < bucketValue) {
            this.report(s.line, 1, 'histogram-structure', `bucket values of histogram "${name}" decrease at le="${s.labels.le}"; buckets are cumulative`);
          }
          bucket = le;
          bucketValue = s.value;
        } else if (suffix === '_count' || suffix === '_gcount') {
          count = s.value;
        } else if (suffix === '_sum') {
          hasSum = true;
        } else if (suffix === '_gsum') {
          hasGsum = true;
          if (s.value < 0) negativeGsum = true;
        }
      }
      const at = last.line;
      const problem = (message: string) => this.report(at, 1, 'histogram-structure', message);
      if (bucket !== Infinity) problem(`histogram "${name}" has no le="+Inf" bucket`);
      if (count !== null && bucketValue !== count) {
        problem(`count of histogram "${name}" (${count}) does not match its +Inf bucket (${bucketValue})`);
      }
      if (hasSum && count === null) problem(`histogram "${name}" has _sum but no _count; expected both or neither`);
      if (hasGsum && count === null) problem(`gauge histogram "${name}" has _gsum but no _gcount; expected both or neither`);
      if (!hasSum && !hasGsum && count !== null) problem(`histogram "${name}" has a count but no sum; expected both or neither`);
      if (negativeBuckets && hasSum) {
        problem(`histogram "${name}" has negative buckets and a _sum; a histogram with negative buckets must not expose _sum (use a gauge histogram)`);
      }
      if (!negativeBuckets && negativeGsum) problem(`gauge histogram "${name}" has a negative _gsum but no negative buckets`);
      i = j;
    }
  }
}
