// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Chart } from 'chart.js';
import { App } from '../../../src/renderer/src/App';
import { parseRoute } from '../../../src/renderer/src/navigation';
import type { GpuSnapshot } from '../../../src/shared/gpu';
import { installCanvasMock } from '../canvas-mock';
import { gpu } from '../fake-api';
import { failing, historyApi, never } from './history-fake';

beforeAll(() => installCanvasMock());
beforeEach(() => {
  window.location.hash = '#/plot';
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const NOW = Date.now();

/** Two nodes with 6 GPUs each, listed out of order to check the fleet ordering. */
function fleet(): GpuSnapshot[] {
  const gpus: GpuSnapshot[] = [];
  for (const node of ['node-b', 'node-a']) {
    for (let i = 5; i >= 0; i--) {
      gpus.push(gpu({ key: `${node}/GPU-${i}`, node, uuid: `GPU-${node}-${i}`, gpuIndex: i, realUtil: 10 * i, observedAt: NOW - 2000, readings: { powerWatts: 100 + i } }));
    }
  }
  return gpus;
}

const legend = () => screen.getAllByTestId('plot-legend-item').map((li) => li.textContent);
const route = () => parseRoute(window.location.hash);

async function captureDownloads() {
  const blobs: Blob[] = [];
  const names: string[] = [];
  URL.createObjectURL = vi.fn((blob: Blob) => {
    blobs.push(blob);
    return `blob:test/${blobs.length}`;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    names.push(this.download);
  });
  return { blobs, names };
}

describe('plot view', () => {
  it('plots the first 8 GPUs in fleet order by default, one legend item per GPU', async () => {
    const api = historyApi(fleet());
    render(<App api={api} />);
    const view = await screen.findByTestId('plot-view');
    await within(view).findByTestId('plot-chart');
    expect(legend()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `node-a / GPU ${i}`).concat(['node-b / GPU 0', 'node-b / GPU 1']));
    expect(api.historyCalls[0]).toMatchObject({ fields: ['realUtil'], windowMs: 15 * 60_000 });
    expect(api.historyCalls[0]!.keys).toHaveLength(8);
    // The plotted GPUs are watched, so their ticks carry every field, not summary rows.
    await waitFor(() => expect(api.watchCalls.at(-1)).toEqual([...api.historyCalls[0]!.keys].sort()));
    const chart = screen.getByTestId('plot-chart');
    expect(Number(chart.dataset.points)).toBe(80);
    // The checklist groups by node in fleet order.
    expect(screen.getAllByTestId('plot-node').map((n) => n.dataset.node)).toEqual(['node-a', 'node-b']);
  });

  it('uses the GPUs and metric in the route, and keeps the route in sync with the user', async () => {
    window.location.hash = '#/plot?field=powerWatts&keys=node-b/GPU-5,node-a/GPU-2';
    const api = historyApi(fleet());
    render(<App api={api} />);
    await screen.findByTestId('plot-chart');
    expect(legend()).toEqual(['node-b / GPU 5', 'node-a / GPU 2']);
    expect((screen.getByRole('combobox', { name: 'Metric' }) as HTMLSelectElement).value).toBe('powerWatts');

    fireEvent.click(screen.getByRole('checkbox', { name: 'node-a / GPU 3' }));
    await waitFor(() => expect(route()).toEqual({ view: 'plot', field: 'powerWatts', keys: ['node-b/GPU-5', 'node-a/GPU-2', 'node-a/GPU-3'] }));
    await waitFor(() => expect(legend()).toEqual(['node-b / GPU 5', 'node-a / GPU 2', 'node-a / GPU 3']));

    fireEvent.click(screen.getByRole('checkbox', { name: 'node-b / GPU 5' }));
    await waitFor(() => expect(route().view === 'plot' && route()).toMatchObject({ keys: ['node-a/GPU-2', 'node-a/GPU-3'] }));

    fireEvent.change(screen.getByRole('combobox', { name: 'Metric' }), { target: { value: 'gpuTempC' } });
    await waitFor(() => expect(route()).toMatchObject({ field: 'gpuTempC', keys: ['node-a/GPU-2', 'node-a/GPU-3'] }));
    await waitFor(() => expect(api.historyCalls.at(-1)).toMatchObject({ fields: ['gpuTempC'], keys: ['node-a/GPU-2', 'node-a/GPU-3'] }));
    expect(screen.getByText('GPU temperature (°C)', { selector: '.focus-chart-title' })).toBeTruthy();
  });

  it('filters the checklist by search and selects what is shown', async () => {
    render(<App api={historyApi(fleet())} />);
    await screen.findByTestId('plot-chart');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter GPUs' }), { target: { value: 'node-b / gpu 4' } });
    expect(screen.getAllByRole('checkbox', { name: /node-/ }).map((c) => c.getAttribute('aria-label'))).toEqual(['node-b / GPU 4']);
    fireEvent.click(screen.getByRole('button', { name: 'Select shown' }));
    await waitFor(() => expect(legend()).toHaveLength(9));
    expect(legend().at(-1)).toBe('node-b / GPU 4');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter GPUs' }), { target: { value: 'nothing-like-this' } });
    expect(screen.getByText(/No GPU matches/)).toBeTruthy();
  });

  it('hides and shows a GPU from its legend item, keyboard-reachable as a toggle button', async () => {
    window.location.hash = '#/plot?field=realUtil&keys=node-a/GPU-1,node-a/GPU-2';
    render(<App api={historyApi(fleet())} />);
    const canvas = (await screen.findByTestId('plot-chart')) as HTMLCanvasElement;
    const toggle = within(screen.getAllByTestId('plot-legend-item')[1]!).getByRole('button', { name: 'node-a / GPU 2' });
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect(Chart.getChart(canvas)!.data.datasets.map((d) => d.hidden)).toEqual([false, true]);
    fireEvent.click(toggle);
    expect(Chart.getChart(canvas)!.data.datasets.map((d) => d.hidden)).toEqual([false, false]);
  });

  it('updates live: a tick adds a point to the GPU it belongs to', async () => {
    window.location.hash = '#/plot?field=realUtil&keys=node-a/GPU-1';
    const api = historyApi(fleet());
    render(<App api={api} />);
    const chart = await screen.findByTestId('plot-chart');
    expect(chart.dataset.points).toBe('10');
    act(() => api.emit({ at: NOW, gpus: [gpu({ key: 'node-a/GPU-1', node: 'node-a', uuid: 'GPU-node-a-1', gpuIndex: 1, realUtil: 99, observedAt: NOW })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(chart.dataset.points).toBe('11');
    expect(Number(chart.dataset.xMax)).toBe(NOW);
  });

  it('exports the plotted history as CSV with the documented header, one row per GPU and sample', async () => {
    window.location.hash = '#/plot?field=powerWatts&keys=node-a/GPU-1,node-b/GPU-0';
    const downloads = await captureDownloads();
    render(<App api={historyApi(fleet())} />);
    await screen.findByTestId('plot-chart');
    fireEvent.click(screen.getByRole('button', { name: /^Export CSV/ }));
    await waitFor(() => expect(downloads.blobs).toHaveLength(1));
    expect(downloads.names[0]).toMatch(/^gpu-pulse-history-.*\.csv$/);
    const lines = (await downloads.blobs[0]!.text()).split('\r\n');
    // The shared history CSV (src/shared/history-csv.ts).
    expect(lines[0]).toBe('time,time_ms,key,node,uuid,gpu,mig_instance,powerWatts');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows).toHaveLength(20);
    // Grouped by GPU in selection order, times ascending within each GPU.
    expect(rows.slice(0, 10).every((r) => r[2] === 'node-a/GPU-1')).toBe(true);
    expect(rows.slice(10).every((r) => r[2] === 'node-b/GPU-0')).toBe(true);
    expect(rows[9]).toEqual([new Date(NOW - 2000).toISOString(), String(NOW - 2000), 'node-a/GPU-1', 'node-a', 'GPU-node-a-1', '1', '', '101']);
  });

  it('fetches the extra fields ticked for the CSV', async () => {
    window.location.hash = '#/plot?field=realUtil&keys=node-a/GPU-1';
    const downloads = await captureDownloads();
    const api = historyApi(fleet());
    render(<App api={api} />);
    await screen.findByTestId('plot-chart');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Power draw' }));
    fireEvent.click(screen.getByRole('button', { name: /^Export CSV/ }));
    await waitFor(() => expect(downloads.blobs).toHaveLength(1));
    expect(api.historyCalls.at(-1)).toMatchObject({ keys: ['node-a/GPU-1'], fields: ['realUtil', 'powerWatts'] });
    const lines = (await downloads.blobs[0]!.text()).split('\r\n');
    expect(lines[0]).toBe('time,time_ms,key,node,uuid,gpu,mig_instance,realUtil,powerWatts');
    expect(lines[10]!.split(',').slice(-2)).toEqual(['10', '101']);
  });

  it('shows loading, error and empty states', async () => {
    const { unmount } = render(<App api={historyApi(fleet(), never)} />);
    expect((await screen.findByTestId('history-loading')).getAttribute('role')).toBe('status');
    unmount();

    render(<App api={historyApi(fleet(), failing('history store unavailable'))} />);
    expect((await screen.findByTestId('history-error')).textContent).toContain('history store unavailable');
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(await screen.findByText('Select GPUs on the left to plot them.')).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Export CSV/ }).hasAttribute('disabled')).toBe(true);
    cleanup();

    render(<App api={historyApi([])} />);
    expect(await screen.findByText(/No GPUs in the fleet yet/)).toBeTruthy();
  });

  it('names route GPUs that are not in the fleet', async () => {
    window.location.hash = '#/plot?field=realUtil&keys=node-a/GPU-1,node-q/GPU-7';
    render(<App api={historyApi(fleet())} />);
    await screen.findByTestId('plot-chart');
    expect(legend()).toEqual(['node-a / GPU 1']);
    expect(screen.getByTestId('plot-gone').textContent).toContain('node-q/GPU-7');
  });
});
