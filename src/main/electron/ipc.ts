// Electron IPC adapter: maps `pulse:<method>` invocations to the service after checking the
// sender and validating the arguments, and forwards ticks to the window that owns the bridge.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_REQUEST_PREFIX, IPC_TICK_CHANNEL, PULSE_REQUEST_METHODS, type PulseBackend } from '../../shared/api';
import { dispatchRequest } from '../core/dispatch';

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

/** Send every tick to a window's renderer until the window goes away. */
export function forwardTicks(service: PulseBackend, contents: WebContents): () => void {
  const unsubscribe = service.onTick((tick) => {
    if (!contents.isDestroyed()) contents.send(IPC_TICK_CHANNEL, tick);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
