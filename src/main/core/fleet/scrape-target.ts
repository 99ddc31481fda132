// One scheduled scrape of one target, start to finish: resolve its secrets, scrape, hand the
// body to the ingest step (parse and translate, owned by the service), and record the outcome
// on the state tracker. This is the `run` a ScrapeScheduler calls.
import type { Scraper, ScrapeRequest, ScrapeResult } from '../sources/http-scrape/scraper';
import type { RunOutcome } from './scheduler';
import { scrapeRequestFor } from './scrape-request';
import { SecretError, type SecretStore } from './secrets';
import type { TargetConfig } from './target-config';
import type { TargetFailureState, TargetStateTracker } from './target-state';

export type ScrapeSuccess = Extract<ScrapeResult, { ok: true }>;

/** What ingesting a body concluded: an unusable body becomes a parse-error on the target. */
export type IngestOutcome =
  | { ok: true }
  | {
      ok: false;
      message: string;
      remedy: string;
      /** True for bodies expected to fix themselves, e.g. the exporter's empty reload body. */
      transient?: boolean;
      /** The state to show; parse-error unless the body says the exporter is not serving (down). */
      state?: TargetFailureState;
    };

export interface TargetRunnerDeps {
  scraper: Scraper;
  secrets: SecretStore;
  tracker: TargetStateTracker;
  ingest(target: TargetConfig, result: ScrapeSuccess): IngestOutcome | Promise<IngestOutcome>;
  /** Every finished scrape, e.g. for self-metrics; `failure` is null on success. */
  onScrapeDone?(target: TargetConfig, durationMs: number, failure: TargetFailureState | null): void;
}

export function createTargetRunner(deps: TargetRunnerDeps): (target: TargetConfig) => Promise<RunOutcome> {
  const { scraper, secrets, tracker } = deps;

  const fail = (
    target: TargetConfig,
    state: TargetFailureState,
    message: string,
    remedy: string,
    durationMs: number,
    transient?: boolean,
  ): RunOutcome => {
    // The target may have been removed while its scrape was in flight.
    if (tracker.has(target.id)) tracker.recordFailure(target.id, { state, message, remedy, durationMs, transient });
    deps.onScrapeDone?.(target, durationMs, state);
    return 'failed';
  };

  return async (target) => {
    let request: ScrapeRequest;
    try {
      request = await scrapeRequestFor(target, secrets);
    } catch (error) {
      const remedy = error instanceof SecretError ? error.remedy : 'enter the credentials for this target again';
      return fail(target, 'unauthorized', `cannot read the credentials: ${(error as Error).message}`, remedy, 0);
    }
    const result = await scraper.scrape(request);
    if (!result.ok) return fail(target, result.state, result.message, result.remedy, result.durationMs);
    let outcome: IngestOutcome;
    try {
      outcome = await deps.ingest(target, result);
    } catch (error) {
      // Bad data must never throw through the pipeline (DESIGN.md §3); if ingest does, the
      // body is what it choked on.
      outcome = { ok: false, message: `could not read the body: ${(error as Error).message}`, remedy: 'report this as a GPU Pulse bug, with the exporter output' };
    }
    if (!outcome.ok) {
      return fail(target, outcome.state ?? 'parse-error', outcome.message, outcome.remedy, result.durationMs, outcome.transient);
    }
    if (tracker.has(target.id)) tracker.recordSuccess(target.id, result.durationMs);
    deps.onScrapeDone?.(target, result.durationMs, null);
    return 'ok';
  };
}
