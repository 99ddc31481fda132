// Electron IPC adapter: maps `pulse:<method>` invocations to the service after checking the
// sender and validating the arguments, and forwards ticks to the window that owns the bridge.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_ADD_TARGETS_FILE_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL, IPC_REQUEST_PREFIX, IPC_TICK_CHANNEL, IPC_WATCH_CHANNEL, PULSE_REQUEST_METHODS, namesFilePath, type PulseBackend } from '../../shared/api';
import { validateWatchArgs } from '../../shared/api-schemas';
import { dispatchRequest } from '../core/dispatch';
import { openTickStream } from '../core/tick-stream';

export interface IpcAdapterOptions {
  /** True when the frame that sent a request is our own renderer (DESIGN.md §7: IPC sender checked). */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

export function registerIpcHandlers(ipcMain: IpcMain, service: PulseBackend, options: IpcAdapterOptions): () => void {
  for (const method of PULSE_REQUEST_METHODS) {
    ipcMain.handle(IPC_REQUEST_PREFIX + method, async (event, ...args: unknown[]) => {
      if (!options.isTrustedSender(event)) throw new Error(`rejected ${method}: request from an untrusted frame`);
      // Paths reach main from dialogs, drops and argv only (DESIGN.md §4), never typed by the page.
      if (namesFilePath(method, args)) throw new Error(`rejected ${method}: the window cannot name files; open them with File > Open or by dropping them`);
      // dispatchRequest throws a clear InvalidRequestError for malformed input; Electron passes
      // the message back to the renderer's rejected promise and main keeps running.
      return dispatchRequest(service, method, args);
    });
  }
  // The preload's inspectFile: a path webUtils gave for a File the user dropped or picked, which
  // the page's own script cannot forge (a File it builds itself has no path).
  ipcMain.handle(IPC_INSPECT_DROPPED_CHANNEL, async (event, ...args: unknown[]) => {
    if (!options.isTrustedSender(event)) throw new Error('rejected inspectFile: request from an untrusted frame');
    const [path] = args;
    if (typeof path !== 'string' || path === '') throw new Error('this file has no path on disk: drop it from a folder, or use File > Open');
    return dispatchRequest(service, 'inspectPath', [path]);
  });
  // The same for a targets file picked in the source dialog.
  ipcMain.handle(IPC_ADD_TARGETS_FILE_CHANNEL, async (event, ...args: unknown[]) => {
    if (!options.isTrustedSender(event)) throw new Error('rejected addTargetsFile: request from an untrusted frame');
    const [path, intervalMs] = args;
    if (typeof path !== 'string' || path === '') throw new Error('this file has no path on disk: pick it from a folder');
    return dispatchRequest(service, 'addSource', [{ kind: 'targets-file', path, ...(intervalMs === undefined ? {} : { intervalMs }) }]);
  });
  return () => {
    for (const method of PULSE_REQUEST_METHODS) ipcMain.removeHandler(IPC_REQUEST_PREFIX + method);
    ipcMain.removeHandler(IPC_INSPECT_DROPPED_CHANNEL);
    ipcMain.removeHandler(IPC_ADD_TARGETS_FILE_CHANNEL);
  };
}

/**
 * Send a window's renderer its tick stream (full snapshots for the GPUs it watches through
 * `pulse:watchGpus`, summary rows for the rest) until the window goes away.
 */
export function forwardTicks(ipcMain: IpcMain, service: PulseBackend, contents: WebContents): () => void {
  const stream = openTickStream(service, (tick) => {
    if (!contents.isDestroyed()) contents.send(IPC_TICK_CHANNEL, tick);
  });
  ipcMain.handle(IPC_WATCH_CHANNEL, async (event, ...args: unknown[]) => {
    if (event.sender !== contents) throw new Error('rejected watchGpus: request from another frame than the app window');
    // Malformed keys reject the renderer's promise with InvalidRequestError; main keeps running.
    return stream.watch(validateWatchArgs(args));
  });
  const stop = () => {
    stream.close();
    ipcMain.removeHandler(IPC_WATCH_CHANNEL);
  };
  contents.once('destroyed', stop);
  return stop;
}
