// The main window, hardened as DESIGN.md §7 requires: isolated, sandboxed, no Node in the
// renderer; what its contents may do beyond the app is content-guard.ts's, the session's
// CSP and permissions session-policy.ts's.
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type Rectangle } from 'electron';
import { guardWebContents } from './content-guard';

export interface MainWindowOptions {
  preloadPath: string;
  /** Dev server URL (electron-vite dev) or null to load the built file. */
  rendererUrl: string | null;
  rendererFile: string;
  bounds: Partial<Rectangle> & { maximized?: boolean };
  iconPath?: string;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.bounds.width ?? 1280,
    height: opts.bounds.height ?? 820,
    x: opts.bounds.x,
    y: opts.bounds.y,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'GPU Pulse',
    icon: opts.iconPath,
    backgroundColor: '#0f1216',
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (opts.bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  guardWebContents(win.webContents, { appUrl: opts.rendererUrl ?? pathToFileURL(opts.rendererFile).href });

  if (opts.rendererUrl) void win.loadURL(opts.rendererUrl);
  else void win.loadFile(opts.rendererFile);
  return win;
}
