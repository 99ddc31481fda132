// Durations on the command line, in Prometheus' notation (`500ms`, `5s`, `1m30s`, `2h`).

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for `1m30s`-style text; a bare number is seconds. Throws with the expected form. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    part.lastIndex = i;
    const m = part.exec(s);
    if (!m) throw new Error(`${what} must look like 500ms, 5s, 1m30s or 2h, got "${text}"`);
    total += Number(m[1]) * UNITS[m[2]];
    i = part.lastIndex;
  }
  if (s.length === 0) throw new Error(`${what} must not be empty`);
  return Math.round(total);
}
