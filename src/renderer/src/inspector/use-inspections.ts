// The files open in this session: listInspections() once, then the progress and status
// changes that ticks carry (a parse in progress, a file opened from the menu or argv).
import { useCallback, useEffect, useState } from 'react';
import type { InspectionInfo, PulseApi } from '../../../shared/api';

export interface InspectionsState {
  /** Newest first; null until the first answer. */
  list: InspectionInfo[] | null;
  error: string | null;
  /** Forget a closed file locally (the service forgets it on closeInspection). */
  remove(id: string): void;
  /** A file this window just opened, before its first tick. */
  add(info: InspectionInfo): void;
}

/** An answer can arrive after a tick that already reported more: never go back. */
function isOlder(incoming: InspectionInfo, known: InspectionInfo): boolean {
  if (known.status !== 'parsing') return incoming.status === 'parsing';
  return incoming.status === 'parsing' && incoming.progress < known.progress;
}

function merge(list: InspectionInfo[], infos: InspectionInfo[]): InspectionInfo[] {
  let next = list;
  for (const info of infos) {
    const at = next.findIndex((i) => i.id === info.id);
    if (at === -1) next = [info, ...next];
    else if (next[at] !== info && !isOlder(info, next[at])) next = next.map((i, k) => (k === at ? info : i));
  }
  return next;
}

export function useInspections(api: PulseApi): InspectionsState {
  const [list, setList] = useState<InspectionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    // Ticks that arrive before the list answers are kept and merged on top of it.
    let early: InspectionInfo[] = [];
    const unsubscribe = api.onTick((tick) => {
      if (!tick.inspections?.length) return;
      const infos = tick.inspections;
      setList((current) => {
        if (current === null) {
          early = merge(early, infos);
          return current;
        }
        return merge(current, infos);
      });
    });
    api.listInspections().then(
      (infos) => live && setList(merge(infos, early)),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);

  const remove = useCallback((id: string) => setList((current) => current?.filter((i) => i.id !== id) ?? current), []);
  const add = useCallback((info: InspectionInfo) => setList((current) => merge(current ?? [], [info])), []);
  return { list, error, remove, add };
}
