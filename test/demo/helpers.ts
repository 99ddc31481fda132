// A deliberately small reader for the demo exporter's own output, independent of the
// product's exposition parser (which is tested elsewhere and may not exist yet).
export interface Line {
  name: string;
  labels: Array<[string, string]>;
  value: string;
}

const SAMPLE_RE = /^([A-Za-z_:][A-Za-z0-9_:]*)\{(.*)\} (\S+)$/;
const LABEL_RE = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSampleLine(line: string): Line {
  const m = SAMPLE_RE.exec(line);
  if (!m) throw new Error(`not a labelled sample line: ${line}`);
  const labels: Array<[string, string]> = [];
  for (const l of m[2].matchAll(LABEL_RE)) labels.push([l[1], l[2]]);
  return { name: m[1], labels, value: m[3] };
}

export function sampleLines(body: string): Line[] {
  return body
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(parseSampleLine);
}

export function label(line: Line, name: string): string | undefined {
  return line.labels.find(([k]) => k === name)?.[1];
}

/** value[name][gpu] as numbers */
export function byNameAndGpu(body: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const l of sampleLines(body)) {
    let m = out.get(l.name);
    if (!m) out.set(l.name, (m = new Map()));
    m.set(label(l, 'gpu')!, Number(l.value));
  }
  return out;
}
