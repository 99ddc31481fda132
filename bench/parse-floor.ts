// The "floor" runner of bench:parse: the work every parser of these formats must do, and
// nothing more. It splits lines, skips comments, slices each sample's name, label names and
// values, converts the value (and a timestamp or an exemplar's numbers) with the same number
// conversion as the real parser, and builds the same sample objects grouped by family. It
// checks nothing: no grammar, no escapes, no names, no OpenMetrics rules.
//
// It is written with the real parser's techniques (label names reused from line to line,
// indexOf for quotes), but plainly, so it is not a strict lower bound: on one file the real
// parser, checks and all, has matched it. floor / baseline shows roughly how far any parser
// that builds these objects can get against the baseline on each file. Where it is under the
// 5x goal (the small OpenMetrics file, whose baseline converts no numbers at all), no amount
// of work on the checks reaches the goal.
import { parseFloatToken } from '../src/main/core/exposition/scan';

interface FloorSample {
  name: string;
  labels: Record<string, string>;
  value: number | undefined;
  valueText: string;
  timestampMs: number | null;
  exemplar: { labels: Record<string, string>; value: number | undefined; timestampMs: number | null } | null;
  line: number;
}

interface FloorFamily {
  name: string;
  samples: FloorSample[];
}

const HASH = 35;
const SPACE = 32;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;
const BACKSLASH = 92;
const EQUALS = 61;

/**
 * `{a="x",b="y"}` starting at `brace`; returns the position after `}` through `out.end`.
 * Label names repeat from line to line: the name at each position is compared in place with
 * the one before and that string reused, as the real parser does, since a fresh string as a
 * property key costs a hash-table lookup to intern.
 */
function labelsAt(s: string, brace: number, end: number, out: { end: number }, names: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  let p = brace + 1;
  let i = 0;
  while (p < end && s.charCodeAt(p) !== RBRACE) {
    let name = names[i];
    let eq: number;
    if (name !== undefined && s.charCodeAt((eq = p + name.length)) === EQUALS && s.startsWith(name, p)) {
      // reused
    } else {
      eq = s.indexOf('=', p);
      names[i] = name = s.slice(p, eq);
    }
    // An escaped quote only (an escaped backslash before the quote is not told apart).
    let q = s.indexOf('"', eq + 2);
    while (s.charCodeAt(q - 1) === BACKSLASH) q = s.indexOf('"', q + 1);
    labels[name] = s.slice(eq + 2, q);
    i++;
    p = q + 1;
    if (s.charCodeAt(p) === COMMA) p++;
  }
  out.end = p + 1;
  return labels;
}

function tokenEnd(s: string, p: number, end: number): number {
  const e = s.indexOf(' ', p);
  return e === -1 || e > end ? end : e;
}

export function floorParse(s: string): FloorFamily[] {
  const families: FloorFamily[] = [];
  let family: FloorFamily | null = null;
  const after = { end: 0 };
  const names: string[] = [];
  const exemplarNames: string[] = [];
  let line = 0;
  for (let pos = 0; pos < s.length; ) {
    let end = s.indexOf('\n', pos);
    if (end === -1) end = s.length;
    line++;
    if (end === pos || s.charCodeAt(pos) === HASH) {
      pos = end + 1;
      continue;
    }
    let p = pos;
    while (p < end && s.charCodeAt(p) !== LBRACE && s.charCodeAt(p) !== SPACE) p++;
    const name = s.slice(pos, p);
    let labels: Record<string, string> = {};
    if (s.charCodeAt(p) === LBRACE) {
      labels = labelsAt(s, p, end, after, names);
      p = after.end;
    }
    p++;
    const ve = tokenEnd(s, p, end);
    const valueText = s.slice(p, ve);
    const value = parseFloatToken(s, p, ve, valueText);
    let timestampMs: number | null = null;
    let exemplar: FloorSample['exemplar'] = null;
    p = ve + 1;
    if (p < end && s.charCodeAt(p) !== HASH) {
      const te = tokenEnd(s, p, end);
      timestampMs = parseFloatToken(s, p, te) ?? null;
      p = te + 1;
    }
    if (p < end) {
      const exLabels = labelsAt(s, p + 2, end, after, exemplarNames);
      const xs = after.end + 1;
      const xe = tokenEnd(s, xs, end);
      exemplar = { labels: exLabels, value: parseFloatToken(s, xs, xe), timestampMs: xe < end ? (parseFloatToken(s, xe + 1, end) ?? null) : null };
    }
    // Families by name prefix, as a parser that knows no types would group them.
    if (family === null || !name.startsWith(family.name)) {
      family = { name, samples: [] };
      families.push(family);
    }
    family.samples.push({ name, labels, value, valueText, timestampMs, exemplar, line });
    pos = end + 1;
  }
  return families;
}
