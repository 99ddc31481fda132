import { describe, expect, it } from 'vitest';
import { COUNTER_STOPPED_AFTER_MS, advanceCounter, type CounterTrack } from '../../src/main/core/compute';

function run(points: [number, number][]): (number | null)[] {
  let track: CounterTrack | undefined;
  return points.map(([at, value]) => {
    const step = advanceCounter(track, value, at);
    track = step.track;
    return step.perSecond;
  });
}

describe('advanceCounter', () => {
  it('is unknown at first sight, then Δvalue/Δt', () => {
    expect(run([
      [0, 1000],
      [10_000, 1500],
      [20_000, 2500],
    ])).toEqual([null, 50, 100]);
  });

  it('treats a decrease as a reset: unknown for that interval, then rates from the new base', () => {
    const rates = run([
      [0, 5000],
      [10_000, 6000],
      [20_000, 200],
      [30_000, 700],
    ]);
    expect(rates).toEqual([null, 100, null, 50]);
  });

  it('repeats the last rate while the exporter has not refreshed, then spreads the change', () => {
    // 5 s scrapes of a 30 s collect interval: the value moves every sixth scrape.
    const rates = run([
      [0, 0],
      [30_000, 300],
      [35_000, 300],
      [40_000, 300],
      [60_000, 600],
    ]);
    expect(rates).toEqual([null, 10, 10, 10, 10]);
  });

  it('calls a counter that has not moved for long enough stopped (0/s)', () => {
    const rates = run([
      [0, 7],
      [10_000, 7],
      [COUNTER_STOPPED_AFTER_MS, 7],
    ]);
    expect(rates).toEqual([null, null, 0]);
  });
});
