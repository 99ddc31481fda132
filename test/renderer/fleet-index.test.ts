// The fleet view's incremental model (FleetIndex, fed by the store's change journal) must always
// equal the from-scratch one (buildSections + summarize + the class list) for the same state and
// filter, whatever ticks came in between and however many of them the view skipped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TargetInfo, Tick } from '../../src/shared/api';
import type { GpuSnapshot, HealthState } from '../../src/shared/gpu';
import { FleetIndex } from '../../src/renderer/src/state/fleet-index';
import { buildSections, DEFAULT_FILTER, summarize, type FleetFilter } from '../../src/renderer/src/state/fleet-filter';
import { ChangeJournal, FleetStore } from '../../src/renderer/src/state/fleet-store';
import { fakeApi, gpu, target } from './fake-api';

const NODES = ['node-1', 'node-2', 'node-3', 'node-10', 'gpu-a', 'gpu-b'];
const TARGETS = ['t1', 't2', 't3', 't4'];
const HEALTH: HealthState[] = ['OK', 'WARN', 'HOT', 'CRIT'];
const CLASSES = [
  { label: 'idle', bottleneck: 'idle' },
  { label: 'tensor compute', bottleneck: 'compute' },
  { label: 'memory-bound', bottleneck: 'memory' },
] as const;

const gpuArb = fc
  .record({
    node: fc.constantFrom(...NODES),
    index: fc.integer({ min: 0, max: 3 }),
    mig: fc.option(fc.constantFrom('1', '2'), { nil: null }),
    source: fc.constantFrom(...TARGETS),
    realUtil: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    power: fc.option(fc.integer({ min: 50, max: 700 }), { nil: undefined }),
    temp: fc.option(fc.integer({ min: 20, max: 100 }), { nil: undefined }),
    cls: fc.constantFrom(...CLASSES),
    health: fc.constantFrom(...HEALTH),
    pod: fc.option(fc.constantFrom('trainer-7', 'infer-2'), { nil: null }),
  })
  .map(
    (g): GpuSnapshot =>
      gpu({
        key: `${g.node}/GPU-${g.index}${g.mig ? `/mig-${g.mig}` : ''}`,
        node: g.node,
        uuid: `GPU-${g.index}`,
        gpuIndex: g.index,
        migInstance: g.mig ? { id: g.mig, profile: '1g.10gb' } : null,
        sourceId: g.source,
        realUtil: g.realUtil,
        readings: { powerWatts: g.power, gpuTempC: g.temp },
        class: { ...g.cls },
        health: { state: g.health, reasons: [] },
        attribution: { pods: g.pod ? [g.pod] : [], namespaces: [], jobs: [] },
      }),
  );

const targetArb = fc
  .record({
    id: fc.constantFrom(...TARGETS),
    node: fc.option(fc.constantFrom(...NODES), { nil: null }),
    pinned: fc.boolean(),
    group: fc.option(fc.constantFrom('a100-pool', 'h100-pool'), { nil: null }),
    state: fc.constantFrom('up', 'down', 'pending', 'timeout') as fc.Arbitrary<TargetInfo['state']>,
    lastError: fc.option(fc.constant('connection refused'), { nil: null }),
  })
  .map((t) => target({ id: t.id, name: `name-${t.id}`, nodes: t.node ? [t.node] : [], pinned: t.pinned, group: t.group, state: t.state, lastError: t.lastError }));

const filterArb: fc.Arbitrary<FleetFilter> = fc.record({
  search: fc.constantFrom('', 'node-1', 'TRAINER', 'gpu 2'),
  classLabel: fc.option(fc.constantFrom(...CLASSES.map((c) => c.label)), { nil: null }),
  health: fc.option(fc.constantFrom(...HEALTH), { nil: null }),
  sort: fc.constantFrom('name', 'realUtil', 'power', 'temperature') as fc.Arbitrary<FleetFilter['sort']>,
});

type Step =
  | { kind: 'gpus'; gpus: GpuSnapshot[]; look: boolean }
  | { kind: 'remove-gpu'; key: string; look: boolean }
  | { kind: 'target'; target: TargetInfo; look: boolean }
  | { kind: 'remove-target'; id: string; look: boolean }
  | { kind: 'filter'; filter: FleetFilter; look: boolean };

const look = fc.boolean();
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('gpus' as const), gpus: fc.array(gpuArb, { minLength: 1, maxLength: 6 }), look }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove-gpu' as const), key: gpuArb.map((g) => g.key), look }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('target' as const), target: targetArb, look }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove-target' as const), id: fc.constantFrom(...TARGETS), look }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('filter' as const), filter: filterArb, look }) },
);

const tick = (over: Partial<Tick>): Tick => ({ at: 0, gpus: [], removedGpus: [], targets: [], removedTargets: [], ...over });

/** What the view shows, in plain data: sections with their nodes' targets and GPU keys. */
const shape = (sections: ReturnType<typeof buildSections>) =>
  sections.map((s) => ({ title: s.title, pinned: s.pinned, nodes: s.nodes.map((n) => ({ node: n.node, target: n.target, total: n.totalGpus, gpus: n.gpus.map((g) => g.key) })) }));

describe('FleetIndex', () => {
  it('equals buildSections + summarize after any sequence of ticks and filters, looked at any time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gpuArb, { maxLength: 8 }), fc.array(targetArb, { maxLength: 4 }), fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (gpus, targets, steps) => {
        const unique = <T,>(items: T[], id: (t: T) => string) => [...new Map(items.map((i) => [id(i), i])).values()];
        const store = new FleetStore(fakeApi({ gpus: unique(gpus, (g) => g.key), targets: unique(targets, (t) => t.id) }));
        await store.start();
        const index = new FleetIndex();
        let filter = DEFAULT_FILTER;
        let observedAt = 2000;
        let layout: { shape: number; rows: string } | null = null;
        const check = () => {
          const state = store.getState();
          const model = index.update(state, filter);
          // While the shape stays, the virtual list keeps its rows: their sizes must not have changed.
          const rows = JSON.stringify(model.sections.map((s) => [s.title, s.pinned, s.nodes.map((n) => [n.gpus.length, Boolean(n.target?.lastError && n.target.state !== 'up')])]));
          if (layout?.shape === model.shape) expect(rows).toBe(layout.rows);
          layout = { shape: model.shape, rows };
          const expected = buildSections(state.gpus.values(), state.targets, filter);
          expect(shape(model.sections)).toEqual(shape(expected));
          expect(model.shown).toBe(expected.reduce((n, s) => n + s.nodes.reduce((m, g) => m + g.gpus.length, 0), 0));
          const summary = summarize(state.gpus.values(), state.targets.values());
          expect({ ...model.summary, avgRealUtil: null, totalPowerWatts: 0 }).toEqual({ ...summary, avgRealUtil: null, totalPowerWatts: 0 });
          if (summary.avgRealUtil === null) expect(model.summary.avgRealUtil).toBeNull();
          else expect(model.summary.avgRealUtil).toBeCloseTo(summary.avgRealUtil, 9);
          expect(model.summary.totalPowerWatts).toBeCloseTo(summary.totalPowerWatts, 9);
          expect(model.classes).toEqual([...new Set([...state.gpus.values()].map((g) => g.class.label))].sort());
        };
        check();
        for (const step of steps) {
          if (step.kind === 'gpus') store.applyTick(tick({ gpus: step.gpus.map((g) => ({ ...g, observedAt: observedAt++ })) }));
          else if (step.kind === 'remove-gpu') store.applyTick(tick({ removedGpus: [step.key] }));
          else if (step.kind === 'target') store.applyTick(tick({ targets: [step.target] }));
          else if (step.kind === 'remove-target') store.applyTick(tick({ removedTargets: [step.id] }));
          else filter = step.filter;
          if (step.look) check();
        }
        check();
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the layout shape while ticks change values only, and changes it when a node gains a GPU', async () => {
    const gpus = [0, 1, 2].map((i) => gpu({ key: `node-a/GPU-${i}`, uuid: `GPU-${i}`, gpuIndex: i }));
    const store = new FleetStore(fakeApi({ targets: [target()], gpus }));
    await store.start();
    const index = new FleetIndex();
    const first = index.update(store.getState(), DEFAULT_FILTER);
    store.applyTick(tick({ gpus: [{ ...gpus[1]!, realUtil: 3, observedAt: 5000 }], targets: [target({ lastScrapeAt: 5000 })] }));
    const second = index.update(store.getState(), DEFAULT_FILTER);
    expect(second.shape).toBe(first.shape);
    expect(second.sections[0]!.nodes[0]!.gpus[1]!.realUtil).toBe(3);
    expect(first.sections[0]!.nodes[0]!.gpus[1]!.realUtil).toBe(59); // the earlier model is not changed under the view
    store.applyTick(tick({ gpus: [gpu({ key: 'node-a/GPU-3', uuid: 'GPU-3', gpuIndex: 3 })] }));
    expect(index.update(store.getState(), DEFAULT_FILTER).shape).not.toBe(second.shape);
  });
  it('keeps the summary totals by adding and taking away, and recovers from a NaN reading once it is gone', async () => {
    const gpus = [0, 1].map((i) => gpu({ key: `node-a/GPU-${i}`, uuid: `GPU-${i}`, gpuIndex: i, readings: { powerWatts: 100 } }));
    const store = new FleetStore(fakeApi({ targets: [target()], gpus }));
    await store.start();
    const index = new FleetIndex();
    expect(index.update(store.getState(), DEFAULT_FILTER).summary.totalPowerWatts).toBe(200);
    store.applyTick(tick({ gpus: [{ ...gpus[0]!, readings: { powerWatts: Number.NaN }, observedAt: 5000 }] }));
    expect(index.update(store.getState(), DEFAULT_FILTER).summary.totalPowerWatts).toBeNaN();
    store.applyTick(tick({ gpus: [{ ...gpus[0]!, readings: { powerWatts: 150 }, observedAt: 6000 }] }));
    expect(index.update(store.getState(), DEFAULT_FILTER).summary.totalPowerWatts).toBe(250);
    store.applyTick(tick({ removedGpus: [gpus[1]!.key] }));
    const model = index.update(store.getState(), DEFAULT_FILTER);
    expect(model.summary).toMatchObject({ gpus: 1, totalPowerWatts: 150 });
    expect(model.shown).toBe(1);
  });
});

describe('ChangeJournal', () => {
  it('names what changed after a version, and says when that version is too old to tell', () => {
    const journal = new ChangeJournal();
    journal.reset(1);
    journal.record(2, { nodes: new Set(['a']), targets: new Set() });
    journal.record(3, { nodes: new Set(['b']), targets: new Set(['t1']) });
    expect(journal.since(1)).toEqual({ nodes: new Set(['a', 'b']), targets: new Set(['t1']) });
    expect(journal.since(2)).toEqual({ nodes: new Set(['b']), targets: new Set(['t1']) });
    expect(journal.since(3)).toEqual({ nodes: new Set(), targets: new Set() });
    expect(journal.since(0)).toBeNull();
    for (let v = 4; v < 1000; v++) journal.record(v, { nodes: new Set(['c']), targets: new Set() });
    expect(journal.since(3)).toBeNull();
    expect(journal.since(990)).toEqual({ nodes: new Set(['c']), targets: new Set() });
  });
});
