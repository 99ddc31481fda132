// What the live target lists (a watched targets file, Prometheus discovery) share: they re-read
// their list on their own schedule, hand each new list to their owner and say how the last
// read went, so the source registry treats them alike.
import type { TargetConfig } from './target-config';

export interface SourceLoadStatus {
  /** Unix ms of the last read that produced a valid list (changed or not). */
  lastLoadAt: number | null;
  /** Targets in the list in force (the last good one). */
  targetCount: number;
  /** Why the last read failed (for a file `FILE:LINE: reason`); null once a read succeeds. */
  lastError: string | null;
}

export interface LiveTargetListOptions {
  /** A read produced a list that differs from the one in force (also called for the first list). */
  onTargets(targets: TargetConfig[]): void;
  /** Any read finished, whether the list changed, stayed or the read failed. */
  onStatus?(status: SourceLoadStatus): void;
  now?: () => number;
}

export interface LiveTargetList {
  status(): SourceLoadStatus;
}
