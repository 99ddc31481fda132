// A stand-in for the `electron` module that records what the built main bundle does with it,
// so the bundle can be checked on machines where the Electron binary cannot run.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the main process did to the default session and the shell. */
export interface StubSessionRecord {
  headersReceived: ((details: { responseHeaders: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void) | null;
  permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null;
  permissionCheck: ((contents: unknown, permission: string, origin: string, details: unknown) => boolean) | null;
  devicePermission: ((details: unknown) => boolean) | null;
  openedExternally: string[];
}

export class StubWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: Array<{ channel: string; payload: unknown }> = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return false;
  }
}

export class StubBrowserWindow extends EventEmitter {
  static created: StubBrowserWindow[] = [];
  webContents = new StubWebContents();
  loaded: string | null = null;
  constructor(public options: Record<string, any>) {
    super();
    StubBrowserWindow.created.push(this);
  }
  loadFile(file: string) {
    this.loaded = file;
    return Promise.resolve();
  }
  loadURL(url: string) {
    this.loaded = url;
    return Promise.resolve();
  }
  maximize() {}
  isMaximized() {
    return false;
  }
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
  getBounds() {
    return { x: 0, y: 0, width: 1280, height: 820 };
  }
  show() {}
  focus() {}
  restore() {}
}

export function createStubElectron() {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const userData = mkdtempSync(join(tmpdir(), 'gpu-pulse-stub-'));
  const app = Object.assign(new EventEmitter(), {
    whenReady: () => ready,
    requestSingleInstanceLock: () => true,
    getVersion: () => '0.0.0-test',
    getName: () => 'gpu-pulse',
    getPath: (_name: string) => userData,
    getAppPath: () => userData,
    isPackaged: false,
    quit: () => {},
  });
  const record: StubSessionRecord = { headersReceived: null, permissionRequest: null, permissionCheck: null, devicePermission: null, openedExternally: [] };
  const stub = {
    app,
    BrowserWindow: StubBrowserWindow,
    ipcMain: Object.assign(new EventEmitter(), {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn),
      removeHandler: (channel: string) => handlers.delete(channel),
    }),
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: StubSessionRecord['headersReceived']) => (record.headersReceived = fn) },
        setPermissionRequestHandler: (fn: StubSessionRecord['permissionRequest']) => (record.permissionRequest = fn),
        setPermissionCheckHandler: (fn: StubSessionRecord['permissionCheck']) => (record.permissionCheck = fn),
        setDevicePermissionHandler: (fn: StubSessionRecord['devicePermission']) => (record.devicePermission = fn),
      },
    },
    shell: {
      openExternal: async (url: string) => {
        record.openedExternally.push(url);
      },
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() },
    Notification: class {
      static isSupported() {
        return false;
      }
      show() {}
    },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: true }),
  };
  return { stub, handlers, fireReady: resolveReady, userData, record };
}
