// Files reach the desktop app from outside the window: File > Open, paths on the command line
// at launch, a second launch (the single-instance lock forwards its argv here), and macOS
// `open-file` (double-click or "Open With" on a .prom/.om file; it can fire before `ready`).
// Each is parsed by the service's inspector and then shown. Recent paths are kept in the
// user-data folder for File > Open Recent and handed to the OS's recent-documents list; they
// stay in main, so the renderer never sees a path it was not given.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { App, BrowserWindow, Dialog, MenuItemConstructorOptions } from 'electron';
import type { InspectionInfo } from '../../shared/api';

export const MAX_RECENT_FILES = 10;
export const OPEN_DIALOG_FILTERS = [
  { name: 'Exposition files', extensions: ['prom', 'om', 'txt', 'gz'] },
  { name: 'All files', extensions: ['*'] },
];

export interface FileOpeningService {
  inspectPath(path: string): Promise<InspectionInfo>;
  showInspection(id: string): void;
}

export interface FileOpeningOptions {
  app: Pick<App, 'on' | 'isPackaged' | 'getPath' | 'addRecentDocument' | 'clearRecentDocuments'>;
  dialog: Pick<Dialog, 'showOpenDialog' | 'showErrorBox'>;
  /** The service once it exists (files given at launch wait for it). */
  getService: () => FileOpeningService | null;
  getWindow: () => BrowserWindow | null;
  /** The recent list changed: rebuild the menu with `menuItems()`. */
  onRecentChange?: () => void;
  /** Defaults to process.argv and process.cwd(). */
  argv?: string[];
  cwd?: string;
  /** Where recent paths are kept; defaults to <userData>/recent-files.json. */
  recentFile?: string;
}

export interface FileOpening {
  /** The service and window exist: open what arrived before (argv, early open-file). */
  ready(): void;
  openPaths(paths: string[]): Promise<void>;
  openDialog(): Promise<void>;
  recentPaths(): string[];
  /** File menu items: Open…, Open Recent. */
  menuItems(): MenuItemConstructorOptions[];
}

/**
 * Files named on a command line: everything after the executable (and, unpackaged, after the
 * app folder electron is given) that is not a switch and is an existing regular file.
 */
export function filesFromArgv(argv: string[], cwd: string, isPackaged: boolean): string[] {
  return argv
    .slice(isPackaged ? 1 : 2)
    .filter((arg) => arg !== '' && !arg.startsWith('-'))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(cwd, arg)))
    .filter(isFile);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function installFileOpening(opts: FileOpeningOptions): FileOpening {
  const { app, dialog } = opts;
  const recentFile = opts.recentFile ?? join(app.getPath('userData'), 'recent-files.json');
  let recent = loadRecent(recentFile);
  let markReady!: () => void;
  const isReady = new Promise<void>((r) => (markReady = r));

  const remember = (path: string) => {
    recent = [path, ...recent.filter((p) => p !== path)].slice(0, MAX_RECENT_FILES);
    saveRecent(recentFile, recent);
    app.addRecentDocument(path);
    opts.onRecentChange?.();
  };

  const showError = (path: string, err: unknown) => dialog.showErrorBox('Cannot open the file', `${path}\n\n${err instanceof Error ? err.message : String(err)}`);

  const openPath = async (path: string) => {
    await isReady;
    const service = opts.getService();
    if (!service) return; // quitting
    let info: InspectionInfo;
    try {
      info = await service.inspectPath(path);
    } catch (err) {
      showError(path, err);
      return;
    }
    remember(path);
    await windowLoaded(opts.getWindow());
    service.showInspection(info.id);
    const win = opts.getWindow();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  };

  const openPaths = async (paths: string[]) => {
    // In order, so the last one named is the one shown.
    for (const path of paths) await openPath(path);
  };

  // Registered at once: macOS sends open-file for a double-clicked file before `ready`.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void openPaths([path]);
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    void openPaths(filesFromArgv(argv, workingDirectory, app.isPackaged));
  });
  void openPaths(filesFromArgv(opts.argv ?? process.argv, opts.cwd ?? process.cwd(), app.isPackaged));

  const openDialog = async () => {
    const win = opts.getWindow();
    // Since Electron 43 the dialog starts in Downloads unless told otherwise, and the OS no
    // longer remembers the last folder: start where the last opened file is.
    const lastFolder = recent.length > 0 ? dirname(recent[0]!) : null;
    const options = {
      title: 'Open exposition files',
      properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>,
      filters: OPEN_DIALOG_FILTERS,
      ...(lastFolder && existsSync(lastFolder) ? { defaultPath: lastFolder } : {}),
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    if (!result.canceled) await openPaths(result.filePaths);
  };

  return {
    ready: () => markReady(),
    openPaths,
    openDialog,
    recentPaths: () => [...recent],
    menuItems: () => [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => void openDialog() },
      {
        label: 'Open Recent',
        submenu: [
          ...recent.map((path): MenuItemConstructorOptions => ({ label: path, click: () => void openPaths([path]), enabled: existsSync(path) })),
          ...(recent.length > 0 ? [{ type: 'separator' as const }] : []),
          {
            label: 'Clear Recent',
            enabled: recent.length > 0,
            click: () => {
              recent = [];
              saveRecent(recentFile, recent);
              app.clearRecentDocuments();
              opts.onRecentChange?.();
            },
          },
        ],
      },
    ],
  };
}

/** The renderer must be listening before it is asked to show a file (ticks are not replayed). */
function windowLoaded(win: BrowserWindow | null): Promise<void> {
  if (!win || win.isDestroyed() || !win.webContents.isLoading()) return Promise.resolve();
  return new Promise((resolve) => win.webContents.once('did-finish-load', () => resolve()));
}

function loadRecent(file: string): string[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string' && isAbsolute(p)).slice(0, MAX_RECENT_FILES) : [];
  } catch {
    return []; // none yet, or unreadable: recent files are a convenience
  }
}

function saveRecent(file: string, paths: string[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written whole and renamed, so a crash never leaves half a list.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(paths, null, 2));
    renameSync(tmp, file);
  } catch {
    // Not being able to remember a recent file must not stop opening it.
  }
}
