// @vitest-environment jsdom
// The inspector's React views against a fake Api: loading, error, empty, parsing, failed and
// done states; families, virtualized series, problems with their source, compare, and the
// ways files come in (drop anywhere, Open file…).
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectionComparison, InspectionInfo, InspectionSeriesRequest, PulseApi } from '../../src/shared/api';
import { InspectorView } from '../../src/renderer/src/inspector/InspectorView';
import { FileDrop } from '../../src/renderer/src/inspector/FileDrop';
import { installCanvasMock } from '../renderer/canvas-mock';
import { fakeApi, gpu, type FakeApi } from '../renderer/fake-api';

beforeAll(() => installCanvasMock());
beforeEach(() => {
  window.location.hash = '#/inspector';
});
afterEach(() => cleanup());

function inspection(over: Partial<InspectionInfo> = {}): InspectionInfo {
  return {
    id: 'f1',
    name: 'node-a.prom',
    sizeBytes: 7843,
    status: 'done',
    progress: 1,
    format: 'prometheus',
    families: [
      { name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).', unit: null, seriesCount: 2 },
      { name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).', unit: null, seriesCount: 2 },
    ],
    sampleCount: 4,
    problems: [],
    gpus: [gpu(), gpu({ key: 'node-a/GPU-2', uuid: 'GPU-2', gpuIndex: 1, realUtil: 12 })],
    gpuTotal: 2,
    error: null,
    openedAt: 1000,
    ...over,
  };
}

const BROKEN = inspection({
  id: 'f2',
  name: 'broken.prom',
  gpus: [],
  gpuTotal: 0,
  problems: [
    { line: 4, column: 12, code: 'expected-label-separator', message: "unexpected end of label value; expected ',' or '}'", severity: 'error' },
    { line: 6, column: 11, code: 'duplicate-type', message: 'second TYPE line for metric name "up"', severity: 'warning' },
  ],
});

interface Calls {
  series: InspectionSeriesRequest[];
  source: Array<{ line: number; context: number }>;
  closed: string[];
  files: string[];
}

function inspectorApi(list: InspectionInfo[] | Error | 'hang', over: Partial<PulseApi> = {}): FakeApi & { calls: Calls } {
  const calls: Calls = { series: [], source: [], closed: [], files: [] };
  const api = fakeApi({});
  return Object.assign(api, {
    calls,
    listInspections: () => (list === 'hang' ? new Promise<InspectionInfo[]>(() => {}) : list instanceof Error ? Promise.reject(list) : Promise.resolve(list)),
    getInspection: (id: string) => {
      const found = Array.isArray(list) ? list.find((i) => i.id === id) : undefined;
      return found ? Promise.resolve(found) : Promise.reject(new Error(`no open file with id ${id}; it was closed or the app restarted, so open it again`));
    },
    getInspectionSeries: async (_id: string, req: InspectionSeriesRequest) => {
      calls.series.push(req);
      const total = req.family ? 2 : 100_000;
      const rows = Array.from({ length: Math.max(0, Math.min(req.limit, total - req.offset)) }, (_, k) => ({
        name: req.family ?? 'm',
        labels: { gpu: String(req.offset + k), Hostname: 'node-a' },
        valueText: String(req.offset + k),
        timestampMs: null,
        line: req.offset + k + 3,
      }));
      return { total, rows };
    },
    getInspectionSource: async (_id: string, req: { line: number; context: number }) => {
      calls.source.push(req);
      return { firstLine: req.line - 1, lines: ['up{job="a"} 1', 'up{job="b" 1', '# TYPE up counter'] };
    },
    closeInspection: async (id: string) => void calls.closed.push(id),
    inspectFile: async (file: File) => {
      calls.files.push(file.name);
      if (file.name.startsWith('bad')) throw new Error('upload failed with HTTP 500');
      return inspection({ id: `id-${file.name}`, name: file.name, status: 'parsing', progress: 0 });
    },
    ...over,
  });
}

describe('InspectorView states', () => {
  it('shows loading until the service answers', () => {
    render(<InspectorView api={inspectorApi('hang')} inspectionId={null} />);
    expect(screen.getByTestId('inspector-loading').textContent).toMatch(/Loading/);
    expect(screen.getByTestId('inspector')).toBeTruthy();
  });

  it('shows the error when the service cannot be reached', async () => {
    render(<InspectorView api={inspectorApi(new Error('connection refused'))} inspectionId={null} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/connection refused/);
  });

  it('says how to open a file when none is open', async () => {
    render(<InspectorView api={inspectorApi([])} inspectionId={null} />);
    expect((await screen.findByTestId('inspector-empty')).textContent).toMatch(/Drop a Prometheus or OpenMetrics file.*Open file/);
    expect(screen.getByText('No files open yet.')).toBeTruthy();
  });

  it('shows a progress bar while parsing and the contents once a tick says done', async () => {
    const parsing = inspection({ status: 'parsing', progress: 0.42, phase: 'parsing', format: null, families: [], gpus: [], sampleCount: 0 });
    const api = inspectorApi([parsing]);
    render(<InspectorView api={api} inspectionId="f1" />);
    const bars = await screen.findAllByTestId('inspect-progress');
    expect(bars).toHaveLength(2); // in the file list and in the view
    expect(bars.map((b) => b.getAttribute('aria-valuenow'))).toEqual(['42', '42']);
    expect(screen.getByText(/Parsing… 42%/)).toBeTruthy();
    act(() => api.emit({ at: 1, gpus: [], removedGpus: [], targets: [], removedTargets: [], inspections: [{ ...parsing, progress: 0.7, phase: 'computing' }] }));
    expect(screen.getAllByTestId('inspect-progress')[1]!.getAttribute('aria-valuenow')).toBe('70');
    expect(screen.getByText(/Computing GPU readings… 70%/)).toBeTruthy();
    act(() => api.emit({ at: 2, gpus: [], removedGpus: [], targets: [], removedTargets: [], inspections: [inspection()] }));
    expect(screen.queryAllByTestId('inspect-progress')).toHaveLength(0);
    expect(screen.getByTestId('inspector-format').textContent).toBe('Prometheus text 0.0.4');
    // A dcgm file opens on its GPU cards, the same cards as live.
    const cards = screen.getAllByTestId('gpu-card');
    expect(cards.map((c) => c.dataset.gpuKey)).toEqual(['node-a/GPU-1', 'node-a/GPU-2']);
    expect(cards[0]!.querySelector('[data-testid="gpu-class"]')!.textContent).toBe('tensor compute');
  });

  it('never goes back to an older progress that arrives late', async () => {
    const api = inspectorApi([inspection()]);
    render(<InspectorView api={api} inspectionId="f1" />);
    await screen.findByTestId('inspection');
    act(() => api.emit({ at: 1, gpus: [], removedGpus: [], targets: [], removedTargets: [], inspections: [inspection({ status: 'parsing', progress: 0.3 })] }));
    expect(screen.getByTestId('inspection').dataset.status).toBe('done');
  });

  it('shows why a file could not be read', async () => {
    render(<InspectorView api={inspectorApi([inspection({ status: 'failed', error: 'cannot open /x.prom: EACCES' })])} inspectionId="f1" />);
    expect((await screen.findByTestId('inspection-error')).textContent).toMatch(/Could not read node-a\.prom: cannot open \/x\.prom: EACCES/);
  });

  it('explains a link to a file that is no longer open', async () => {
    render(<InspectorView api={inspectorApi([])} inspectionId="gone" />);
    expect((await screen.findByTestId('inspection-missing')).textContent).toMatch(/no open file with id gone.*open it again/);
  });
});

describe('InspectorView contents', () => {
  it('GPU cards name the clock event reasons and mark GR standing in (issue 22)', async () => {
    const t4 = gpu({ key: 'node-a/GPU-t4', uuid: 'GPU-t4', readings: { gpuUtil: 0.4, clockEventReasons: 9, fbUsedBytes: 5e9, fbTotalBytes: 15e9 }, substitutes: { grEngineActive: 'gpuUtil' }, approximate: ['fbTotalBytes'] });
    const h100 = gpu({ readings: { grEngineActive: 0.7, clockEventReasons: 0 } });
    render(<InspectorView api={inspectorApi([inspection({ gpus: [h100, t4], gpuTotal: 2 })])} inspectionId="f1" />);
    const cards = await screen.findAllByTestId('gpu-card');
    expect(cards).toHaveLength(2);
    expect(screen.getAllByTestId('inspector-clock-reasons').map((c) => c.textContent)).toEqual(['none', 'GPU idle, HW slowdown']);
    const grs = screen.getAllByTestId('inspector-gr');
    expect(grs.map((g) => g.textContent)).toEqual(['70%', '40% (NVML GPU utilization standing in)']);
    expect(grs[0]!.querySelector('[data-testid="substitute-mark"]')).toBeNull();
    // The card itself: the score's GR stand-in marked, the estimated total with ≈.
    expect(cards[1]!.querySelector('[data-testid="gr-substitute"]')).not.toBeNull();
    expect(cards[0]!.querySelector('[data-testid="gr-substitute"]')).toBeNull();
    expect(cards[1]!.textContent).toContain('/ ≈14.0 GiB');
  });

  it('lists families with type, help and series count; a row opens its series (Enter too)', async () => {
    const api = inspectorApi([inspection()]);
    render(<InspectorView api={api} inspectionId="f1" />);
    fireEvent.click(await screen.findByTestId('inspector-tab-families'));
    const rows = screen.getAllByTestId('inspector-family');
    expect(rows.map((r) => r.dataset.name)).toEqual(['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE']);
    expect(rows[1]!.textContent).toBe('DCGM_FI_DEV_POWER_USAGEgaugePower draw (in W).–2');
    fireEvent.keyDown(rows[1]!, { key: 'Enter' });
    await waitFor(() => expect(api.calls.series.at(-1)).toMatchObject({ family: 'DCGM_FI_DEV_POWER_USAGE', offset: 0 }));
    expect((await screen.findAllByTestId('series-row')).map((r) => r.textContent)).toEqual([
      'DCGM_FI_DEV_POWER_USAGE{gpu="0",Hostname="node-a"}0line 3',
      'DCGM_FI_DEV_POWER_USAGE{gpu="1",Hostname="node-a"}1line 4',
    ]);
  });

  it('virtualizes the series: a few rows in the DOM for 100,000, pages loaded as it scrolls', async () => {
    const api = inspectorApi([inspection()]);
    render(<InspectorView api={api} inspectionId="f1" />);
    fireEvent.click(await screen.findByTestId('inspector-tab-series'));
    await waitFor(() => expect(screen.getByTestId('series-total').textContent).toBe('100,000 series'));
    const list = screen.getByTestId('series-list');
    expect(list.dataset.count).toBe('100000');
    const rendered = await screen.findAllByTestId('series-row');
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(60);
    list.scrollTop = 26 * 50_000;
    fireEvent.scroll(list);
    await waitFor(() => expect(api.calls.series.some((r) => r.offset === 50_000 - (50_000 % 200))).toBe(true));
    await waitFor(() => expect(screen.getAllByTestId('series-row').some((r) => r.textContent!.includes('line 50003'))).toBe(true));
    expect(screen.getAllByTestId('series-row').length).toBeLessThan(60);
  });

  it('filters series after typing settles', async () => {
    const api = inspectorApi([inspection()]);
    render(<InspectorView api={api} inspectionId="f1" />);
    fireEvent.click(await screen.findByTestId('inspector-tab-series'));
    await screen.findAllByTestId('series-row');
    fireEvent.change(screen.getByTestId('series-filter'), { target: { value: 'gpu="7"' } });
    await waitFor(() => expect(api.calls.series.at(-1)).toMatchObject({ filter: 'gpu="7"', offset: 0 }));
  });

  it('lists problems with line and column; Enter shows the source with the line marked, Escape closes', async () => {
    const api = inspectorApi([BROKEN]);
    render(<InspectorView api={api} inspectionId="f2" />);
    // A file with errors opens on its problems.
    const rows = await screen.findAllByTestId('problem');
    expect(rows.map((r) => [r.dataset.line, r.dataset.severity])).toEqual([
      ['4', 'error'],
      ['6', 'warning'],
    ]);
    expect(rows[0]!.textContent).toMatch(/^4:12error/);
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: 'Enter' });
    const hit = await screen.findByTestId('source-hit');
    expect(api.calls.source).toEqual([{ line: 4, context: 12 }]);
    expect(hit.dataset.line).toBe('4');
    expect(hit.getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('source-caret').textContent).toBe('1'); // column 12 of 'up{job="b" 1'
    expect(screen.getAllByTestId('source-line').map((l) => l.dataset.line)).toEqual(['3', '5']);
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('source-panel')).toBeNull();
    // Space activates a row as well.
    fireEvent.keyDown(screen.getAllByTestId('problem')[1]!, { key: ' ' });
    expect(await screen.findByTestId('source-panel')).toBeTruthy();
    expect(api.calls.source.at(-1)).toEqual({ line: 6, context: 12 });
  });

  it('moves the focus between rows with the arrow keys, Home and End', async () => {
    const problems = Array.from({ length: 300 }, (_, i) => ({ line: i + 1, column: 1, code: 'invalid-value', message: `bad value ${i + 1}`, severity: 'error' as const }));
    render(<InspectorView api={inspectorApi([inspection({ problems })])} inspectionId="f1" />);
    const rows = await screen.findAllByTestId('problem');
    expect(rows.length).toBeLessThan(60); // virtualized
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: 'ArrowDown' });
    expect((document.activeElement as HTMLElement).dataset.line).toBe('2');
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() => expect((document.activeElement as HTMLElement).dataset.line).toBe('300'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect((document.activeElement as HTMLElement).dataset.line).toBe('299');
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await waitFor(() => expect((document.activeElement as HTMLElement).dataset.line).toBe('1'));
  });

  it('says so when a file has no problems', async () => {
    render(<InspectorView api={inspectorApi([inspection()])} inspectionId="f1" />);
    fireEvent.click(await screen.findByTestId('inspector-tab-problems'));
    expect(screen.getByTestId('no-problems')).toBeTruthy();
  });

  it('compares two files GPU by GPU with the differences marked', async () => {
    const other = inspection({ id: 'f3', name: 'later.prom' });
    const hot = gpu({ realUtil: 95, readings: { ...gpu().readings, powerWatts: 690, gpuTempC: 61 }, health: { state: 'HOT', reasons: [] } });
    const comparison: InspectionComparison = { a: 'f1', b: 'f3', rows: [{ key: 'node-a/GPU-1', node: 'node-a', gpuIndex: 0, a: gpu(), b: hot }, { key: 'node-a/GPU-9', node: 'node-a', gpuIndex: 3, a: null, b: gpu({ gpuIndex: 3 }) }] };
    const compareInspections = vi.fn(async () => comparison);
    const api = inspectorApi([other, inspection()], { compareInspections });
    render(<InspectorView api={api} inspectionId="f1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Compare…' }));
    const rows = await screen.findAllByTestId('compare-row');
    expect(compareInspections).toHaveBeenCalledWith('f1', 'f3');
    const cells = within(rows[0]!).getAllByRole('cell');
    expect(cells.map((c) => c.textContent)).toEqual(['59%', '95%', 'tensor compute', 'tensor compute', 'OK', 'HOT', '500W', '690W', '60°C', '61°C']);
    expect(cells.map((c) => c.dataset.diff === 'true')).toEqual([true, true, false, false, true, true, true, true, false, false]);
    expect(rows[1]!.textContent).toMatch(/GPU 3 \(only in B\)/);
    expect(screen.getByTestId('compare-summary').textContent).toBe('2 GPUs, 1 with differences');
  });

  it('asks for two parsed files before comparing', async () => {
    render(<InspectorView api={inspectorApi([inspection()])} inspectionId="f1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Compare…' }));
    expect(screen.getByTestId('compare-empty')).toBeTruthy();
  });

  it('closes a file: the service forgets it and the view goes back to the list', async () => {
    const api = inspectorApi([inspection()]);
    window.location.hash = '#/inspector/f1';
    render(<InspectorView api={api} inspectionId="f1" />);
    fireEvent.click(await screen.findByTestId('inspection-close'));
    expect(api.calls.closed).toEqual(['f1']);
    expect(window.location.hash).toBe('#/inspector');
    expect(screen.queryAllByTestId('inspector-file')).toHaveLength(0);
  });
});

describe('opening files', () => {
  function dragEvent(type: string, files: File[]) {
    const event = new Event(type, { bubbles: true, cancelable: true });
    Object.defineProperty(event, 'dataTransfer', { value: { types: ['Files'], files, dropEffect: 'none' } });
    return event;
  }

  it('shows an overlay while files are dragged over any view and opens each dropped file', async () => {
    window.location.hash = '#/';
    const api = inspectorApi([]);
    render(<FileDrop api={api} />);
    act(() => void window.dispatchEvent(dragEvent('dragenter', [])));
    const over = dragEvent('dragover', []);
    act(() => void window.dispatchEvent(over));
    expect(over.defaultPrevented).toBe(true); // else the browser would navigate to the file
    expect(screen.getByTestId('drop-overlay')).toBeTruthy();
    act(() => void window.dispatchEvent(dragEvent('dragleave', [])));
    expect(screen.queryByTestId('drop-overlay')).toBeNull();

    const drop = dragEvent('drop', [new File(['up 1\n'], 'a.prom'), new File(['x'], 'bad.prom'), new File(['up 2\n'], 'b.om')]);
    act(() => void window.dispatchEvent(drop));
    expect(drop.defaultPrevented).toBe(true);
    expect(window.location.hash).toBe('#/inspector');
    await waitFor(() => expect(window.location.hash).toBe('#/inspector/id-b.om'));
    expect(api.calls.files).toEqual(['a.prom', 'bad.prom', 'b.om']);
    expect(screen.getByTestId('drop-error').textContent).toMatch(/bad\.prom: upload failed with HTTP 500/);
  });

  it('does not pull the user back when they went elsewhere while the file was sent', async () => {
    let answer!: (info: InspectionInfo) => void;
    const api = inspectorApi([], { inspectFile: () => new Promise<InspectionInfo>((r) => (answer = r)) });
    render(<FileDrop api={api} />);
    act(() => void window.dispatchEvent(dragEvent('drop', [new File(['up 1\n'], 'slow.prom')])));
    expect(window.location.hash).toBe('#/inspector');
    window.location.hash = '#/targets';
    await act(async () => answer(inspection({ id: 'slow' })));
    expect(window.location.hash).toBe('#/targets');
  });

  it('ignores drags that carry no files (text, links)', () => {
    render(<FileDrop api={inspectorApi([])} />);
    const event = new Event('dragover', { bubbles: true, cancelable: true });
    Object.defineProperty(event, 'dataTransfer', { value: { types: ['text/plain'], files: [] } });
    act(() => void window.dispatchEvent(event));
    expect(event.defaultPrevented).toBe(false);
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
  });

  it('opens files from the Open file… picker', async () => {
    const api = inspectorApi([]);
    render(<InspectorView api={api} inspectionId={null} />);
    const input = (await screen.findByTestId('inspect-file-input')) as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['up 1\n'], 'picked.prom')] } });
    await waitFor(() => expect(window.location.hash).toBe('#/inspector/id-picked.prom'));
    expect(api.calls.files).toEqual(['picked.prom']);
  });
});
