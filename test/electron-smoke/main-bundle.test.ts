// Loads the built main bundle (out/main/index.js) under a stub `electron` and checks the
// hardening and the IPC surface (DESIGN.md §5.2). `npm test` builds before it runs.
import Module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PULSE_REQUEST_METHODS, IPC_INSPECT_DROPPED_CHANNEL, IPC_REQUEST_PREFIX, IPC_WATCH_CHANNEL, PATH_REQUEST_METHODS } from '../../src/shared/api';
import { createStubElectron, StubBrowserWindow } from './stub-electron';

const root = join(__dirname, '..', '..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const preloadBundle = join(root, 'out', 'preload', 'index.js');

describe('built main bundle under a stub electron', () => {
  const { stub, handlers, fireReady } = createStubElectron();
  const originalLoad = (Module as any)._load;

  beforeAll(async () => {
    expect(existsSync(mainBundle), 'out/main/index.js is missing: run `npm run build`').toBe(true);
    (Module as any)._load = function (request: string, ...rest: unknown[]) {
      if (request === 'electron') return stub;
      return originalLoad.call(this, request, ...rest);
    };
    // GPU_PULSE_DEMO=off keeps the smoke test from starting real exporters.
    process.env.GPU_PULSE_DEMO = 'off';
    require(mainBundle);
    fireReady();
    for (let i = 0; i < 100 && StubBrowserWindow.created.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  });

  afterAll(() => {
    (Module as any)._load = originalLoad;
    delete process.env.GPU_PULSE_DEMO;
  });

  it('creates exactly one hardened BrowserWindow', () => {
    expect(StubBrowserWindow.created).toHaveLength(1);
    const prefs = StubBrowserWindow.created[0]!.options.webPreferences;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.preload).toBe(preloadBundle);
  });

  it('registers an IPC handler for every PulseApi request method, and the window\'s watchGpus', () => {
    const expected = [...PULSE_REQUEST_METHODS.map((m) => IPC_REQUEST_PREFIX + m), IPC_WATCH_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL].sort();
    expect([...handlers.keys()].filter((k) => k.startsWith(IPC_REQUEST_PREFIX)).sort()).toEqual(expected);
  });

  it('denies navigation away from the app and new windows', () => {
    const contents = StubBrowserWindow.created[0]!.webContents;
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    // Another local file is not the app either.
    prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'file:///etc/passwd');
    expect(prevented).toBe(true);
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' }).action).toBe('deny');
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' }).action).toBe('deny');
  });

  it('answers requests from its own window and rejects other senders and bad arguments', async () => {
    const contents = StubBrowserWindow.created[0]!.webContents;
    const getTargets = handlers.get(IPC_REQUEST_PREFIX + 'getTargets')!;
    await expect(getTargets({ sender: contents })).resolves.toEqual([]);
    await expect(getTargets({ sender: {} })).rejects.toThrow(/untrusted/);
    const addTarget = handlers.get(IPC_REQUEST_PREFIX + 'addTarget')!;
    await expect(addTarget({ sender: contents }, { url: 'file:///etc/passwd' })).rejects.toThrow(/http/);
  });

  it('takes watchGpus only from its own window, with valid keys', async () => {
    const contents = StubBrowserWindow.created[0]!.webContents;
    const watch = handlers.get(IPC_WATCH_CHANNEL)!;
    await expect(watch({ sender: contents }, ['node/GPU-1'])).resolves.toBeUndefined();
    await expect(watch({ sender: {} }, ['node/GPU-1'])).rejects.toThrow(/another frame/);
    await expect(watch({ sender: contents }, 'node/GPU-1')).rejects.toThrow(/invalid arguments for watchGpus/);
  });

  it('loads the built renderer file', () => {
    expect(StubBrowserWindow.created[0]!.loaded).toBe(join(root, 'out', 'renderer', 'index.html'));
  });
});

describe('built preload bundle', () => {
  it('is CommonJS and requires nothing but electron', () => {
    const text = readFileSync(preloadBundle, 'utf8');
    expect(text).not.toMatch(/^\s*import\s/m);
    expect(text).not.toMatch(/^\s*export\s/m);
    const required = [...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect([...new Set(required)]).toEqual(['electron']);
  });

  it('exposes the PulseApi as window.pulse through contextBridge', () => {
    const exposed: Record<string, any> = {};
    const invoked: unknown[][] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
      ipcRenderer: { invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(null)), on: () => {}, removeListener: () => {} },
    };
    const fn = new Function('require', 'module', 'exports', readFileSync(preloadBundle, 'utf8'));
    const mod = { exports: {} };
    fn((id: string) => (id === 'electron' ? fakeElectron : (() => { throw new Error(`preload required ${id}`); })()), mod, mod.exports);
    expect(Object.keys(exposed)).toEqual(['pulse']);
    // Requests that name a file are not offered to the page (main refuses them from the window).
    for (const m of PULSE_REQUEST_METHODS) expect(typeof exposed.pulse[m], m).toBe(PATH_REQUEST_METHODS.includes(m) ? 'undefined' : 'function');
    expect(typeof exposed.pulse.onTick).toBe('function');
    void exposed.pulse.setPinned('t1', true);
    exposed.pulse.watchGpus(['node/GPU-1']);
    expect(invoked).toEqual([
      [IPC_REQUEST_PREFIX + 'setPinned', 't1', true],
      [IPC_WATCH_CHANNEL, ['node/GPU-1']],
    ]);
  });
});
