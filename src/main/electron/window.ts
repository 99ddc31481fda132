// The main window, hardened as DESIGN.md §7 requires: isolated, sandboxed, no Node in the
// renderer, strict CSP, no navigation away from the app and no new windows.
import { BrowserWindow, session, shell, type Rectangle } from 'electron';
import { pathToFileURL } from 'node:url';

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

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
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (opts.bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, opts)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, opts)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links the user clicks open in their browser, and only web links.
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });

  if (opts.rendererUrl) void win.loadURL(opts.rendererUrl);
  else void win.loadFile(opts.rendererFile);
  return win;
}

/** Adds the CSP header to every response the renderer receives (the meta tag covers file://). */
export function enforceContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  // No permission (camera, notifications prompts, etc.) is granted implicitly.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'notifications'));
}

/**
 * The window may only show the app itself: its dev-server origin, or its own index.html (any
 * hash route). Every other file:// URL would show a local file in the app's window.
 */
export function isAppUrl(url: string, opts: { rendererUrl: string | null; rendererFile: string }): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (opts.rendererUrl) return target.origin === new URL(opts.rendererUrl).origin;
  const app = pathToFileURL(opts.rendererFile);
  return target.protocol === 'file:' && target.pathname === app.pathname && target.host === app.host;
}
