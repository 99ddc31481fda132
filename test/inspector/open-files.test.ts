// Desktop file opening (open-files.ts) against a stand-in app and dialog: argv at launch,
// second-instance forwarding, macOS open-file, File > Open, recent files, errors.
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { InspectionInfo } from '../../src/shared/api';
import { filesFromArgv, installFileOpening, type FileOpeningOptions } from '../../src/main/electron/open-files';
import { tempDir } from './support';

const tmp = tempDir();
afterAll(() => tmp.remove());
const fileA = join(tmp.dir, 'a.prom');
const fileB = join(tmp.dir, 'b.om');
writeFileSync(fileA, 'up 1\n');
writeFileSync(fileB, 'up 1\n# EOF\n');

function harness(over: { argv?: string[]; loading?: boolean; dialogPaths?: string[]; fail?: string } = {}) {
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getPath: () => tmp.dir,
    addRecentDocument: vi.fn(),
    clearRecentDocuments: vi.fn(),
  });
  const dialog = {
    showOpenDialog: vi.fn(async () => ({ canceled: !over.dialogPaths, filePaths: over.dialogPaths ?? [] })),
    showErrorBox: vi.fn(),
  };
  const opened: string[] = [];
  const shown: string[] = [];
  const service = {
    inspectPath: vi.fn(async (path: string) => {
      if (over.fail) throw new Error(over.fail);
      opened.push(path);
      return { id: `id-${opened.length}` } as InspectionInfo;
    }),
    showInspection: (id: string) => void shown.push(id),
  };
  const webContents = Object.assign(new EventEmitter(), { isLoading: () => over.loading ?? false });
  const win = { webContents, isDestroyed: () => false, isMinimized: () => false, restore: vi.fn(), focus: vi.fn() };
  let serviceReady = false;
  const onRecentChange = vi.fn();
  const recentFile = join(tmp.dir, `recent-${Math.random().toString(36).slice(2)}.json`);
  const files = installFileOpening({
    app: app as unknown as FileOpeningOptions['app'],
    dialog: dialog as unknown as FileOpeningOptions['dialog'],
    getService: () => (serviceReady ? service : null),
    getWindow: () => win as unknown as ReturnType<FileOpeningOptions['getWindow']>,
    onRecentChange,
    argv: over.argv ?? ['/usr/bin/electron', '.'],
    cwd: tmp.dir,
    recentFile,
  });
  const ready = () => {
    serviceReady = true;
    files.ready();
  };
  return { app, dialog, service, opened, shown, webContents, win, files, ready, onRecentChange, recentFile };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('filesFromArgv', () => {
  it('takes existing files after the executable (and the app folder when unpackaged), not switches', () => {
    const argv = ['/opt/GPU Pulse/gpu-pulse', '--enable-logging', 'a.prom', fileB, 'missing.prom', tmp.dir];
    expect(filesFromArgv(argv, tmp.dir, true)).toEqual([fileA, fileB]);
    expect(filesFromArgv(['electron', fileA, fileB], tmp.dir, false)).toEqual([fileB]);
  });
});

describe('installFileOpening', () => {
  it('opens files named at launch once the service and window exist, then shows the last one', async () => {
    const h = harness({ argv: ['electron', '.', fileA, fileB] });
    await settle();
    expect(h.opened).toEqual([]); // nothing before ready
    h.ready();
    await settle();
    expect(h.opened).toEqual([fileA, fileB]);
    expect(h.shown).toEqual(['id-1', 'id-2']);
    expect(h.win.focus).toHaveBeenCalled();
    // Remembered, newest first, in the user-data file and the OS list.
    expect(JSON.parse(readFileSync(h.recentFile, 'utf8'))).toEqual([fileB, fileA]);
    expect(h.files.recentPaths()).toEqual([fileB, fileA]);
    expect(h.app.addRecentDocument).toHaveBeenCalledWith(fileA);
    expect(h.onRecentChange).toHaveBeenCalled();
  });

  it('waits for the page to load before asking it to show the file', async () => {
    const h = harness({ loading: true });
    h.ready();
    h.app.emit('open-file', { preventDefault: () => {} }, fileA);
    await settle();
    expect(h.opened).toEqual([fileA]);
    expect(h.shown).toEqual([]);
    h.webContents.emit('did-finish-load');
    await settle();
    expect(h.shown).toEqual(['id-1']);
  });

  it('handles macOS open-file (taking it from the default handler) and second-instance argv', async () => {
    const h = harness();
    h.ready();
    const preventDefault = vi.fn();
    h.app.emit('open-file', { preventDefault }, fileB);
    h.app.emit('second-instance', {}, ['electron', '.', 'a.prom', '--flag'], tmp.dir);
    await settle();
    expect(preventDefault).toHaveBeenCalled();
    expect(h.opened.sort()).toEqual([fileA, fileB].sort());
  });

  it('File > Open opens what the dialog returns, with the exposition filters; cancel opens nothing', async () => {
    const h = harness({ dialogPaths: [fileA, fileB] });
    h.ready();
    await h.files.openDialog();
    expect(h.opened).toEqual([fileA, fileB]);
    const [, options] = h.dialog.showOpenDialog.mock.calls[0] as unknown as [unknown, { filters: Array<{ extensions: string[] }>; properties: string[] }];
    expect(options.filters[0]!.extensions).toEqual(['prom', 'om', 'txt', 'gz']);
    expect(options.properties).toContain('multiSelections');
    const cancelled = harness();
    cancelled.ready();
    await cancelled.files.openDialog();
    expect(cancelled.opened).toEqual([]);
  });

  it('starts the open dialog in the folder of the last opened file (Electron 43+ would start in Downloads)', async () => {
    const h = harness();
    h.ready();
    await h.files.openDialog();
    const [, first] = h.dialog.showOpenDialog.mock.calls[0] as unknown as [unknown, { defaultPath?: string }];
    expect(first.defaultPath).toBeUndefined();
    await h.files.openPaths([fileA]);
    await h.files.openDialog();
    const [, second] = h.dialog.showOpenDialog.mock.calls[1] as unknown as [unknown, { defaultPath?: string }];
    expect(second.defaultPath).toBe(dirname(fileA));
  });

  it('offers recent files in the menu and clears them', async () => {
    const h = harness();
    h.ready();
    await h.files.openPaths([fileA]);
    const recentMenu = h.files.menuItems().find((i) => i.label === 'Open Recent')!;
    const items = recentMenu.submenu as Array<{ label?: string; click?: () => void }>;
    expect(items.map((i) => i.label)).toEqual([fileA, undefined, 'Clear Recent']);
    items[2]!.click!();
    expect(h.files.recentPaths()).toEqual([]);
    expect(h.app.clearRecentDocuments).toHaveBeenCalled();
    expect(JSON.parse(readFileSync(h.recentFile, 'utf8'))).toEqual([]);
    expect(h.files.menuItems()[0]).toMatchObject({ label: 'Open…', accelerator: 'CmdOrCtrl+O' });
  });

  it('says why a file could not be opened, and does not remember it', async () => {
    const h = harness({ fail: 'cannot open /x: EACCES' });
    h.ready();
    await h.files.openPaths([fileA]);
    expect(h.dialog.showErrorBox).toHaveBeenCalledWith('Cannot open the file', `${fileA}\n\ncannot open /x: EACCES`);
    expect(h.files.recentPaths()).toEqual([]);
    expect(h.shown).toEqual([]);
  });
});
