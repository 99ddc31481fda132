// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { installCanvasMock } from './canvas-mock';
import { fakeApi, gpu, target } from './fake-api';
import type { Tick } from '../../src/shared/api';

beforeAll(() => installCanvasMock());
afterEach(() => cleanup());

describe('fleet view', () => {
  it('shows a loading state until the service answers', async () => {
    render(<App api={fakeApi({ hang: true })} />);
    expect(await screen.findByText(/Connecting/)).toBeTruthy();
  });

  it('shows the error when the service cannot be reached', async () => {
    render(<App api={fakeApi({ fail: 'connection reset' })} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/connection reset/);
  });

  it('shows an empty state that says how to add a target', async () => {
    render(<App api={fakeApi({})} />);
    expect((await screen.findByTestId('fleet-empty')).textContent).toMatch(/9400\/metrics/);
  });

  it('groups cards by node with state, and shows a down target with its error and remedy', async () => {
    const down = target({ id: 't2', name: 'node-b', url: 'http://node-b:9400/metrics', state: 'down', nodes: [], lastSuccessAt: null, lastError: 'connection refused (ECONNREFUSED)', remedy: 'check the exporter is running' });
    render(<App api={fakeApi({ targets: [target(), down], gpus: [gpu(), gpu({ key: 'node-a/GPU-2', uuid: 'GPU-2', gpuIndex: 1, realUtil: 12, realUtilMissing: ['smActive'] })] })} />);
    const groups = await screen.findAllByTestId('node-group');
    expect(groups.map((g) => [g.dataset.node, g.dataset.state])).toEqual([
      ['node-a', 'up'],
      ['node-b', 'down'],
    ]);
    const cards = screen.getAllByTestId('gpu-card');
    expect(cards.map((c) => c.dataset.gpuKey)).toEqual(['node-a/GPU-1', 'node-a/GPU-2']);
    expect(cards[0]!.querySelectorAll('[data-testid="sparkline"]').length).toBe(5);
    // A score with missing inputs is a lower bound, never shown as exact.
    expect(cards[1]!.querySelector('[data-testid="real-util"]')!.textContent).toBe('≥12%');
    expect(screen.getByTestId('node-error').textContent).toMatch(/ECONNREFUSED.*check the exporter/);
  });

  it('applies ticks: new values replace old ones and removed GPUs disappear', async () => {
    const api = fakeApi({ targets: [target()], gpus: [gpu()] });
    render(<App api={api} />);
    await screen.findAllByTestId('gpu-card');
    act(() => api.emit({ at: 2000, gpus: [gpu({ realUtil: 87, observedAt: 2000 })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(screen.getByTestId('real-util').textContent).toBe('87%');
    act(() => api.emit({ at: 3000, gpus: [], removedGpus: ['node-a/GPU-1'], targets: [], removedTargets: [] }));
    expect(screen.queryAllByTestId('gpu-card')).toHaveLength(0);
  });
});

describe('fleet view, virtualized (over 120 GPUs)', () => {
  // jsdom lays nothing out: the list falls back to a 1,200 px width and the window's height.
  beforeAll(() => {
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
  });

  const fleet = () => {
    const targets = Array.from({ length: 25 }, (_, n) => target({ id: `t${n + 1}`, name: `node-${n + 1}`, nodes: [`node-${n + 1}`] }));
    const gpus = targets.flatMap((t, n) =>
      Array.from({ length: 8 }, (_, i) => gpu({ key: `node-${n + 1}/GPU-${i}`, node: `node-${n + 1}`, uuid: `GPU-${i}`, gpuIndex: i, sourceId: t.id, realUtil: 50 })),
    );
    return { targets, gpus };
  };
  const tick = (over: Partial<Tick>): Tick => ({ at: 0, gpus: [], removedGpus: [], targets: [], removedTargets: [], ...over });
  const nodesShown = () => screen.getAllByTestId('node-group').map((g) => g.dataset.node);

  it('renders only the rows in view, and follows ticks that change values, add a GPU and remove a node', async () => {
    const { targets, gpus } = fleet();
    const api = fakeApi({ targets, gpus });
    render(<App api={api} />);
    await screen.findByTestId('virtual-fleet');
    expect(screen.getByTestId('summary-gpus').textContent).toBe('200');
    const cards = () => screen.getAllByTestId('gpu-card');
    expect(cards().length).toBeGreaterThan(0);
    expect(cards().length).toBeLessThan(200);
    expect(nodesShown().slice(0, 3)).toEqual(['node-1', 'node-2', 'node-3']);
    const card = (key: string) => cards().find((c) => c.dataset.gpuKey === key);

    act(() => api.emit(tick({ gpus: [{ ...gpus[1]!, realUtil: 87, observedAt: 2000 }] })));
    expect(card('node-1/GPU-1')!.querySelector('[data-testid="real-util"]')!.textContent).toBe('87%');
    expect(card('node-1/GPU-0')!.querySelector('[data-testid="real-util"]')!.textContent).toBe('50%');

    act(() => api.emit(tick({ gpus: [gpu({ key: 'node-1/GPU-8', node: 'node-1', uuid: 'GPU-8', gpuIndex: 8, sourceId: 't1', realUtil: 5 })] })));
    expect(card('node-1/GPU-8')).toBeTruthy();
    expect(screen.getByTestId('summary-gpus').textContent).toBe('201');

    act(() => api.emit(tick({ removedGpus: gpus.filter((g) => g.node === 'node-2').map((g) => g.key), removedTargets: ['t2'] })));
    expect(nodesShown()).not.toContain('node-2');
    expect(nodesShown().slice(0, 2)).toEqual(['node-1', 'node-3']);
    expect(screen.getByTestId('summary-gpus').textContent).toBe('193');
  });
});
