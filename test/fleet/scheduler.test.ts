import { describe, expect, it } from 'vitest';
import { ScrapeScheduler, type RunInfo, type RunOutcome } from '../../src/main/core/fleet/scheduler';
import { FakeClock } from './support/fake-clock';

interface T {
  id: string;
  intervalMs: number;
  version?: number;
}

/** Deterministic random in [0, 1), so schedules are reproducible. */
function seededRandom(seed = 42): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Start {
  id: string;
  at: number;
  info: RunInfo;
}

function harness(opts: {
  concurrency?: number;
  jitterRatio?: number;
  durationMs?: (id: string) => number;
  outcome?: (id: string, runIndex: number) => RunOutcome;
  maxBackoffIntervals?: number;
  maxBackoffMs?: number;
  coalesceMs?: number;
}) {
  const clock = new FakeClock();
  const starts: Start[] = [];
  const running = new Map<string, number>();
  let maxInFlight = 0;
  let maxPerTarget = 0;
  let inFlight = 0;
  const scheduler = new ScrapeScheduler<T>({
    concurrency: opts.concurrency ?? 100,
    jitterRatio: opts.jitterRatio ?? 0,
    now: clock.now,
    timers: clock,
    random: seededRandom(),
    maxBackoffIntervals: opts.maxBackoffIntervals,
    maxBackoffMs: opts.maxBackoffMs,
    coalesceMs: opts.coalesceMs,
    run: async (target, info) => {
      const runIndex = starts.filter((s) => s.id === target.id).length;
      starts.push({ id: target.id, at: clock.now(), info });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      running.set(target.id, (running.get(target.id) ?? 0) + 1);
      maxPerTarget = Math.max(maxPerTarget, running.get(target.id)!);
      await clock.sleep(opts.durationMs?.(target.id) ?? 10);
      running.set(target.id, running.get(target.id)! - 1);
      inFlight -= 1;
      return opts.outcome?.(target.id, runIndex) ?? 'ok';
    },
  });
  const startsOf = (id: string) => starts.filter((s) => s.id === id).map((s) => s.at);
  const gaps = (id: string) => {
    const times = startsOf(id);
    return times.slice(1).map((t, i) => t - times[i]);
  };
  /** stop() waits for runs in flight, which only finish as fake time moves on. */
  const stop = async () => {
    const stopped = scheduler.stop();
    await clock.advance(60_000);
    await stopped;
  };
  return {
    clock,
    scheduler,
    stop,
    starts,
    startsOf,
    gaps,
    get maxInFlight() {
      return maxInFlight;
    },
    get maxPerTarget() {
      return maxPerTarget;
    },
  };
}

describe('ScrapeScheduler', () => {
  it('runs each target once per interval, spread over the interval, jitter within its bound', async () => {
    const h = harness({ jitterRatio: 0.1 });
    for (let i = 0; i < 20; i++) h.scheduler.upsert({ id: `t${i}`, intervalMs: 1000 });
    h.scheduler.start();
    await h.clock.advance(20_000);
    const firstStarts = [];
    for (let i = 0; i < 20; i++) {
      const id = `t${i}`;
      const times = h.startsOf(id);
      expect(times.length).toBeGreaterThanOrEqual(19);
      expect(times.length).toBeLessThanOrEqual(21);
      firstStarts.push(times[0]);
      // Slot grid of 1000 ms plus up to 100 ms of jitter: gaps within 900..1100.
      for (const gap of h.gaps(id)) {
        expect(gap).toBeGreaterThanOrEqual(900);
        expect(gap).toBeLessThanOrEqual(1100);
      }
    }
    // Phases are spread, not all at time 0.
    expect(new Set(firstStarts.map((t) => Math.floor(t / 100))).size).toBeGreaterThan(5);
    expect(h.scheduler.lagStats().maxMs).toBe(0);
    await h.stop();
  });

  it('with a timer grid, starts the targets due within one cell together, late by less than the cell', async () => {
    const wakeUps = (h: ReturnType<typeof harness>) => new Set(h.starts.map((s) => s.at)).size;
    const exact = harness({ jitterRatio: 0.1 });
    const coalesced = harness({ jitterRatio: 0.1, coalesceMs: 100 });
    for (const h of [exact, coalesced]) {
      for (let i = 0; i < 50; i++) h.scheduler.upsert({ id: `t${i}`, intervalMs: 1000 });
      h.scheduler.start();
      await h.clock.advance(10_000);
    }
    expect(coalesced.starts.length).toBe(exact.starts.length);
    // Every start is at most one cell after its due time: on the grid, or earlier when the
    // process woke anyway (another run finishing) after the target fell due.
    for (const start of coalesced.starts) {
      expect(start.info.lagMs).toBeGreaterThanOrEqual(0);
      expect(start.info.lagMs).toBeLessThan(100);
      expect(start.info.lagMs).toBe(Math.max(0, start.at - start.info.scheduledAt));
    }
    expect(coalesced.scheduler.lagStats().maxMs).toBeLessThan(100);
    // Far fewer distinct start times (wake-ups) than with one timer per due time.
    expect(wakeUps(exact)).toBeGreaterThan(3 * wakeUps(coalesced));
    // Each target still runs once per interval.
    for (let i = 0; i < 50; i++) {
      for (const gap of coalesced.gaps(`t${i}`)) {
        expect(gap).toBeGreaterThanOrEqual(800);
        expect(gap).toBeLessThanOrEqual(1200);
      }
    }
    await exact.stop();
    await coalesced.stop();
  });

  it('never runs one target twice at once: a slow run makes it skip slots, not overlap', async () => {
    const h = harness({ durationMs: (id) => (id === 'slow' ? 2500 : 10) });
    h.scheduler.upsert({ id: 'slow', intervalMs: 1000 }, { runNow: true });
    h.scheduler.upsert({ id: 'fast', intervalMs: 1000 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(12_000);
    expect(h.maxPerTarget).toBe(1);
    // The slow target resumes on its grid at the first slot after its run ended: every 3 s.
    expect(h.gaps('slow').every((gap) => gap === 3000)).toBe(true);
    expect(h.gaps('fast').every((gap) => gap === 1000)).toBe(true);
    // Skipped slots are not late runs.
    expect(h.scheduler.lagStats().maxMs).toBe(0);
    await h.clock.advance(3000);
    await h.stop();
  });

  it('caps runs in flight globally and reports the queueing as start lag', async () => {
    const h = harness({ concurrency: 3, durationMs: () => 500 });
    for (let i = 0; i < 10; i++) h.scheduler.upsert({ id: `t${i}`, intervalMs: 10_000 }, { runNow: true });
    h.scheduler.start();
    expect(h.scheduler.inFlight).toBe(3);
    expect(h.scheduler.queued).toBe(7);
    await h.clock.advance(5000);
    expect(h.maxInFlight).toBe(3);
    expect(h.starts).toHaveLength(10);
    // Batches of 3 every 500 ms: the tenth run waited 1.5 s.
    expect(h.starts.map((s) => s.info.lagMs).sort((a, b) => a - b)).toEqual([0, 0, 0, 500, 500, 500, 1000, 1000, 1000, 1500]);
    const stats = h.scheduler.lagStats();
    expect(stats.count).toBe(10);
    expect(stats.p50Ms).toBe(500);
    expect(stats.p99Ms).toBe(1500);
    await h.clock.advance(1000);
    await h.stop();
  });

  it('backs off exponentially on failure, capped at 8 intervals, and resets on success', async () => {
    // Fails for its first six runs, then recovers.
    const h = harness({ outcome: (_id, runIndex) => (runIndex < 6 ? 'failed' : 'ok') });
    h.scheduler.upsert({ id: 'flaky', intervalMs: 1000 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(40_000);
    expect(h.gaps('flaky').slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 1000, 1000]);
    await h.stop();
  });

  it('caps backoff at 5 minutes for long intervals', async () => {
    const h = harness({ outcome: () => 'failed' });
    h.scheduler.upsert({ id: 'dead', intervalMs: 60_000 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(1_500_000);
    expect(h.gaps('dead').slice(0, 5)).toEqual([60_000, 120_000, 240_000, 300_000, 300_000]);
    await h.stop();
  });

  it('a changed configuration clears the backoff; runNow makes it due at once', async () => {
    const h = harness({ outcome: (_id, runIndex) => (runIndex < 4 ? 'failed' : 'ok') });
    h.scheduler.upsert({ id: 'x', intervalMs: 1000, version: 1 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(7_500); // runs at 0, 1000, 3000, 7000; next due at 15000
    expect(h.startsOf('x')).toEqual([0, 1000, 3000, 7000]);
    h.scheduler.upsert({ id: 'x', intervalMs: 1000, version: 2 });
    await h.clock.advance(1_000);
    expect(h.startsOf('x')).toEqual([0, 1000, 3000, 7000, 8000]);
    h.scheduler.upsert({ id: 'x', intervalMs: 1000, version: 3 }, { runNow: true });
    expect(h.startsOf('x')).toHaveLength(6);
    await h.clock.advance(100);
    await h.stop();
  });

  it('an unchanged upsert keeps the schedule', async () => {
    const h = harness({});
    h.scheduler.upsert({ id: 'x', intervalMs: 1000 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(500);
    h.scheduler.upsert({ id: 'x', intervalMs: 1000 });
    await h.clock.advance(2_000);
    expect(h.startsOf('x')).toEqual([0, 1000, 2000]);
    await h.stop();
  });

  it('removing a target stops it; re-adding it mid-run waits for that run to end', async () => {
    const h = harness({ durationMs: () => 600 });
    h.scheduler.upsert({ id: 'x', intervalMs: 1000 }, { runNow: true });
    h.scheduler.upsert({ id: 'y', intervalMs: 1000 }, { runNow: true });
    h.scheduler.start();
    await h.clock.advance(100);
    h.scheduler.remove('y');
    h.scheduler.remove('x');
    h.scheduler.upsert({ id: 'x', intervalMs: 1000 }, { runNow: true });
    await h.clock.advance(5_000);
    expect(h.startsOf('y')).toEqual([0]);
    expect(h.maxPerTarget).toBe(1);
    expect(h.startsOf('x')[1]).toBeGreaterThanOrEqual(600);
    expect(h.startsOf('x').length).toBeGreaterThanOrEqual(5);
    await h.clock.advance(1000);
    await h.stop();
  });

  it('on the first start, runs targets added with runNow at once, however long setting up took', async () => {
    const h = harness({});
    h.scheduler.upsert({ id: 'now', intervalMs: 15_000 }, { runNow: true });
    h.scheduler.upsert({ id: 'later', intervalMs: 15_000 });
    // The service adds its targets, then awaits other start-up work before start().
    await h.clock.advance(50);
    h.scheduler.start();
    await h.clock.advance(0);
    expect(h.startsOf('now')).toEqual([50]);
    expect(h.starts[0]!.info.lagMs).toBe(50);
    await h.clock.advance(15_000);
    expect(h.startsOf('later')).toHaveLength(1);
    await h.stop();
  });

  it('stop waits for runs in flight; start re-spreads overdue targets instead of bursting', async () => {
    const h = harness({ durationMs: () => 300 });
    for (let i = 0; i < 5; i++) h.scheduler.upsert({ id: `t${i}`, intervalMs: 1000 }, { runNow: true });
    h.scheduler.start();
    let stopped = false;
    const stopping = h.scheduler.stop().then(() => {
      stopped = true;
    });
    await h.clock.advance(100);
    expect(stopped).toBe(false);
    await h.clock.advance(300);
    await stopping;
    expect(stopped).toBe(true);
    expect(h.clock.timerCount).toBe(0);
    await h.clock.advance(60_000);
    expect(h.starts).toHaveLength(5);
    h.scheduler.start();
    await h.clock.advance(0);
    // Overdue targets got fresh phases within the next interval: none started late.
    expect(h.starts).toHaveLength(5);
    await h.clock.advance(1000);
    expect(h.starts).toHaveLength(10);
    expect(Math.max(...h.starts.slice(5).map((s) => s.info.lagMs))).toBe(0);
    await h.clock.advance(1000);
    await h.stop();
  });

  it('a run that throws or rejects counts as a failure and the fleet keeps going', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const scheduler = new ScrapeScheduler<T>({
      concurrency: 2,
      jitterRatio: 0,
      now: clock.now,
      timers: clock,
      run: (target) => {
        times.push(clock.now());
        if (target.id === 'throws') throw new Error('sync');
        return Promise.reject(new Error('async'));
      },
    });
    scheduler.upsert({ id: 'throws', intervalMs: 1000 }, { runNow: true });
    scheduler.upsert({ id: 'rejects', intervalMs: 1000 }, { runNow: true });
    scheduler.start();
    await clock.advance(3_500);
    // Both back off (0, 1000, 3000) rather than stopping or spinning.
    expect(times).toEqual([0, 0, 1000, 1000, 3000, 3000]);
    expect(scheduler.inFlight).toBe(0);
    await scheduler.stop();
  });

  it('rejects nonsensical options', () => {
    const run = async () => 'ok' as const;
    expect(() => new ScrapeScheduler({ concurrency: 0, jitterRatio: 0, run })).toThrow(/concurrency/);
    expect(() => new ScrapeScheduler({ concurrency: 1, jitterRatio: 2, run })).toThrow(/jitterRatio/);
    expect(() => new ScrapeScheduler({ concurrency: 1, jitterRatio: 0, coalesceMs: -1, run })).toThrow(/coalesceMs/);
  });
});
