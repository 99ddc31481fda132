// The state of each target as the UI shows it, with the reason and a remedy.
//
// How `stale` is decided (the one judgement call here):
// - A failure that retrying cannot fix (unauthorized, tls-error, parse-error, too-large) shows
//   its own state at once: the user has to act.
// - A transient failure (down, timeout, or one the caller marks transient, such as the empty
//   body dcgm-exporter serves while it reloads) on a target that has data shows `stale` for up
//   to 3 intervals after the last success: the last data is kept and marked with its age, so a
//   single 500 does not flap the target to `down`. Past 3 intervals it shows the failure state.
// - A target whose last scrape succeeded but whose last success is older than 3 intervals
//   (scrapes not completing, process suspended) is `stale` too.
import type { TargetInfo } from '../../../shared/api';
import type { ScrapeFailureState } from '../sources/http-scrape/scraper';

export type TargetFailureState = ScrapeFailureState | 'parse-error';
export type TargetState = 'pending' | 'up' | 'stale' | TargetFailureState;

export const TARGET_STATES: readonly TargetState[] = [
  'pending',
  'up',
  'stale',
  'down',
  'unauthorized',
  'tls-error',
  'parse-error',
  'too-large',
  'timeout',
];

const TRANSIENT_BY_DEFAULT: ReadonlySet<TargetFailureState> = new Set(['down', 'timeout']);

export const STALE_AFTER_INTERVALS = 3;

/** What TargetInfo shows of the state (lastError: the latest failure, or the data age when merely old). */
export interface TargetStatus extends Pick<TargetInfo, 'lastScrapeAt' | 'lastSuccessAt' | 'lastError' | 'remedy' | 'lastDurationMs'> {
  state: TargetState;
  consecutiveFailures: number;
  /** Age of the data kept for this target, or null when it has none. */
  dataAgeMs: number | null;
}

export interface ScrapeFailureReport {
  state: TargetFailureState;
  message: string;
  remedy: string;
  durationMs: number;
  /** Overrides the default (only down and timeout are transient). */
  transient?: boolean;
}

interface TrackedTarget {
  intervalMs: number;
  lastScrapeAt: number | null;
  lastSuccessAt: number | null;
  lastDurationMs: number | null;
  consecutiveFailures: number;
  failure: (ScrapeFailureReport & { transient: boolean }) | null;
}

export class TargetStateTracker {
  private readonly targets = new Map<string, TrackedTarget>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Adds a target or updates its interval; its history of outcomes is kept. */
  upsert(id: string, intervalMs: number): void {
    const existing = this.targets.get(id);
    if (existing) {
      existing.intervalMs = intervalMs;
      return;
    }
    this.targets.set(id, {
      intervalMs,
      lastScrapeAt: null,
      lastSuccessAt: null,
      lastDurationMs: null,
      consecutiveFailures: 0,
      failure: null,
    });
  }

  /** Forgets outcomes, e.g. after the user changed the target's credentials or URL. */
  reset(id: string): void {
    const target = this.targets.get(id);
    if (target) {
      this.targets.delete(id);
      this.upsert(id, target.intervalMs);
    }
  }

  remove(id: string): void {
    this.targets.delete(id);
  }

  recordSuccess(id: string, durationMs: number, at = this.now()): void {
    const target = this.require(id);
    target.lastScrapeAt = at;
    target.lastSuccessAt = at;
    target.lastDurationMs = durationMs;
    target.consecutiveFailures = 0;
    target.failure = null;
  }

  recordFailure(id: string, report: ScrapeFailureReport, at = this.now()): void {
    const target = this.require(id);
    target.lastScrapeAt = at;
    target.lastDurationMs = report.durationMs;
    target.consecutiveFailures += 1;
    target.failure = { ...report, transient: report.transient ?? TRANSIENT_BY_DEFAULT.has(report.state) };
  }

  get(id: string, at = this.now()): TargetStatus | undefined {
    const target = this.targets.get(id);
    return target ? statusOf(target, at) : undefined;
  }

  has(id: string): boolean {
    return this.targets.has(id);
  }

  ids(): IterableIterator<string> {
    return this.targets.keys();
  }

  /** How many targets are in each state right now (every state present, zeros included). */
  countByState(at = this.now()): Record<TargetState, number> {
    const counts = Object.fromEntries(TARGET_STATES.map((state) => [state, 0])) as Record<TargetState, number>;
    for (const target of this.targets.values()) counts[statusOf(target, at).state] += 1;
    return counts;
  }

  private require(id: string): TrackedTarget {
    const target = this.targets.get(id);
    if (!target) throw new Error(`unknown target ${id}`);
    return target;
  }
}

function statusOf(target: TrackedTarget, at: number): TargetStatus {
  const dataAgeMs = target.lastSuccessAt === null ? null : Math.max(0, at - target.lastSuccessAt);
  const staleAfterMs = STALE_AFTER_INTERVALS * target.intervalMs;
  const base = {
    lastScrapeAt: target.lastScrapeAt,
    lastSuccessAt: target.lastSuccessAt,
    lastDurationMs: target.lastDurationMs,
    consecutiveFailures: target.consecutiveFailures,
    dataAgeMs,
  };
  const failure = target.failure;
  if (failure) {
    const withinGrace = dataAgeMs !== null && dataAgeMs <= staleAfterMs;
    return {
      ...base,
      state: failure.transient && withinGrace ? 'stale' : failure.state,
      lastError: failure.message,
      remedy: failure.remedy,
    };
  }
  if (target.lastScrapeAt === null) {
    return { ...base, state: 'pending', lastError: null, remedy: null };
  }
  if (dataAgeMs !== null && dataAgeMs > staleAfterMs) {
    return {
      ...base,
      state: 'stale',
      lastError: `no fresh data for ${Math.round(dataAgeMs / 1000)} s (more than ${STALE_AFTER_INTERVALS} intervals)`,
      remedy: 'scrapes of this target are not completing; check the timeout and whether GPU Pulse was suspended',
    };
  }
  return { ...base, state: 'up', lastError: null, remedy: null };
}
