// Loads the built main bundle (out/main/index.js) under a stub `electron` and checks the
// hardening and the IPC surface (DESIGN.md §5.2). `npm test` builds before it runs.
import Module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PULSE_REQUEST_METHODS, IPC_ADD_TARGETS_FILE_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL, IPC_REQUEST_PREFIX, IPC_WATCH_CHANNEL, PATH_REQUEST_METHODS } from '../../src/shared/api';
import { createStubElectron, StubBrowserWindow } from './stub-electron';

const root = join(__dirname, '..', '..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const preloadBundle = join(root, 'out', 'preload', 'index.js');

describe('built main bundle under a stub electron', () => {
  const { stub, handlers, fireReady, record } = createStubElectron();
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
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.preload).toBe(preloadBundle);
  });

  it('registers an IPC handler for every PulseApi request method, and the window\'s watchGpus', () => {
    const expected = [...PULSE_REQUEST_METHODS.map((m) => IPC_REQUEST_PREFIX + m), IPC_WATCH_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL, IPC_ADD_TARGETS_FILE_CHANNEL].sort();
    expect([...handlers.keys()].filter((k) => k.startsWith(IPC_REQUEST_PREFIX)).sort()).toEqual(expected);
  });

  // Electron 45 passes navigation details in the event object (url, isMainFrame); the positional
  // url argument is deprecated, so the stub emits events the way 45 documents them.
  const navigate = (name: string, url: string, isMainFrame = true) => {
    let prevented = false;
    StubBrowserWindow.created[0]!.webContents.emit(name, { url, isMainFrame, preventDefault: () => (prevented = true) });
    return prevented;
  };
  const appUrl = pathToFileURL(join(root, 'out', 'renderer', 'index.html')).href;

  it('denies navigation to anything but its own page, file:// URLs included', () => {
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', pathToFileURL(join(root, 'out', 'renderer', 'other.html')).href)).toBe(true);
    expect(navigate('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(navigate('will-navigate', `${appUrl}#/targets`)).toBe(false);
    expect(navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(navigate('will-frame-navigate', 'https://evil.example/', false)).toBe(true);
    expect(navigate('will-frame-navigate', 'file:///etc/passwd', false)).toBe(true);
    expect(navigate('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('denies every new window and opens only a clicked http(s) link in the browser', () => {
    const contents = StubBrowserWindow.created[0]!.webContents;
    const open = (url: string) => contents.windowOpenHandler!({ url }).action;
    const click = () => contents.emit('input-event', {}, { type: 'mouseUp' });
    record.openedExternally.length = 0;

    // Script alone (no click, or only a mouse move) opens nothing.
    expect(open('https://example.com/script')).toBe('deny');
    contents.emit('input-event', {}, { type: 'mouseMove' });
    expect(open('https://example.com/hover')).toBe('deny');
    expect(navigate('will-navigate', 'https://example.com/no-click')).toBe(true);
    expect(record.openedExternally).toEqual([]);

    // A click opens one web link, not two.
    click();
    expect(open('https://example.com/clicked')).toBe('deny');
    expect(open('https://example.com/second')).toBe('deny');
    expect(record.openedExternally).toEqual(['https://example.com/clicked']);

    // A clicked plain link leaves the app for the browser, not in the window.
    click();
    expect(navigate('will-navigate', 'http://example.com/plain')).toBe(true);
    expect(record.openedExternally).toEqual(['https://example.com/clicked', 'http://example.com/plain']);

    // Never anything but http(s), and no URL with credentials, click or not.
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com/']) {
      click();
      expect(open(url)).toBe('deny');
    }
    expect(record.openedExternally).toHaveLength(2);
  });

  it('puts the strict CSP on every response', () => {
    let headers: Record<string, string[]> | undefined;
    record.headersReceived!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers!['Content-Type']).toEqual(['text/html']);
    const policy = parsePolicy(headers!['Content-Security-Policy']![0]!);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    // The built page carries the same policy for file://, which has no headers (frame-ancestors
    // cannot be set from a meta tag).
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(join(root, 'out', 'renderer', 'index.html'), 'utf8'));
    expect(meta).not.toBeNull();
    const fromMeta = parsePolicy(meta![1]!);
    policy.delete('frame-ancestors');
    expect(fromMeta).toEqual(policy);
  });

  it('grants no permission, whether web content asks or only checks', () => {
    const contents = StubBrowserWindow.created[0]!.webContents;
    for (const permission of ['notifications', 'media', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'unknown']) {
      let granted: boolean | undefined;
      record.permissionRequest!(contents, permission, (g) => (granted = g), { requestingUrl: appUrl });
      expect(granted, `request ${permission}`).toBe(false);
      expect(record.permissionCheck!(contents, permission, 'file://', { requestingUrl: appUrl }), `check ${permission}`).toBe(false);
    }
    expect(record.devicePermission!({ deviceType: 'usb', origin: 'file://' })).toBe(false);
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

function parsePolicy(text: string): Map<string, string[]> {
  return new Map(
    text
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}
