// Natural ("node2" before "node10") string order for node names and MIG instance ids.
// One collator for all comparisons: `a.localeCompare(b, undefined, { numeric: true })` builds a
// collator per call, which made sorting 125 nodes a quarter of each fleet tick's main-thread time.
const collator = new Intl.Collator(undefined, { numeric: true });

export const naturalCompare: (a: string, b: string) => number = collator.compare;
