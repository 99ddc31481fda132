import { describe, expect, it } from 'vitest';
import { HeldIdleAlertTracker } from '../../src/main/core/accounting/held-idle-alerts';
import type { HeldIdleGpu } from '../../src/shared/waste';

const held = (key: string, idleSince: number, idleSeconds: number): HeldIdleGpu => ({
  key,
  node: 'n1',
  uuid: key,
  gpuIndex: 2,
  migInstanceId: null,
  namespace: 'ml',
  pod: 'nb-0',
  idleSince,
  idleSeconds,
});

describe('HeldIdleAlertTracker', () => {
  it('notifies once per idle stretch, when it passes the set time', () => {
    const tracker = new HeldIdleAlertTracker();
    const after = 30 * 60_000;
    expect(tracker.update([held('a', 0, 29 * 60)], after)).toEqual([]);
    expect(tracker.update([held('a', 0, 30 * 60)], after)).toEqual([{ key: 'a', title: 'n1 / GPU 2 held idle for 30 min', body: 'ml/nb-0 holds it with real utilization below 5 %' }]);
    expect(tracker.update([held('a', 0, 45 * 60)], after)).toEqual([]);
    // Busy for a while (not in the list), then a new idle stretch: a new notification.
    expect(tracker.update([], after)).toEqual([]);
    expect(tracker.update([held('a', 3_600_000, 31 * 60)], after)).toHaveLength(1);
  });
});
