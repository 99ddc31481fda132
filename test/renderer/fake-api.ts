import type { PulseApi, TargetInfo, Tick } from '../../src/shared/api';
import type { GpuSnapshot } from '../../src/shared/gpu';

export function target(over: Partial<TargetInfo> = {}): TargetInfo {
  return {
    id: 't1',
    kind: 'exporter',
    url: 'http://node-a:9400/metrics',
    selector: null,
    name: 'node-a',
    group: null,
    state: 'up',
    lastScrapeAt: 1000,
    lastSuccessAt: 1000,
    lastError: null,
    remedy: null,
    lastDurationMs: 12,
    gpuCount: 1,
    intervalMs: 15000,
    pinned: false,
    demo: false,
    nodes: ['node-a'],
    timeoutMs: 10000,
    authKind: 'none',
    username: null,
    tls: null,
    ...over,
  };
}

export function gpu(over: Partial<GpuSnapshot> = {}): GpuSnapshot {
  return {
    key: 'node-a/GPU-1',
    node: 'node-a',
    uuid: 'GPU-1',
    gpuIndex: 0,
    migInstance: null,
    model: 'NVIDIA H100 80GB HBM3',
    sourceId: 't1',
    realUtil: 59,
    realUtilMissing: [],
    class: { label: 'tensor compute', bottleneck: 'compute' },
    health: { state: 'OK', reasons: [] },
    attribution: { pods: [], namespaces: [], jobs: [] },
    readings: { smActive: 0.9, tensorActive: 0.5, dramActive: 0.3, powerWatts: 500, gpuTempC: 60, fbUsedBytes: 2 ** 34, fbTotalBytes: 80 * 2 ** 30 },
    observedAt: 1000,
    ...over,
  };
}

export interface FakeApi extends PulseApi {
  emit(tick: Tick): void;
  /** Every watchGpus call, in order. */
  watchCalls: string[][];
}

export function fakeApi(init: { targets?: TargetInfo[]; gpus?: GpuSnapshot[]; fail?: string; hang?: boolean }): FakeApi {
  const listeners = new Set<(t: Tick) => void>();
  const watchCalls: string[][] = [];
  const answer = <T,>(value: T): Promise<T> =>
    init.hang ? new Promise(() => {}) : init.fail ? Promise.reject(new Error(init.fail)) : Promise.resolve(value);
  return {
    getAppInfo: () => Promise.resolve({ version: 'test', mode: 'serve', demo: false, notifications: true, secretNames: [] }),
    getTargets: () => answer(init.targets ?? []),
    getGpus: () => answer(init.gpus ?? []),
    getHistory: () => answer({ series: {} }),
    addTarget: () => Promise.reject(new Error('not in this fake')),
    removeTarget: () => Promise.resolve(),
    setPinned: () => Promise.reject(new Error('not in this fake')),
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watchCalls,
    watchGpus(keys) {
      watchCalls.push(keys);
    },
    updateTarget: () => Promise.reject(new Error('not in this fake')),
    testTarget: () => Promise.reject(new Error('not in this fake')),
    getSources: () => answer([]),
    addSource: () => Promise.reject(new Error('not in this fake')),
    removeSource: () => Promise.resolve(),
    getNodeExtras: () => Promise.resolve([]),
    setNotifications: () => Promise.resolve(),
    openReplay: () => Promise.reject(new Error('not in this fake')),
    replayInspection: () => Promise.reject(new Error('not in this fake')),
    controlReplay: () => Promise.resolve(null),
    getReplay: () => Promise.resolve(null),
    exportSnapshot: () => Promise.reject(new Error('not in this fake')),
    pushToGateway: () => Promise.reject(new Error('not in this fake')),
    startRecording: () => Promise.reject(new Error('not in this fake')),
    stopRecording: () => Promise.reject(new Error('not in this fake')),
    getRecording: () => Promise.resolve(null),
    replayRecording: () => Promise.reject(new Error('not in this fake')),
    inspectFile: () => Promise.reject(new Error('not in this fake')),
    inspectPath: () => Promise.reject(new Error('not in this fake')),
    listInspections: () => Promise.resolve([]),
    getInspection: () => Promise.reject(new Error('not in this fake')),
    getInspectionSeries: () => Promise.reject(new Error('not in this fake')),
    getInspectionSource: () => Promise.reject(new Error('not in this fake')),
    compareInspections: () => Promise.reject(new Error('not in this fake')),
    closeInspection: () => Promise.resolve(),
    getWasteReport: () => Promise.reject(new Error('not in this fake')),
    getHeldIdleGpus: () => Promise.resolve([]),
    emit(tick) {
      for (const l of listeners) l(tick);
    },
  };
}
