// GPU Pulse's own health, served at /metrics by serve mode so the tool that watches the fleet
// can itself be watched: how long scrapes take, why they fail, where targets stand, and how
// much memory history holds.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TARGET_STATES, type TargetState } from './target-state';

export interface SelfMetricsSources {
  /** Read at each /metrics request, so the gauges are never out of date. */
  targetStateCounts(): Record<TargetState, number>;
  historyBytes(): number;
  /** What the GPUs held now will take once their history windows have filled. */
  historyFullBytes(): number;
}

export interface SelfMetrics {
  registry: Registry;
  /** One finished scrape; `failureReason` is the failure state, or null for a success. */
  observeScrape(targetId: string, durationMs: number, failureReason: string | null): void;
  /** Drops a removed target's series, so metrics do not grow with target churn. */
  forgetTarget(targetId: string): void;
  /** How late a scrape started against its schedule (the scheduler's lag). */
  observeStartLag(lagMs: number): void;
  /** A body that repeated the previous one and was not parsed again (fleet/body-fingerprint). */
  observeIdenticalBody(): void;
}

// Exporters answer in milliseconds to seconds; the top bucket sits at the default timeout.
const SCRAPE_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// A scrape should start within a timer-grid cell of its due time; seconds late means the
// process cannot keep up with its fleet.
const START_LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createSelfMetrics(sources: SelfMetricsSources): SelfMetrics {
  const registry = new Registry();
  const startLag = new Histogram({
    name: 'gpu_pulse_scrape_start_lag_seconds',
    help: 'How late scrapes started against their schedule.',
    buckets: START_LAG_BUCKETS,
    registers: [registry],
  });
  const identicalBodies = new Counter({
    name: 'gpu_pulse_scrape_identical_bodies_total',
    help: 'Scraped bodies identical to the one before from the same target, not parsed again (exporters refresh slower than they are polled).',
    registers: [registry],
  });
  const scrapeDuration = new Histogram({
    name: 'gpu_pulse_scrape_duration_seconds',
    help: 'Duration of scrapes of each target, successful or not.',
    labelNames: ['target'],
    buckets: SCRAPE_DURATION_BUCKETS,
    registers: [registry],
  });
  const scrapeErrors = new Counter({
    name: 'gpu_pulse_scrape_errors_total',
    help: 'Failed scrapes by reason (the target state the failure led to).',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'gpu_pulse_targets',
    help: 'Targets by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = sources.targetStateCounts();
      for (const state of TARGET_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'gpu_pulse_history_bytes',
    help: 'Bytes held by the history ring buffers (chart history and waste ledger).',
    registers: [registry],
    collect() {
      this.set(sources.historyBytes());
    },
  });
  new Gauge({
    name: 'gpu_pulse_history_full_bytes',
    help: 'Bytes the history ring buffers (chart history and waste ledger) of the GPUs held now reach once their windows have filled (the raw ring grows to cover its hour at the interval seen so far, the 1-minute tier 4 hours at a time).',
    registers: [registry],
    collect() {
      this.set(sources.historyFullBytes());
    },
  });

  return {
    registry,
    observeScrape(targetId, durationMs, failureReason) {
      scrapeDuration.observe({ target: targetId }, durationMs / 1000);
      if (failureReason) scrapeErrors.inc({ reason: failureReason });
    },
    forgetTarget(targetId) {
      scrapeDuration.remove({ target: targetId });
    },
    observeStartLag(lagMs) {
      startLag.observe(lagMs / 1000);
    },
    observeIdenticalBody() {
      identicalBodies.inc();
    },
  };
}
