// Reads `gpu-pulse serve --targets-file FILE`: either one URL per line, or a Prometheus
// file_sd target list (JSON or YAML) so an existing Prometheus setup can be pointed at as is.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TargetConfigSchema, type TargetConfig } from './target-config';

export class TargetsFileError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
    /** 1-based line for the URL-list format. */
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
      throw new TargetsFileError(source, `invalid JSON: ${(error as Error).message}`);
    }
    return fromFileSd(data, source, defaults);
  }
  if (extension === '.yml' || extension === '.yaml' || start === '-') {
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (error) {
      throw new TargetsFileError(source, `invalid YAML: ${(error as Error).message}`);
    }
    return fromFileSd(data ?? [], source, defaults);
  }
  return fromUrlLines(text, source, defaults);
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

function fromFileSd(data: unknown, source: string, defaults: TargetsFileDefaults): TargetConfig[] {
  const parsed = FileSdSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TargetsFileError(
      source,
      `not a file_sd target list (${issue.path.join('.') || 'top level'}: ${issue.message}); expected [{ "targets": ["host:port"], "labels": {...} }]`,
    );
  }
  const targets = new TargetList(defaults);
  parsed.data.forEach((group, groupIndex) => {
    const labels = group.labels ?? {};
    const scheme = labels.__scheme__ ?? 'http';
    if (scheme !== 'http' && scheme !== 'https') {
      throw new TargetsFileError(source, `entry ${groupIndex + 1}: __scheme__ must be http or https, got ${scheme}`);
    }
    const path = labels.__metrics_path__ ?? '/metrics';
    group.targets.forEach((address) => {
      if (address.includes('/')) {
        throw new TargetsFileError(
          source,
          `entry ${groupIndex + 1}: file_sd targets are host:port, got ${JSON.stringify(address)} (set the __scheme__ and __metrics_path__ labels instead)`,
        );
      }
      let url: URL;
      try {
        url = new URL(`${scheme}://${address}`);
        url.pathname = path;
      } catch {
        throw new TargetsFileError(source, `entry ${groupIndex + 1}: invalid address ${JSON.stringify(address)}`);
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
