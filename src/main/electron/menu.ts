import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { IPC_MENU_CHANNEL, type MenuCommand } from '../../shared/api';

/** `fileItems` (File > Open…, Open Recent) come from open-files.ts, which owns the recent list. */
export function installApplicationMenu(isMac: boolean, getWindow: () => BrowserWindow | null, fileItems: MenuItemConstructorOptions[] = []): void {
  const send = (command: MenuCommand) => () => getWindow()?.webContents.send(IPC_MENU_CHANNEL, command);
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        ...fileItems,
        { label: 'Add Target…', accelerator: 'CmdOrCtrl+N', click: send('add-target') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit', accelerator: 'CmdOrCtrl+Q' },
      ],
    },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }, { type: 'separator' }, { label: 'Find…', accelerator: 'CmdOrCtrl+F', click: send('find') }],
    },
    {
      label: 'Go',
      submenu: [
        { label: 'Back', accelerator: isMac ? 'Cmd+[' : 'Alt+Left', click: send('back') },
        { label: 'Forward', accelerator: isMac ? 'Cmd+]' : 'Alt+Right', click: send('forward') },
        { type: 'separator' },
        { label: 'Fleet', accelerator: 'CmdOrCtrl+1', click: send('fleet') },
        { label: 'Inspector', accelerator: 'CmdOrCtrl+2', click: send('inspector') },
        { label: 'Targets', accelerator: 'CmdOrCtrl+3', click: send('targets') },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload', accelerator: 'CmdOrCtrl+R' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
