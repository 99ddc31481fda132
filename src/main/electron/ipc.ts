// Electron IPC adapter: maps `pulse:<method>` invocations to the service after checking the
// sender and validating the arguments, and forwards ticks to the window that owns the bridge.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_REQUEST_PREFIX, IPC_TICK_CHANNEL, IPC_WATCH_CHANNEL, PULSE_REQUEST_METHODS, type PulseBackend } from '../../shared/api';
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
      // dispatchRequest throws a clear InvalidRequestError for malformed input; Electron passes
      // the message back to the renderer's rejected promise and main keeps running.
      return dispatchRequest(service, method, args);
    });
  }
  return () => {
    for (const method of PULSE_REQUEST_METHODS) ipcMain.removeHandler(IPC_REQUEST_PREFIX + method);
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
