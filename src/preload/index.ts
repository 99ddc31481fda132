// The renderer's only door to main: the PulseApi over IPC, nothing else (no generic
// ipcRenderer, no Node). Built as a single CommonJS file because the window is sandboxed.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_ADD_TARGETS_FILE_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL, IPC_MENU_CHANNEL, IPC_REQUEST_PREFIX, IPC_TICK_CHANNEL, IPC_WATCH_CHANNEL, PATH_REQUEST_METHODS, PULSE_REQUEST_METHODS, type MenuCommand, type PulseApi, type Tick } from '../shared/api';

// Requests that take a file path are not offered to the page: main refuses them from the window.
const requests = Object.fromEntries(
  PULSE_REQUEST_METHODS.filter((method) => !PATH_REQUEST_METHODS.includes(method)).map((method) => [method, (...args: unknown[]) => ipcRenderer.invoke(IPC_REQUEST_PREFIX + method, ...args)]),
);

const api = {
  ...requests,
  onTick(listener: (tick: Tick) => void): () => void {
    const forward = (_event: IpcRendererEvent, tick: Tick) => listener(tick);
    ipcRenderer.on(IPC_TICK_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_TICK_CHANNEL, forward);
    };
  },
  watchGpus(keys: string[]): void {
    ipcRenderer.invoke(IPC_WATCH_CHANNEL, keys).catch((err: unknown) => console.warn('watchGpus failed:', err));
  },
  onMenuCommand(listener: (command: MenuCommand) => void): () => void {
    const forward = (_event: IpcRendererEvent, command: MenuCommand) => listener(command);
    ipcRenderer.on(IPC_MENU_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_MENU_CHANNEL, forward);
    };
  },
  // A dropped or picked File carries its path only through webUtils in a sandboxed renderer.
  inspectFile(file: File) {
    return ipcRenderer.invoke(IPC_INSPECT_DROPPED_CHANNEL, webUtils.getPathForFile(file));
  },
  addTargetsFile(file: File, intervalMs?: number) {
    return ipcRenderer.invoke(IPC_ADD_TARGETS_FILE_CHANNEL, webUtils.getPathForFile(file), intervalMs);
  },
} as PulseApi;

contextBridge.exposeInMainWorld('pulse', api);
