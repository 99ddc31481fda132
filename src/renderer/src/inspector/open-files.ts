// Opening files the user picked or dropped: one request per file, in order, each error kept
// with the file's name so one bad file does not hide the others.
import type { InspectionInfo, PulseApi } from '../../../shared/api';

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

/** What the file picker offers; anything else can still be dropped (the parser says what it is). */
export const FILE_ACCEPT = '.prom,.om,.txt,.gz,.metrics,text/plain,application/gzip,application/openmetrics-text';
