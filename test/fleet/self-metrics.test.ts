import { describe, expect, it } from 'vitest';
import { createSelfMetrics } from '../../src/main/core/fleet/self-metrics';
import { TargetStateTracker } from '../../src/main/core/fleet/target-state';

describe('self-metrics', () => {
  it('exposes scrape durations per target, errors by reason, targets by state and history bytes', async () => {
    const tracker = new TargetStateTracker();
    tracker.upsert('a', 15_000);
    tracker.upsert('b', 15_000);
    tracker.recordSuccess('a', 20);
    tracker.recordFailure('b', { state: 'timeout', message: 'deadline', remedy: 'raise it', durationMs: 10_000 });
    let bytes = 1234;
    const metrics = createSelfMetrics({ targetStateCounts: () => tracker.countByState(), historyBytes: () => bytes, historyFullBytes: () => 3 * bytes });
    metrics.observeScrape('a', 20, null);
    metrics.observeScrape('b', 10_000, 'timeout');
    metrics.observeScrape('b', 3, 'down');
    metrics.observeScrape('b', 4, 'down');
    bytes = 4096;

    const text = await metrics.registry.metrics();
    expect(text).toContain('gpu_pulse_scrape_duration_seconds_count{target="a"} 1');
    expect(text).toContain('gpu_pulse_scrape_duration_seconds_bucket{le="0.025",target="a"} 1');
    expect(text).toContain('gpu_pulse_scrape_duration_seconds_count{target="b"} 3');
    expect(text).toContain('gpu_pulse_scrape_errors_total{reason="down"} 2');
    expect(text).toContain('gpu_pulse_scrape_errors_total{reason="timeout"} 1');
    expect(text).toContain('gpu_pulse_targets{state="up"} 1');
    expect(text).toContain('gpu_pulse_targets{state="timeout"} 1');
    expect(text).toContain('gpu_pulse_targets{state="pending"} 0');
    expect(text).toContain('gpu_pulse_history_bytes 4096');
    expect(text).toContain('gpu_pulse_history_full_bytes 12288');

    metrics.forgetTarget('b');
    expect(await metrics.registry.metrics()).not.toContain('target="b"');
  });
});
