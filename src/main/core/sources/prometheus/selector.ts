// The user's series selector (`{cluster="a100-pool"}`) and the PromQL text built from it.
// The selector is checked here, before any request, so a typo is reported with its column
// instead of as a bare HTTP 400; the server still validates regular expressions.

export type SelectorResult = { ok: true; matchers: string } | { ok: false; message: string; remedy: string };

const EXAMPLE = '{cluster="a100-pool", namespace=~"ml-.*"}';
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OPERATOR = /=~|!~|!=|=/y;
const SPACE = /\s*/y;

/**
 * Label matchers only (no metric name, no `__name__`): braces optional, commas between
 * matchers, a trailing comma allowed. Returns the matchers normalised to `a="b",c=~"d"`.
 */
export function parseSelector(input: string | undefined): SelectorResult {
  const text = (input ?? '').trim();
  if (text === '' || text === '{}') return { ok: true, matchers: '' };
  let pos = 0;
  const fail = (what: string): SelectorResult => ({
    ok: false,
    message: `invalid selector ${JSON.stringify(text)} at column ${pos + 1}: ${what}`,
    remedy: `write label matchers such as ${EXAMPLE}`,
  });
  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const braced = text.startsWith('{');
  if (braced) {
    if (!text.endsWith('}')) {
      pos = text.length - 1;
      return fail('missing the closing "}"');
    }
    pos = 1;
  } else if (/^[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{/.test(text)) {
    return fail('a metric name is not allowed: the source picks the dcgm metrics itself');
  }
  const end = braced ? text.length - 1 : text.length;
  const matchers: string[] = [];
  for (;;) {
    skipSpace();
    if (pos >= end) break;
    LABEL_NAME.lastIndex = pos;
    const name = LABEL_NAME.exec(text)?.[0];
    if (!name) return fail('expected a label name');
    if (name === '__name__') return fail('a __name__ matcher is not allowed: the source picks the dcgm metrics itself');
    pos += name.length;
    skipSpace();
    OPERATOR.lastIndex = pos;
    const op = OPERATOR.exec(text)?.[0];
    if (!op) return fail(`expected =, !=, =~ or !~ after ${name}`);
    pos += op.length;
    skipSpace();
    const literal = readString(text, pos, end);
    if (typeof literal === 'string') return fail(literal);
    pos = literal.end;
    matchers.push(`${name}${op}${quote(literal.value)}`);
    skipSpace();
    if (pos >= end) break;
    if (text[pos] !== ',') return fail('expected "," between matchers');
    pos++;
  }
  if (matchers.length === 0) return { ok: true, matchers: '' };
  return { ok: true, matchers: matchers.join(',') };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

/** A PromQL string literal at `start`: "…" or '…' with Go escapes, or `…` raw. */
function readString(text: string, start: number, end: number): { value: string; end: number } | string {
  const q = text[start];
  if (q !== '"' && q !== "'" && q !== '`') return 'expected a quoted value';
  let value = '';
  for (let i = start + 1; i < end; i++) {
    const c = text[i];
    if (c === q) return { value, end: i + 1 };
    if (c === '\\' && q !== '`') {
      const next = text[i + 1];
      if (next === 'u' || next === 'x') {
        const digits = next === 'u' ? 4 : 2;
        const hex = text.slice(i + 2, i + 2 + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return `bad \\${next} escape in a quoted value`;
        value += String.fromCharCode(parseInt(hex, 16));
        i += 1 + digits;
        continue;
      }
      if (next === undefined || !(next in ESCAPES)) return `unknown escape \\${next ?? ''} in a quoted value`;
      value += ESCAPES[next];
      i++;
      continue;
    }
    if (c === '\n' && q !== '`') return 'line break inside a quoted value';
    value += c;
  }
  return 'unterminated quoted value';
}

/** A PromQL double-quoted string literal (JSON's escapes are a subset of Go's). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** RE2-safe literal alternation for a `=~` matcher. */
export function regexAlternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')).join('|');
}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** `name{matchers}`, or `{__name__="name",matchers}` for a name PromQL cannot write bare. */
export function seriesSelector(name: string, matchers: string): string {
  if (LEGACY_METRIC_NAME.test(name)) return matchers ? `${name}{${matchers}}` : name;
  return `{__name__=${quote(name)}${matchers ? `,${matchers}` : ''}}`;
}

/** `{a,b}` with empty parts left out. */
export function joinMatchers(...parts: string[]): string {
  return `{${parts.filter(Boolean).join(',')}}`;
}
