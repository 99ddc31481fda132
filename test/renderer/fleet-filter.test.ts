import { describe, expect, it } from 'vitest';
import { buildSections, compareGpus, DEFAULT_FILTER, matchesFilter, summarize } from '../../src/renderer/src/state/fleet-filter';
import { gpu, target } from './fake-api';

const targets = new Map([
  ['t1', target({ id: 't1', name: 'node-a', nodes: ['node-a'], group: 'a100-pool' })],
  ['t2', target({ id: 't2', name: 'node-b', url: 'http://node-b:9400/metrics', nodes: ['node-b'], pinned: true })],
  ['t3', target({ id: 't3', name: 'node-c', url: 'http://node-c:9400/metrics', nodes: [], state: 'down', lastError: 'refused' })],
]);
const gpus = [
  gpu({ key: 'a/1', node: 'node-a', sourceId: 't1', gpuIndex: 1, realUtil: 20, readings: { powerWatts: 100, gpuTempC: 50 } }),
  gpu({ key: 'a/0', node: 'node-a', sourceId: 't1', gpuIndex: 0, realUtil: 90, readings: { powerWatts: 600, gpuTempC: 80 }, class: { label: 'idle', bottleneck: 'idle' } }),
  gpu({ key: 'b/0', node: 'node-b', sourceId: 't2', gpuIndex: 0, realUtil: null, readings: {}, health: { state: 'CRIT', reasons: [] }, attribution: { pods: ['trainer-7'], namespaces: ['ml'], jobs: [] } }),
];

describe('fleet filter', () => {
  it('puts pinned nodes first, then target groups, then ungrouped targets (even without data)', () => {
    const sections = buildSections(gpus, targets, DEFAULT_FILTER);
    expect(sections.map((s) => [s.title, s.pinned, s.nodes.map((n) => n.node)])).toEqual([
      ['Pinned', true, ['node-b']],
      ['a100-pool', false, ['node-a']],
      ['', false, ['node-c']],
    ]);
    expect(sections[1]!.nodes[0]!.gpus.map((g) => g.gpuIndex)).toEqual([0, 1]);
  });

  it('filters by search over pods, by class and by health, and hides nodes left empty', () => {
    expect(buildSections(gpus, targets, { ...DEFAULT_FILTER, search: 'TRAINER' }).flatMap((s) => s.nodes.map((n) => n.node))).toEqual(['node-b']);
    expect(buildSections(gpus, targets, { ...DEFAULT_FILTER, classLabel: 'idle' }).flatMap((s) => s.nodes.flatMap((n) => n.gpus.map((g) => g.key)))).toEqual(['a/0']);
    expect(matchesFilter(gpus[2]!, { ...DEFAULT_FILTER, health: 'CRIT' })).toBe(true);
    expect(matchesFilter(gpus[0]!, { ...DEFAULT_FILTER, health: 'CRIT' })).toBe(false);
  });

  it('sorts busiest, hungriest or hottest first with missing values last', () => {
    expect([...gpus].sort(compareGpus('realUtil')).map((g) => g.key)).toEqual(['a/0', 'a/1', 'b/0']);
    expect([...gpus].sort(compareGpus('temperature')).map((g) => g.key)).toEqual(['a/0', 'a/1', 'b/0']);
  });

  it('summarizes without counting a MIG parent power twice', () => {
    const mig = [0, 1, 2].map((i) => gpu({ key: `m/${i}`, node: 'node-m', uuid: 'GPU-M', migInstance: { id: String(i), profile: '1g.10gb' }, readings: { powerWatts: 250 } }));
    const s = summarize([...gpus, ...mig], targets.values());
    expect(s.gpus).toBe(6);
    expect(s.totalPowerWatts).toBe(100 + 600 + 250);
    expect(s.health.CRIT).toBe(1);
    expect(s.targetsDown).toBe(1);
    expect(s.avgRealUtil).toBeCloseTo((20 + 90 + 59 * 3) / 5);
  });
});
