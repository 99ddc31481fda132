// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TargetDialog, formToRequest } from '../../src/renderer/src/components/TargetDialog';
import type { AddTargetRequest, TargetTestResult } from '../../src/shared/api';
import { installCanvasMock } from './canvas-mock';
import { fakeApi, target } from './fake-api';

beforeAll(() => installCanvasMock());
afterEach(() => cleanup());

describe('target dialog', () => {
  it('rejects a URL that is not http(s) before calling the service', () => {
    const base = { kind: 'exporter' as const, selector: '', url: 'ftp://x', name: '', group: '', intervalS: '15', timeoutS: '10', authKind: 'none' as const, username: '', secret: '', secretSource: 'typed' as const, caFile: '', certFile: '', keyFile: '', insecure: false };
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
});
