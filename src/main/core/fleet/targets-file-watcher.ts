// A targets file that stays live: re-read when it changes and every few minutes as a fallback,
// as Prometheus does with file_sd files. Configuration management usually writes a new file and
// renames it over the old one, which replaces the inode, so the watch is on the directory (an
// inode watch would go deaf after the first rename); editors and `>>` write in place, which the
// directory watch reports too. Kubernetes ConfigMap volumes swap a `..data` symlink in the same
// directory, so every event there triggers a read, and a read whose text did not change costs
// nothing more. A read that fails (bad line, missing file) keeps the last good list: a typo must
// not empty the fleet, and the error says where the file is wrong.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseTargetsText, TargetsFileError, type TargetsFileDefaults } from './targets-file';
import type { TargetConfig } from './target-config';
import type { LiveTargetList, LiveTargetListOptions, SourceLoadStatus } from './live-target-list';

export type { SourceLoadStatus } from './live-target-list';

/** Prometheus re-reads file_sd files on this period even without a change notification. */
export const TARGETS_FILE_RESCAN_MS = 5 * 60_000;
/** Writers often touch a file several times in a row (truncate, write, chmod): read once after. */
export const TARGETS_FILE_DEBOUNCE_MS = 250;

export interface TargetsFileWatcherOptions extends LiveTargetListOptions {
  path: string;
  /** Interval, timeout and group given to every listed target. */
  defaults?: TargetsFileDefaults;
  debounceMs?: number;
  rescanMs?: number;
}

export interface TargetsFileWatcher extends LiveTargetList {
  readonly path: string;
  /** Reads the file now (the first read, or an explicit refresh); resolves with the status after it. */
  reload(): Promise<SourceLoadStatus>;
  close(): void;
}

export function watchTargetsFile(opts: TargetsFileWatcherOptions): TargetsFileWatcher {
  const path = resolve(opts.path);
  const name = basename(path);
  const now = opts.now ?? Date.now;
  const debounceMs = opts.debounceMs ?? TARGETS_FILE_DEBOUNCE_MS;
  let status: SourceLoadStatus = { lastLoadAt: null, targetCount: 0, lastError: null };
  let lastText: string | null = null;
  let lastList = '';
  let watcher: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let closed = false;
  // One read at a time; a change during a read asks for one more read after it.
  let reading: Promise<SourceLoadStatus> | null = null;
  let again = false;

  const rescan = setInterval(() => {
    ensureWatch();
    void reload();
  }, opts.rescanMs ?? TARGETS_FILE_RESCAN_MS);
  rescan.unref?.();

  function ensureWatch(): void {
    if (watcher || closed) return;
    try {
      watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
        // Some platforms omit the name; ConfigMap swaps name `..data`: read in every case but
        // an unrelated file of a busy directory.
        if (changed && changed !== name && !String(changed).startsWith('..')) return;
        schedule();
      });
      watcher.on('error', () => {
        // The directory itself went away: the periodic rescan watches it again once it is back.
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null;
    }
  }

  function schedule(): void {
    if (closed) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      void reload();
    }, debounceMs);
    debounce.unref?.();
  }

  async function readOnce(): Promise<SourceLoadStatus> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return fail(new TargetsFileError(path, `cannot read (${code}${code === 'ENOENT' ? ', no such file' : ''})`).message);
    }
    if (text === lastText && status.lastError === null) {
      status = { ...status, lastLoadAt: now() };
      return status;
    }
    let targets: TargetConfig[];
    try {
      targets = parseTargetsText(text, path, opts.defaults);
    } catch (error) {
      return fail(error instanceof TargetsFileError ? error.message : `${path}: ${(error as Error).message}`);
    }
    lastText = text;
    status = { lastLoadAt: now(), targetCount: targets.length, lastError: null };
    // Whitespace, comments or reordering alone change nothing the fleet sees.
    const list = JSON.stringify(targets.map((t) => [t.id, t.url, t.name, t.group, t.intervalMs, t.timeoutMs]).sort());
    if (list !== lastList) {
      lastList = list;
      opts.onTargets(targets);
    }
    return status;
  }

  function fail(message: string): SourceLoadStatus {
    // The text that failed is forgotten, so restoring the previous text is read as a change.
    lastText = null;
    status = { ...status, lastError: message };
    return status;
  }

  async function reload(): Promise<SourceLoadStatus> {
    if (closed) return status;
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      let result: SourceLoadStatus;
      do {
        again = false;
        result = await readOnce();
        if (!closed) opts.onStatus?.(result);
      } while (again && !closed);
      return result;
    })().finally(() => {
      reading = null;
    });
    return reading;
  }

  ensureWatch();
  return {
    path,
    reload,
    status: () => status,
    close() {
      closed = true;
      clearInterval(rescan);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
      watcher = null;
    },
  };
}
