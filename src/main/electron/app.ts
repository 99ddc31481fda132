// Desktop composition: one PulseService started at launch, a hardened window, IPC, menus.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, safeStorage } from 'electron';
import { createEncryptedSecretStore } from '../core/fleet/secrets';
import { PulseService } from '../core/service';
import { startDemoFleet } from '../core/sources/demo';
import { createMainWindow } from './window';
import { applySessionPolicy } from './session-policy';
import { forwardTicks, registerIpcHandlers } from './ipc';
import { installApplicationMenu } from './menu';
import { installFileOpening } from './open-files';
import { trackWindowState } from './window-state';
import { electronStores } from './settings-store';
import { notifyGpuAlerts, notifyHeldIdle } from './notifications';

export function runDesktopApp(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let service: PulseService | null = null;
  let mainWindow: BrowserWindow | null = null;
  const isMac = process.platform === 'darwin';
  // Before `ready`: macOS delivers a double-clicked file as open-file during launch.
  const files = installFileOpening({
    app,
    dialog,
    getService: () => service,
    getWindow: () => mainWindow,
    onRecentChange: () => installApplicationMenu(isMac, () => mainWindow, files.menuItems()),
  });

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.whenReady().then(async () => {
    const stores = electronStores();
    service = new PulseService({
      mode: 'desktop',
      version: app.getVersion(),
      settings: stores.settings,
      dataDir: app.getPath('userData'),
      // Passwords and tokens are encrypted with the OS key store (DESIGN.md §7).
      secrets: createEncryptedSecretStore({
        isAvailable: () => safeStorage.isEncryptionAvailable(),
        encrypt: (plain) => safeStorage.encryptString(plain),
        decrypt: (cipher) => safeStorage.decryptString(cipher),
      }),
      // GPU_PULSE_DEMO=off disables the built-in demo fleet (used by tests and by users who want an empty start).
      demo: process.env.GPU_PULSE_DEMO === 'off' ? 'off' : 'auto',
      startDemoFleet: () => startDemoFleet({ instances: 4, basePort: 0, gpus: 8, hostnamePrefix: 'demo-node-' }),
    });
    applySessionPolicy();
    installApplicationMenu(isMac, () => mainWindow, files.menuItems());
    registerIpcHandlers(ipcMain, service, {
      isTrustedSender: (event) => mainWindow !== null && event.sender === mainWindow.webContents,
    });
    await service.start();
    mainWindow = createMainWindow({
      preloadPath: join(__dirname, '../preload/index.js'),
      rendererUrl: process.env.ELECTRON_RENDERER_URL ?? null,
      rendererFile: join(__dirname, '../renderer/index.html'),
      bounds: stores.windowState.get(),
      iconPath: join(__dirname, '../../build/icon.png'),
    });
    trackWindowState(mainWindow, stores.windowState);
    forwardTicks(ipcMain, service, mainWindow.webContents);
    files.ready();
    notifyGpuAlerts(
      service,
      () => stores.settings.load().notifications,
      () => {
        mainWindow?.show();
        mainWindow?.focus();
      },
    );
    notifyHeldIdle(
      service,
      () => ({ enabled: stores.settings.load().notifications, afterMinutes: stores.settings.load().heldIdleNotifyMinutes }),
      () => {
        mainWindow?.show();
        mainWindow?.focus();
      },
    );
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void service?.stop();
  });
}
