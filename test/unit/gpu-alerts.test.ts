import { describe, expect, it } from 'vitest';
import { GpuAlertTracker } from '../../src/main/core/gpu-alerts';
import { gpu } from '../renderer/fake-api';

describe('GPU alerts for desktop notifications', () => {
  it('alerts when a GPU turns HOT or CRIT or shows a new XID, never on first sight', () => {
    const tracker = new GpuAlertTracker();
    expect(tracker.update([gpu({ health: { state: 'CRIT', reasons: [] } })])).toEqual([]);
    const t = new GpuAlertTracker();
    expect(t.update([gpu()])).toEqual([]);
    const hot = t.update([gpu({ health: { state: 'HOT', reasons: [{ state: 'HOT', code: 'temperature', message: 'GPU 96°C ≥ 95°C warning for H100' }] } })]);
    expect(hot).toEqual([{ key: 'node-a/GPU-1', title: 'node-a / GPU 0 is HOT', body: 'GPU 96°C ≥ 95°C warning for H100' }]);
    // Staying HOT does not alert again.
    expect(t.update([gpu({ health: { state: 'HOT', reasons: [] } })])).toEqual([]);
    const xid = t.update([gpu({ readings: { xidLast: 79 }, health: { state: 'CRIT', reasons: [{ state: 'CRIT', code: 'xid', message: 'XID 79: GPU has fallen off the bus' }] } })]);
    expect(xid.map((a) => a.title)).toEqual(['node-a / GPU 0 is CRIT', 'node-a / GPU 0: XID 79']);
    expect(t.update([gpu({ readings: { xidLast: 79 }, health: { state: 'CRIT', reasons: [] } })])).toEqual([]);
  });
});
