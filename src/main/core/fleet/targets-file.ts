// Reads `gpu-pulse serve --targets-file FILE`: either one URL per line, or a Prometheus
// file_sd target list (JSON or YAML) so an existing Prometheus setup can be pointed at as is.
// Every error names the line at fault (`FILE:LINE: reason`): the file is re-read while it is
// edited, and the person editing it needs to know where the bad entry is.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { TargetConfigSchema, type TargetConfig } from './target-config';

export class TargetsFileError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
    /** 1-based line of the entry at fault, when the error has one (a missing file has none). */
    readonly line?: number,
  ) {
    super(`${source}${line ? `:${line}` : ''}: ${detail}`);
    this.name = 'TargetsFileError';
  }
}

/** Settings applied to every target the file lists (the file carries only addresses). */
export type TargetsFileDefaults = Partial<Pick<TargetConfig, 'intervalMs' | 'timeoutMs' | 'group'>>;

const FileSdSchema = z.array(
  z.object({
    targets: z.array(z.string()),
    labels: z.record(z.string(), z.string()).optional(),
  }),
);

export async function parseTargetsFile(path: string, defaults: TargetsFileDefaults = {}): Promise<TargetConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TargetsFileError(path, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseTargetsText(text, path, defaults);
}

export function parseTargetsText(rawText: string, source: string, defaults: TargetsFileDefaults = {}): TargetConfig[] {
  // Editors on Windows may save a byte order mark; it is not part of the first entry.
  const text = rawText.replace(/^\uFEFF/, '');
  const extension = extname(source).toLowerCase();
  const start = text.trimStart()[0];
  if (extension === '.json' || (extension !== '.yml' && extension !== '.yaml' && start === '[')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      throw new TargetsFileError(source, `invalid JSON: ${message}`, jsonErrorLine(text, message));
    }
    return fromFileSd(data, source, defaults, locator(text));
  }
  if (extension === '.yml' || extension === '.yaml' || start === '-') {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const [bad] = doc.errors;
    if (bad) throw new TargetsFileError(source, `invalid YAML: ${bad.message.split('\n')[0]}`, bad.linePos?.[0].line);
    return fromFileSd(doc.toJS() ?? [], source, defaults, locator(text, doc, lines));
  }
  return fromUrlLines(text, source, defaults);
}

/** Maps a path in the parsed data (e.g. [1, 'targets', 0]) to the 1-based line it was written on. */
type Locate = (path: ReadonlyArray<PropertyKey>) => number | undefined;

/** YAML is a superset of JSON, so one YAML document gives source positions for both formats. */
function locator(text: string, parsed?: Document, counter?: LineCounter): Locate {
  let doc = parsed;
  let lines = counter;
  return (path) => {
    if (!doc || !lines) {
      lines = new LineCounter();
      doc = parseDocument(text, { lineCounter: lines });
    }
    // A missing key (e.g. no "targets") has no node: name the line of the closest parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth) as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** V8 names the offset of a JSON syntax error ("… at position 42", newer: "(line 3 column 5)"). */
function jsonErrorLine(text: string, message: string): number | undefined {
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line) return Number(line[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return text.slice(0, Number(position[1])).split('\n').length;
  // "Unexpected end of JSON input": the error is where the text stops.
  if (/end of JSON/i.test(message)) return text.trimEnd().split('\n').length;
  return undefined;
}

function fromUrlLines(text: string, source: string, defaults: TargetsFileDefaults): TargetConfig[] {
  const targets = new TargetList(defaults);
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    if (/\s/.test(line)) {
      throw new TargetsFileError(source, `expected one URL per line, got ${JSON.stringify(line)}`, index + 1);
    }
    const url = lineToUrl(line);
    if (!url) {
      throw new TargetsFileError(source, `not an http(s) URL or host:port: ${JSON.stringify(line)}`, index + 1);
    }
    targets.add({ url });
  });
  return targets.list;
}

/** Accepts a full URL, or a bare `host:port[/path]` as Prometheus users write targets. */
function lineToUrl(line: string): string | null {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(line);
  const candidate = hasScheme ? line : `http://${line}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Only a missing path means "the default"; an explicit `/` is kept as written.
  const hasPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+[/?#]/i.test(candidate);
  if (!hasPath) url.pathname = '/metrics';
  return url.toString();
}

function fromFileSd(data: unknown, source: string, defaults: TargetsFileDefaults, locate: Locate): TargetConfig[] {
  const parsed = FileSdSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TargetsFileError(
      source,
      `not a file_sd target list (${issue.path.join('.') || 'top level'}: ${issue.message}); expected [{ "targets": ["host:port"], "labels": {...} }]`,
      locate(issue.path),
    );
  }
  const targets = new TargetList(defaults);
  parsed.data.forEach((group, groupIndex) => {
    const labels = group.labels ?? {};
    const scheme = labels.__scheme__ ?? 'http';
    if (scheme !== 'http' && scheme !== 'https') {
      throw new TargetsFileError(source, `entry ${groupIndex + 1}: __scheme__ must be http or https, got ${scheme}`, locate([groupIndex, 'labels', '__scheme__']));
    }
    const path = labels.__metrics_path__ ?? '/metrics';
    group.targets.forEach((address, addressIndex) => {
      const at = () => locate([groupIndex, 'targets', addressIndex]);
      if (address.includes('/')) {
        throw new TargetsFileError(
          source,
          `entry ${groupIndex + 1}: file_sd targets are host:port, got ${JSON.stringify(address)} (set the __scheme__ and __metrics_path__ labels instead)`,
          at(),
        );
      }
      let url: URL;
      try {
        url = new URL(`${scheme}://${address}`);
        url.pathname = path;
      } catch {
        throw new TargetsFileError(source, `entry ${groupIndex + 1}: invalid address ${JSON.stringify(address)}`, at());
      }
      for (const [label, value] of Object.entries(labels)) {
        if (label.startsWith('__param_')) url.searchParams.set(label.slice('__param_'.length), value);
      }
      targets.add({
        url: url.toString(),
        name: labels.name ?? labels.instance,
        group: labels.group ?? labels.job,
      });
    });
  });
  return targets.list;
}

/** Collects targets keyed by URL: a URL listed twice is one target, kept where first seen. */
class TargetList {
  readonly list: TargetConfig[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly defaults: TargetsFileDefaults) {}

  add(entry: { url: string; name?: string; group?: string }): void {
    if (this.seen.has(entry.url)) return;
    this.seen.add(entry.url);
    this.list.push(
      TargetConfigSchema.parse({
        id: entry.url,
        url: entry.url,
        name: entry.name ?? '',
        group: entry.group ?? this.defaults.group ?? '',
        intervalMs: this.defaults.intervalMs,
        timeoutMs: this.defaults.timeoutMs,
      }),
    );
  }
}
