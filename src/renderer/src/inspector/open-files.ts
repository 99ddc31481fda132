// Opening files the user picked or dropped: one request per file, in order, each error kept
// with the file's name so one bad file does not hide the others.
import type { InspectionInfo, PulseApi } from '../../../shared/api';
import { navigate } from '../navigation';

export interface OpenResult {
  opened: InspectionInfo[];
  errors: string[];
}

export async function openFiles(api: PulseApi, files: Iterable<File>): Promise<OpenResult> {
  const result: OpenResult = { opened: [], errors: [] };
  for (const file of files) {
    try {
      result.opened.push(await api.inspectFile(file));
    } catch (err) {
      result.errors.push(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}

/**
 * Show the last opened file, unless the user went elsewhere while it was being sent (a large
 * upload takes a while; pulling them back when it lands would be rude).
 */
export function showOpened(result: OpenResult, hashAtStart: string): void {
  const last = result.opened.at(-1);
  if (last && window.location.hash === hashAtStart) navigate({ view: 'inspector', id: last.id });
}

/** What the file picker offers; anything else can still be dropped (the parser says what it is). */
export const FILE_ACCEPT = '.prom,.om,.txt,.gz,.metrics,text/plain,application/gzip,application/openmetrics-text';
