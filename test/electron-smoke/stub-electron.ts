// A stand-in for the `electron` module that records what the built main bundle does with it,
// so the bundle can be checked on machines where the Electron binary cannot run.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StubRecord {
  windows: StubBrowserWindow[];
  handlers: Map<string, (...args: unknown[]) => unknown>;
  menuSet: boolean;
  ready: Promise<void>;
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
        webRequest: { onHeadersReceived: () => {} },
        setPermissionRequestHandler: () => {},
      },
    },
    shell: { openExternal: async () => {} },
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
  return { stub, handlers, fireReady: resolveReady, userData };
}
