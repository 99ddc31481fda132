// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TargetDialog, formToRequest } from '../../src/renderer/src/components/TargetDialog';
import { SourcesPanel } from '../../src/renderer/src/components/SourcesPanel';
import type { AddSourceRequest, AddTargetRequest, SourceInfo, TargetTestResult } from '../../src/shared/api';
import { FleetStore, type FleetState } from '../../src/renderer/src/state/fleet-store';
import { installCanvasMock } from './canvas-mock';
import { fakeApi, target } from './fake-api';

beforeAll(() => installCanvasMock());
afterEach(() => cleanup());

describe('target dialog', () => {
  it('rejects a URL that is not http(s) before calling the service', () => {
    const base = { kind: 'exporter' as const, selector: '', job: '', path: '', url: 'ftp://x', name: '', group: '', intervalS: '15', timeoutS: '10', authKind: 'none' as const, username: '', secret: '', secretSource: 'typed' as const, caFile: '', certFile: '', keyFile: '', insecure: false };
    expect(() => formToRequest(base, false)).toThrow(/http:\/\//);
    expect(() => formToRequest({ ...base, url: 'http://n:9400/metrics', authKind: 'basic', username: 'u' }, false)).toThrow(/Password/);
    expect(formToRequest({ ...base, url: 'http://n:9400/metrics', authKind: 'bearer', secret: 'dcgm-token', secretSource: 'configured' }, false).auth).toEqual({ kind: 'bearer', token: { secret: 'dcgm-token' } });
    expect(formToRequest({ ...base, kind: 'prometheus', url: 'http://prom:9090', selector: ' {cluster="a"} ' }, false)).toMatchObject({ kind: 'prometheus', url: 'http://prom:9090', selector: '{cluster="a"}' });
  });

  it('submits the form to addTarget and shows the service error', async () => {
    const calls: AddTargetRequest[] = [];
    const api = { ...fakeApi({}), addTarget: async (req: AddTargetRequest) => (calls.push(req), Promise.reject(new Error('http://n:9400/metrics is already a target'))) };
    render(<TargetDialog api={api} target={null} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId('add-target-url'), { target: { value: 'http://n:9400/metrics' } });
    fireEvent.click(screen.getByTestId('add-target-submit'));
    expect((await screen.findByTestId('target-dialog-error')).textContent).toMatch(/already a target/);
    expect(calls).toEqual([{ url: 'http://n:9400/metrics', intervalMs: 15000, timeoutMs: 10000, auth: { kind: 'none' } }]);
  });

  it('shows what test connection found', async () => {
    const result: TargetTestResult = { ok: true, state: 'up', message: 'found 8 GPUs in 12 ms', remedy: null, durationMs: 12, gpuCount: 8, nodes: ['n1'], models: ['NVIDIA H100 80GB HBM3'], exporterHints: ['legacy field names (dcgm-exporter ≤ 4.8)'], problems: [] };
    const api = { ...fakeApi({}), testTarget: async () => result };
    render(<TargetDialog api={api} target={target()} onClose={() => {}} />);
    fireEvent.click(screen.getByTestId('test-connection'));
    const shown = await screen.findByTestId('test-result');
    await waitFor(() => expect(shown.textContent).toMatch(/found 8 GPUs.*H100.*legacy field names/));
  });

  it('adds a Prometheus discovery through addSource, with the job and credentials', async () => {
    const calls: AddSourceRequest[] = [];
    let closed = false;
    const api = { ...fakeApi({}), addSource: async (req: AddSourceRequest) => (calls.push(req), {} as SourceInfo) };
    render(<TargetDialog api={api} target={null} onClose={() => (closed = true)} />);
    fireEvent.change(screen.getByTestId('add-target-kind'), { target: { value: 'prometheus-discovery' } });
    expect(screen.queryByTestId('test-connection')).toBeNull();
    fireEvent.change(screen.getByTestId('add-target-url'), { target: { value: 'http://prom:9090' } });
    fireEvent.change(screen.getByTestId('add-source-job'), { target: { value: ' dcgm ' } });
    fireEvent.change(screen.getByLabelText('Authentication'), { target: { value: 'bearer' } });
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId('add-target-submit'));
    await waitFor(() => expect(closed).toBe(true));
    expect(calls).toEqual([{ kind: 'prometheus-discovery', url: 'http://prom:9090', job: 'dcgm', intervalMs: 15000, timeoutMs: 10000, auth: { kind: 'bearer', token: 's3cret' }, tls: undefined }]);
  });

  it('offers a targets file only where the page can hand over a picked file, and shows why adding one failed', async () => {
    const { unmount } = render(<TargetDialog api={fakeApi({})} target={null} onClose={() => {}} />);
    expect(screen.queryByRole('option', { name: /Targets file/ })).toBeNull();
    unmount();
    const picked: Array<[string, number | undefined]> = [];
    const api = {
      ...fakeApi({}),
      addTargetsFile: async (file: File, intervalMs?: number) => {
        picked.push([file.name, intervalMs]);
        throw new Error('/etc/gpu/nodes.txt:3: not an http(s) URL or host:port: "ftp://x"');
      },
    };
    render(<TargetDialog api={api} target={null} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId('add-target-kind'), { target: { value: 'targets-file' } });
    fireEvent.change(screen.getByTestId('add-source-file'), { target: { files: [new File(['a:9400\n'], 'nodes.txt')] } });
    fireEvent.click(screen.getByTestId('add-target-submit'));
    expect((await screen.findByTestId('target-dialog-error')).textContent).toMatch(/nodes\.txt:3: not an http\(s\) URL/);
    expect(picked).toEqual([['nodes.txt', 15000]]);
  });
});

describe('sources panel', () => {
  // An empty, ready store's state (the store owns its shape).
  const state: FleetState = { ...new FleetStore(fakeApi({})).getState(), status: 'ready', version: 1 };
  const fileSource: SourceInfo = { id: 'file-0', kind: 'targets-file', location: '/etc/gpu/nodes.txt', detail: null, lastLoadAt: 1_000, targetCount: 3, lastError: null, removable: true };

  it('lists the sources and shows a bad edit as FILE:LINE with the list kept, as ticks report it', async () => {
    const api = { ...fakeApi({}), getSources: async () => [fileSource] };
    render(<SourcesPanel api={api} state={state} now={31_000} />);
    const row = await screen.findByTestId('source-row');
    expect(row.textContent).toMatch(/Targets file.*\/etc\/gpu\/nodes\.txt.*3.*30 s ago.*ok/);
    api.emit({ at: 2, gpus: [], removedGpus: [], targets: [], removedTargets: [], sources: [{ ...fileSource, lastError: '/etc/gpu/nodes.txt:4: expected one URL per line, got "a b"' }] });
    const error = await screen.findByTestId('source-error');
    expect(error.textContent).toMatch(/nodes\.txt:4: expected one URL per line.*keeping the last good list \(3 targets\)/);
    expect(screen.getByRole('button', { name: 'Remove' })).toBeTruthy();
  });
});
