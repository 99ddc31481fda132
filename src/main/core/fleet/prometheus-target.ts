// One scheduled refresh of a Prometheus target, start to finish: the poller asks the server,
// the batches go through ingest, and the outcome lands on the target's state. The exporter
// counterpart is scrape-target.ts; this is the `run` the scheduler calls for kind prometheus.
import { PrometheusPoller } from '../sources/prometheus/poller';
import type { FleetIngest } from './ingest';
import type { RunOutcome } from './scheduler';
import { scrapeRequestFor } from './scrape-request';
import type { SecretStore } from './secrets';
import type { TargetConfig } from './target-config';
import type { TargetRegistry, TargetRuntime } from './target-registry';
import type { TargetFailureState } from './target-state';

export interface PrometheusRunnerDeps {
  poller: PrometheusPoller;
  targets: TargetRegistry;
  ingest: FleetIngest;
  secrets: SecretStore;
  /** A request the server answered (or failed), e.g. for self-metrics; not called when none was sent. */
  onPolled(target: TargetConfig, durationMs: number, failure: TargetFailureState | null): void;
  /** The target's info changed. */
  changed(runtime: TargetRuntime): void;
}

export function createPrometheusRunner(deps: PrometheusRunnerDeps): (config: TargetConfig) => Promise<RunOutcome> {
  const { targets } = deps;
  return async (config) => {
    if (!targets.has(config.id)) return 'failed';
    const outcome = await deps.poller.poll(config.id, async () => {
      const { auth, headers } = await scrapeRequestFor(config, deps.secrets);
      return { baseUrl: config.url, selector: config.selector, timeoutMs: config.timeoutMs, maxBytes: config.maxBytes, tls: config.tls, headers, auth };
    });
    // The target may have been removed while the server was being asked.
    const runtime = targets.get(config.id);
    if (!runtime) return 'failed';
    if (!outcome.ok) {
      if (outcome.asked) deps.onPolled(config, outcome.durationMs, outcome.state);
      targets.states.recordFailure(config.id, { state: outcome.state, message: outcome.message, remedy: outcome.remedy, durationMs: outcome.durationMs });
      deps.changed(runtime);
      return 'failed';
    }
    deps.onPolled(config, outcome.durationMs, null);
    deps.ingest.apply(runtime, outcome.batches, null);
    if (outcome.notice) runtime.notice = outcome.notice;
    targets.states.recordSuccess(config.id, outcome.durationMs);
    deps.changed(runtime);
    return 'ok';
  };
}
