// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Chart } from 'chart.js';
import { App } from '../../../src/renderer/src/App';
import { summarizeGpu, type GpuSnapshot } from '../../../src/shared/gpu';
import { drawCalls, installCanvasMock } from '../canvas-mock';
import { gpu } from '../fake-api';
import { failing, historyApi, never } from './history-fake';

beforeAll(() => installCanvasMock());
beforeEach(() => {
  window.location.hash = '#/gpu/node-a/GPU-1';
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const NOW = Date.now();

function focusGpu(over: Partial<GpuSnapshot> = {}): GpuSnapshot {
  return gpu({
    observedAt: NOW - 3000,
    realUtil: 59,
    realUtilMissing: ['grEngineActive'],
    health: {
      state: 'HOT',
      reasons: [
        { state: 'HOT', code: 'temp', message: 'GPU temperature 96°C is at or above the H100 warning temperature (95°C)' },
        { state: 'WARN', code: 'xid', message: 'new XID 31 (MMU fault)' },
      ],
    },
    attribution: { pods: ['trainer-0'], namespaces: ['ml'], jobs: ['4242'] },
    ...over,
  });
}

function chartByTitle(title: string): HTMLCanvasElement {
  const figure = screen.getByText(title, { selector: '.focus-chart-title' }).closest('figure')!;
  return figure.querySelector('canvas[data-testid="focus-chart"]')!;
}

const num = (el: Element, attr: string) => Number(el.getAttribute(attr));

describe('GPU focus view', () => {
  it('shows identity, the score as a lower bound with its missing input, the class and every health reason', async () => {
    render(<App api={historyApi([focusGpu()])} />);
    const view = await screen.findByTestId('gpu-focus');
    expect(within(view).getByRole('heading', { level: 2 }).textContent).toBe('node-a / GPU 0');
    expect(view.textContent).toContain('NVIDIA H100 80GB HBM3');
    expect(view.textContent).toContain('GPU-1');
    expect(screen.getByTestId('sample-age').textContent).toMatch(/^[34] s ago$/);
    expect(screen.getByTestId('focus-real-util').textContent).toBe('≥59%');
    expect(screen.getByTestId('real-util-missing').textContent).toContain('Graphics engine active');
    expect(screen.getByTestId('focus-class').className).toContain('bottleneck-compute');
    expect(screen.getByTestId('focus-health').textContent).toBe('HOT');
    expect(screen.getAllByTestId('health-reason').map((r) => r.textContent)).toEqual([
      'HOT GPU temperature 96°C is at or above the H100 warning temperature (95°C)',
      'WARN new XID 31 (MMU fault)',
    ]);
    const attribution = screen.getByTestId('attribution');
    expect(attribution.textContent).toContain('trainer-0');
    expect(attribution.textContent).toContain('ml');
    expect(attribution.textContent).toContain('4242');
    expect(within(view).getByRole('link', { name: 'Fleet' }).getAttribute('href')).toBe('#/');
    expect(within(view).getByRole('link', { name: 'node-a' }).getAttribute('href')).toBe('#/node/node-a');
  });

  it('lists only the readings the exporter provides, grouped, with bars and trends', async () => {
    render(<App api={historyApi([focusGpu({ readings: { smActive: 0.9, tensorActive: 0.5, dramActive: 0.3, powerWatts: 500, gpuTempC: 60, fbUsedBytes: 16 * 2 ** 30, fbTotalBytes: 80 * 2 ** 30, pcieTxBytesPerSec: 3 * 2 ** 30 } })])} />);
    await screen.findAllByTestId('focus-chart');
    const fields = screen.getAllByTestId('metric-row').map((r) => r.dataset.field);
    expect(fields).toEqual(['realUtil', 'smActive', 'tensorActive', 'dramActive', 'fbUsedBytes', 'fbTotalBytes', 'pcieTxBytesPerSec', 'powerWatts', 'gpuTempC']);
    expect(screen.getAllByTestId('metric-group').map((g) => g.dataset.group)).toEqual(['Utilization', 'SM', 'Pipes', 'Memory', 'Interconnect', 'Power', 'Thermal and clocks']);
    const now = (field: string) => screen.getAllByTestId('metric-row').find((r) => r.dataset.field === field)!.querySelector('[data-testid="metric-now"]')!.textContent;
    expect(now('fbUsedBytes')).toBe('16.0 GiB / 80.0 GiB (20%)');
    expect(now('pcieTxBytesPerSec')).toBe('3.0 GiB/s');
    expect(now('smActive')).toBe('90%');
    expect(now('realUtil')).toBe('≥59%');
    // Ratios get a bar; the SM bar reads 90.
    expect(screen.getByRole('meter', { name: /SM active/ }).getAttribute('aria-valuenow')).toBe('90');
    // Trend sparklines only for fields with history: fbTotalBytes has none.
    const row = (field: string) => screen.getAllByTestId('metric-row').find((r) => r.dataset.field === field)!;
    const trend = row('smActive').querySelector('[data-testid="sparkline"] polyline');
    expect(trend?.getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
    expect(row('fbTotalBytes').querySelector('[data-testid="sparkline"]')).toBeNull();
  });

  it('marks GR standing in for the engine counter, an estimated memory total, and names the clock event reasons (issue 22)', async () => {
    const readings = { smActive: 0.5, gpuUtil: 0.4, fbUsedBytes: 2 * 2 ** 30, fbTotalBytes: 16 * 2 ** 30, gpuTempC: 70, memTempC: null, clockEventReasons: 0x48, eccDbeVolatileTotal: 1, retiredPagesPending: 1 };
    render(<App api={historyApi([focusGpu({ readings, substitutes: { grEngineActive: 'gpuUtil' }, approximate: ['fbTotalBytes'] })])} />);
    await screen.findAllByTestId('focus-chart');
    const row = (field: string) => screen.getAllByTestId('metric-row').find((r) => r.dataset.field === field)!;
    const now = (field: string) => row(field).querySelector('[data-testid="metric-now"]')!.textContent;
    // GR is shown with NVML's value and says so; the reading itself stays absent.
    expect(now('grEngineActive')).toBe('40%');
    expect(row('grEngineActive').querySelector('[data-testid="substitute-mark"]')!.textContent).toContain('GPU utilization (NVML) standing in');
    expect(row('smActive').querySelector('[data-testid="substitute-mark"]')).toBeNull();
    expect(now('fbUsedBytes')).toBe('2.0 GiB / ≈16.0 GiB (13%)');
    expect(now('fbTotalBytes')).toBe('≈16.0 GiB');
    expect(now('clockEventReasons')).toBe('HW slowdown, HW thermal slowdown');
    expect(now('eccDbeVolatileTotal')).toBe('1');
    expect(now('retiredPagesPending')).toBe('1');
    // Memory temperature null (not supported on GDDR) is not a row.
    expect(screen.getAllByTestId('metric-row').map((r) => r.dataset.field)).not.toContain('memTempC');
  });

  it('shows no mark where GR is the engine counter itself', async () => {
    render(<App api={historyApi([focusGpu({ readings: { smActive: 0.5, grEngineActive: 0.6, gpuUtil: 0.4 } })])} />);
    await screen.findAllByTestId('focus-chart');
    const gr = screen.getAllByTestId('metric-row').find((r) => r.dataset.field === 'grEngineActive')!;
    expect(gr.querySelector('[data-testid="metric-now"]')!.textContent).toBe('60%');
    expect(gr.querySelector('[data-testid="substitute-mark"]')).toBeNull();
  });

  it('draws a chart per provided group with the history, and appends new scrapes only once', async () => {
    const api = historyApi([focusGpu()]);
    render(<App api={api} />);
    const charts = await screen.findAllByTestId('focus-chart');
    // realUtil, activity, power, temperature, memory; no PCIe/NVLink reading, so no such chart.
    expect(charts).toHaveLength(5);
    expect(screen.queryByText(/PCIe \/ NVLink/)).toBeNull();
    expect(api.historyCalls).toHaveLength(1);
    expect(api.historyCalls[0]!).toMatchObject({ keys: ['node-a/GPU-1'], windowMs: 15 * 60_000 });
    const util = chartByTitle('Real utilization');
    expect(num(util, 'data-points')).toBe(10);
    expect(num(util, 'data-x-max')).toBe(NOW - 3000);
    // The chart itself holds the history and the live window as soon as it mounts, before any tick.
    const chart = Chart.getChart(util)!;
    expect(chart.data.datasets[0]!.data).toHaveLength(10);
    expect(chart.data.datasets[0]!.data.at(-1)).toEqual({ x: NOW - 3000, y: 59 });
    expect(chart.options.scales!.x).toMatchObject({ min: NOW - 3000 - 15 * 60_000, max: NOW - 3000 });
    expect(chart.options.scales!.y).toMatchObject({ min: 0, max: 100 });
    // Time ticks on round clock steps (2 min over 15 min), memory ticks on round GiB.
    expect(chart.scales.x!.ticks.length).toBeGreaterThan(3);
    expect(chart.scales.x!.ticks.every((tick) => tick.value % 120_000 === 0)).toBe(true);
    const memory = Chart.getChart(chartByTitle('Framebuffer used'))!;
    // (chart.js may skip some on a short canvas: jsdom's is 150 px.)
    const gib = memory.scales.y!.ticks.map((tick) => tick.value / 2 ** 30);
    expect(gib.length).toBeGreaterThan(2);
    expect(gib.every((v) => Number.isInteger(v / 10))).toBe(true);
    expect(gib.at(-1)).toBe(80);
    expect(num(util, 'data-x-max') - num(util, 'data-x-min')).toBe(15 * 60_000);
    // The activity chart names its three series in a legend.
    const activity = chartByTitle('SM / Tensor / DRAM activity').closest('figure')!;
    expect([...activity.querySelectorAll('.focus-legend li')].map((li) => li.textContent)).toEqual(['SM active', 'Tensor pipe active', 'DRAM active']);

    act(() => api.emit({ at: NOW, gpus: [focusGpu({ observedAt: NOW - 1000, realUtil: 80 })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(num(util, 'data-points')).toBe(11);
    expect(num(util, 'data-x-max')).toBe(NOW - 1000);
    expect(screen.getByTestId('focus-real-util').textContent).toBe('≥80%');
    // The same scrape delivered again adds no point.
    act(() => api.emit({ at: NOW, gpus: [focusGpu({ observedAt: NOW - 1000, realUtil: 80 })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(num(util, 'data-points')).toBe(11);
  });

  it('does not redraw for ticks of other GPUs', async () => {
    const other = focusGpu({ key: 'node-a/GPU-2', uuid: 'GPU-2', gpuIndex: 1 });
    const api = historyApi([focusGpu(), other]);
    render(<App api={api} />);
    await screen.findAllByTestId('focus-chart');
    const before = drawCalls.count;
    act(() => api.emit({ at: NOW, gpus: [{ ...other, observedAt: NOW, realUtil: 10 }], removedGpus: [], targets: [], removedTargets: [] }));
    expect(drawCalls.count).toBe(before);
    act(() => api.emit({ at: NOW, gpus: [focusGpu({ observedAt: NOW })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(drawCalls.count).toBeGreaterThan(before);
  });

  it('zooms and pans from the keyboard, keeps the zoomed range on ticks, and resets', async () => {
    const api = historyApi([focusGpu()]);
    render(<App api={api} />);
    await screen.findAllByTestId('focus-chart');
    const util = chartByTitle('Real utilization');
    const full = { min: num(util, 'data-x-min'), max: num(util, 'data-x-max') };
    util.focus();
    fireEvent.keyDown(util, { key: '+' });
    const zoomed = { min: num(util, 'data-x-min'), max: num(util, 'data-x-max') };
    expect(util.dataset.zoomed).toBe('true');
    expect(zoomed.max - zoomed.min).toBeLessThan(full.max - full.min);
    // Zoom around the centre: the centre stays put.
    expect(Math.abs((zoomed.min + zoomed.max) / 2 - (full.min + full.max) / 2)).toBeLessThan(2);
    fireEvent.keyDown(util, { key: 'ArrowLeft' });
    expect(num(util, 'data-x-min')).toBeLessThan(zoomed.min);
    const panned = { min: num(util, 'data-x-min'), max: num(util, 'data-x-max') };
    // A new scrape does not move a view the user has zoomed.
    act(() => api.emit({ at: NOW, gpus: [focusGpu({ observedAt: NOW - 1000 })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(num(util, 'data-points')).toBe(11);
    expect({ min: num(util, 'data-x-min'), max: num(util, 'data-x-max') }).toEqual(panned);
    // The wheel zooms too.
    fireEvent.wheel(util, { deltaY: -120 });
    expect(num(util, 'data-x-max') - num(util, 'data-x-min')).toBeLessThan(panned.max - panned.min);
    // The Reset button returns to the live window ending at the newest sample.
    fireEvent.click(screen.getByRole('button', { name: 'Reset zoom of Real utilization' }));
    expect(util.dataset.zoomed).toBe('false');
    expect(num(util, 'data-x-max')).toBe(NOW - 1000);
    fireEvent.keyDown(util, { key: '+' });
    fireEvent.keyDown(util, { key: '0' });
    expect(util.dataset.zoomed).toBe('false');
  });

  it('exports a chart as a PNG download', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'toDataURL').mockReturnValue('data:image/png;base64,iVBORw0KGgo=');
    const clicks: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this);
    });
    render(<App api={historyApi([focusGpu()])} />);
    await screen.findAllByTestId('focus-chart');
    fireEvent.click(screen.getByRole('button', { name: 'Export PNG of Power' }));
    expect(clicks).toHaveLength(1);
    expect(clicks[0]!.href).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(clicks[0]!.download).toMatch(/^gpu-pulse-power-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.png$/);
  });

  it('shows a loading state while the history is on its way, with the live table already there', async () => {
    render(<App api={historyApi([focusGpu()], never)} />);
    expect((await screen.findByTestId('history-loading')).getAttribute('role')).toBe('status');
    expect(screen.getAllByTestId('metric-row').length).toBeGreaterThan(0);
    expect(screen.queryAllByTestId('focus-chart')).toHaveLength(0);
  });

  it('watches the focused GPU while it is shown and releases it on leaving', async () => {
    const api = historyApi([focusGpu()]);
    render(<App api={api} />);
    await screen.findByTestId('gpu-focus');
    await waitFor(() => expect(api.watchCalls.at(-1)).toEqual(['node-a/GPU-1']));
    act(() => {
      window.location.hash = '#/fleet';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await waitFor(() => expect(api.watchCalls.at(-1)).toEqual([]));
  });

  it('waits for the full snapshot when the store holds only a summary row, and charts only full ones', async () => {
    const api = historyApi([summarizeGpu(focusGpu())]);
    render(<App api={api} />);
    expect((await screen.findByTestId('readings-loading')).getAttribute('role')).toBe('status');
    expect(screen.queryAllByTestId('metric-row')).toHaveLength(0);
    const util = chartByTitle('Real utilization');
    expect(num(util, 'data-points')).toBe(10);
    // A newer scrape still as a summary (the watch not yet served) adds no point: it lacks most fields.
    act(() => api.emit({ at: NOW, gpus: [summarizeGpu(focusGpu({ observedAt: NOW - 1000 }))], removedGpus: [], targets: [], removedTargets: [] }));
    expect(num(util, 'data-points')).toBe(10);
    // The watch brings the same scrape in full: the table appears and the point is added once.
    act(() => api.emit({ at: NOW, gpus: [focusGpu({ observedAt: NOW - 1000 })], removedGpus: [], targets: [], removedTargets: [] }));
    expect(screen.getAllByTestId('metric-row').length).toBeGreaterThan(0);
    expect(screen.queryByTestId('readings-loading')).toBeNull();
    expect(num(util, 'data-points')).toBe(11);
    // A late summary row of that same scrape does not replace the full snapshot.
    act(() => api.emit({ at: NOW, gpus: [summarizeGpu(focusGpu({ observedAt: NOW - 1000 }))], removedGpus: [], targets: [], removedTargets: [] }));
    expect(screen.getAllByTestId('metric-row').length).toBeGreaterThan(0);
  });

  it('shows the error when getHistory rejects', async () => {
    render(<App api={historyApi([focusGpu()], failing('history store unavailable'))} />);
    const error = await screen.findByTestId('history-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('history store unavailable');
  });

  it('says so, with a way back, when the GPU is unknown or goes away', async () => {
    window.location.hash = '#/gpu/node-z/GPU-9';
    const api = historyApi([focusGpu()]);
    const { unmount } = render(<App api={api} />);
    const gone = await screen.findByTestId('gpu-focus');
    expect(gone.textContent).toMatch(/node-z\/GPU-9 is not in the fleet/);
    expect(within(gone).getByRole('link', { name: 'Back to the fleet' }).getAttribute('href')).toBe('#/');
    unmount();

    window.location.hash = '#/gpu/node-a/GPU-1';
    render(<App api={api} />);
    await screen.findAllByTestId('focus-chart');
    act(() => api.emit({ at: NOW, gpus: [], removedGpus: ['node-a/GPU-1'], targets: [], removedTargets: [] }));
    expect(screen.getByTestId('gpu-focus').textContent).toMatch(/is not in the fleet/);
  });

  it('refetches when the history window changes', async () => {
    const api = historyApi([focusGpu()]);
    render(<App api={api} />);
    await screen.findAllByTestId('focus-chart');
    fireEvent.change(screen.getByRole('combobox', { name: 'History window' }), { target: { value: String(60 * 60_000) } });
    await waitFor(() => expect(api.historyCalls.map((c) => c.windowMs)).toEqual([15 * 60_000, 60 * 60_000]));
    const util = await waitFor(() => chartByTitle('Real utilization'));
    expect(num(util, 'data-x-max') - num(util, 'data-x-min')).toBe(60 * 60_000);
  });

  it('shows a MIG instance with its profile and a score that is unknown without inputs', async () => {
    const mig = focusGpu({ key: 'node-a/GPU-1/mig-3', migInstance: { id: '3', profile: '1g.10gb' }, realUtil: null, realUtilMissing: ['smActive', 'tensorActive', 'dramActive', 'grEngineActive'], readings: { powerWatts: 90 } });
    window.location.hash = '#/gpu/node-a/GPU-1/mig-3';
    render(<App api={historyApi([mig])} />);
    const view = await screen.findByTestId('gpu-focus');
    expect(within(view).getByRole('heading', { level: 2 }).textContent).toBe('node-a / GPU 0 / GI 3');
    expect(view.textContent).toContain('1g.10gb');
    expect(screen.getByTestId('focus-real-util').textContent).toBe('–');
    expect(screen.getByTestId('real-util-missing').textContent).toMatch(/^Unknown: .*SM active/);
    await screen.findAllByTestId('focus-chart');
    // Only power is provided: one chart, one table row.
    expect(screen.getAllByTestId('focus-chart')).toHaveLength(1);
    expect(screen.getAllByTestId('metric-row').map((r) => r.dataset.field)).toEqual(['powerWatts']);
  });
});
