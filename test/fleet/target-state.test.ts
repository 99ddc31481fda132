import { describe, expect, it } from 'vitest';
import { TargetStateTracker } from '../../src/main/core/fleet/target-state';

function tracker() {
  let now = 1_000_000;
  const states = new TargetStateTracker({ now: () => now });
  states.upsert('t', 10_000);
  return {
    states,
    at: (ms: number) => {
      now = ms;
    },
  };
}

const down = { state: 'down' as const, message: 'HTTP 500 Internal Server Error from http://x', remedy: 'check logs', durationMs: 3 };

describe('TargetStateTracker', () => {
  it('starts pending and turns up after a success', () => {
    const { states } = tracker();
    expect(states.get('t')).toMatchObject({ state: 'pending', lastScrapeAt: null, consecutiveFailures: 0, dataAgeMs: null });
    states.recordSuccess('t', 12);
    expect(states.get('t')).toMatchObject({ state: 'up', lastError: null, remedy: null, lastDurationMs: 12, dataAgeMs: 0 });
  });

  it('shows a failure that needs the user at once, whatever data exists', () => {
    const { states, at } = tracker();
    states.recordSuccess('t', 5);
    at(1_001_000);
    states.recordFailure('t', { state: 'unauthorized', message: 'HTTP 401 Unauthorized from http://x', remedy: 'set credentials', durationMs: 2 });
    expect(states.get('t')).toMatchObject({
      state: 'unauthorized',
      lastError: 'HTTP 401 Unauthorized from http://x',
      remedy: 'set credentials',
      consecutiveFailures: 1,
      lastSuccessAt: 1_000_000,
      lastScrapeAt: 1_001_000,
    });
  });

  it('a transient failure with data is stale for 3 intervals, then shows the failure', () => {
    const { states, at } = tracker();
    states.recordSuccess('t', 5);
    at(1_010_000);
    states.recordFailure('t', down);
    expect(states.get('t')).toMatchObject({ state: 'stale', lastError: down.message, dataAgeMs: 10_000 });
    at(1_030_000);
    expect(states.get('t')!.state).toBe('stale');
    at(1_030_001);
    expect(states.get('t')!.state).toBe('down');
    // The data is still there, with its age.
    expect(states.get('t')!.dataAgeMs).toBe(30_001);
    states.recordSuccess('t', 4);
    expect(states.get('t')).toMatchObject({ state: 'up', consecutiveFailures: 0, lastError: null });
  });

  it('a transient failure without data shows the failure at once', () => {
    const { states } = tracker();
    states.recordFailure('t', { ...down, state: 'timeout', message: 'deadline of 10 s exceeded' });
    expect(states.get('t')!.state).toBe('timeout');
  });

  it('the caller can mark a parse-error transient (the exporter reload empty body)', () => {
    const { states, at } = tracker();
    states.recordSuccess('t', 5);
    at(1_005_000);
    states.recordFailure('t', { state: 'parse-error', message: 'empty body', remedy: 'wait', durationMs: 1, transient: true });
    expect(states.get('t')!.state).toBe('stale');
    states.recordFailure('t', { state: 'parse-error', message: 'binary body', remedy: 'check URL', durationMs: 1 });
    expect(states.get('t')!.state).toBe('parse-error');
  });

  it('an old success with nothing since is stale, naming the age', () => {
    const { states, at } = tracker();
    states.recordSuccess('t', 5);
    at(1_045_000);
    expect(states.get('t')).toMatchObject({ state: 'stale', lastError: 'no fresh data for 45 s (more than 3 intervals)' });
  });

  it('counts targets by state, every state present', () => {
    const { states } = tracker();
    states.upsert('u', 10_000);
    states.upsert('v', 10_000);
    states.recordSuccess('u', 1);
    states.recordFailure('v', { ...down, state: 'tls-error' });
    const counts = states.countByState();
    expect(counts).toMatchObject({ pending: 1, up: 1, 'tls-error': 1, down: 0, stale: 0 });
    expect(Object.keys(counts)).toHaveLength(9);
  });

  it('reset forgets outcomes, remove forgets the target', () => {
    const { states } = tracker();
    states.recordFailure('t', down);
    states.reset('t');
    expect(states.get('t')!.state).toBe('pending');
    states.remove('t');
    expect(states.get('t')).toBeUndefined();
    expect(() => states.recordSuccess('t', 1)).toThrow(/unknown target/);
  });
});
