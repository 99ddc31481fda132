// A manual clock for scheduler tests: timers fire only when the test advances time, so
// schedules can be checked to the millisecond without waiting.
import type { SchedulerTimers } from '../../../src/main/core/fleet/scheduler';

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeClock implements SchedulerTimers {
  private current = 0;
  private nextId = 1;
  private pending: PendingTimer[] = [];

  now = (): number => this.current;

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), callback };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** Resolves after `ms` of fake time: a stand-in for a scrape that takes that long. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  get timerCount(): number {
    return this.pending.length;
  }

  /** Moves time forward, firing due timers in order and letting promise chains settle. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await settle();
    for (;;) {
      const next = this.pending.reduce<PendingTimer | null>(
        (earliest, timer) => (timer.at <= end && (!earliest || timer.at < earliest.at) ? timer : earliest),
        null,
      );
      if (!next) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.current = Math.max(this.current, next.at);
      next.callback();
      await settle();
    }
    this.current = end;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
