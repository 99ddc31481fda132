// The IPC adapter must reject malformed arguments from the renderer with an error, never
// throw synchronously in main and never reach the service with bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IpcMain, WebContents } from 'electron';
import { forwardTicks, registerIpcHandlers } from '../../src/main/electron/ipc';
import { IPC_ADD_TARGETS_FILE_CHANNEL, IPC_INSPECT_DROPPED_CHANNEL, IPC_REQUEST_PREFIX, IPC_TICK_CHANNEL, IPC_WATCH_CHANNEL, PULSE_REQUEST_METHODS, namesFilePath, type PulseBackend, type Tick } from '../../src/shared/api';
import { REQUEST_ARG_SCHEMAS, WatchGpusArgsSchema } from '../../src/shared/api-schemas';
import { gpu } from '../renderer/fake-api';

function fakeIpcMain() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcMain = { handle: (c: string, fn: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(c, fn), removeHandler: (c: string) => handlers.delete(c) } as unknown as IpcMain;
  return { ipcMain, handlers };
}

describe('IPC adapter under fuzzed arguments', () => {
  const reached: Array<{ method: string; args: unknown[] }> = [];
  const service = new Proxy({} as PulseBackend, {
    get: (_t, method: string) => async (...args: unknown[]) => {
      reached.push({ method, args });
      return null;
    },
  });
  const { ipcMain, handlers } = fakeIpcMain();
  const trusted = { sender: 'main-window' };
  registerIpcHandlers(ipcMain, service, { isTrustedSender: (e) => (e as unknown as typeof trusted).sender === 'main-window' });

  it('registers one handler per request method', () => {
    expect([...handlers.keys()].sort()).toEqual([...PULSE_REQUEST_METHODS.map((m) => IPC_REQUEST_PREFIX + m), IPC_INSPECT_DROPPED_CHANNEL, IPC_ADD_TARGETS_FILE_CHANNEL].sort());
  });

  it('answers every random argument list with a resolved value or a rejected promise, and only valid arguments reach the service', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PULSE_REQUEST_METHODS), fc.array(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true }), { maxLength: 4 }), async (method, args) => {
        reached.length = 0;
        let outcome: 'resolved' | 'rejected';
        let result: Promise<unknown>;
        try {
          result = Promise.resolve(handlers.get(IPC_REQUEST_PREFIX + method)!(trusted, ...args));
        } catch (err) {
          throw new Error(`handler threw synchronously: ${String(err)}`);
        }
        try {
          await result;
          outcome = 'resolved';
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(new RegExp(`invalid arguments for ${method}|unknown method|rejected ${method}: the window cannot name files`));
          outcome = 'rejected';
        }
        // The window never names a file (paths come from dialogs, drops and argv in main).
        const valid = !namesFilePath(method, args) && REQUEST_ARG_SCHEMAS[method].safeParse(args).success;
        expect(outcome).toBe(valid ? 'resolved' : 'rejected');
        expect(reached.length).toBe(valid ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a targets file named by the window, but takes a discovery source', async () => {
    reached.length = 0;
    await expect(Promise.resolve(handlers.get(IPC_REQUEST_PREFIX + 'addSource')!(trusted, { kind: 'targets-file', path: '/home/user/.ssh/id_rsa' }))).rejects.toThrow(/cannot name files/);
    expect(reached).toEqual([]);
    await handlers.get(IPC_REQUEST_PREFIX + 'addSource')!(trusted, { kind: 'prometheus-discovery', url: 'http://prom:9090', job: 'dcgm' });
    expect(reached).toEqual([{ method: 'addSource', args: [{ kind: 'prometheus-discovery', url: 'http://prom:9090', job: 'dcgm' }] }]);
  });

  it('adds a picked targets file through its own channel, with the path the preload gave', async () => {
    reached.length = 0;
    await expect(Promise.resolve(handlers.get(IPC_ADD_TARGETS_FILE_CHANNEL)!({ sender: 'other' }, '/srv/nodes.txt'))).rejects.toThrow(/untrusted/);
    await expect(Promise.resolve(handlers.get(IPC_ADD_TARGETS_FILE_CHANNEL)!(trusted, ''))).rejects.toThrow(/no path on disk/);
    await handlers.get(IPC_ADD_TARGETS_FILE_CHANNEL)!(trusted, '/srv/nodes.txt', 5000);
    expect(reached).toEqual([{ method: 'addSource', args: [{ kind: 'targets-file', path: '/srv/nodes.txt', intervalMs: 5000 }] }]);
  });

  it('rejects well-formed requests from a frame that is not the app window', async () => {
    await expect(Promise.resolve(handlers.get(IPC_REQUEST_PREFIX + 'getTargets')!({ sender: 'other' }))).rejects.toThrow(/untrusted/);
  });

  it('accepts a valid request and passes the parsed arguments through', async () => {
    reached.length = 0;
    await handlers.get(IPC_REQUEST_PREFIX + 'setPinned')!(trusted, 't-1', true);
    expect(reached).toEqual([{ method: 'setPinned', args: ['t-1', true] }]);
  });
});

describe('IPC tick forwarding and watchGpus', () => {
  function setup() {
    const { ipcMain, handlers } = fakeIpcMain();
    const tickListeners = new Set<(tick: Tick) => void>();
    const current = [gpu({ key: 'n/GPU-0', readings: { powerWatts: 100, smClockHz: 1.4e9 } }), gpu({ key: 'n/GPU-1', readings: { powerWatts: 200, smClockHz: 1.5e9 } })];
    const backend = {
      getGpus: async () => current,
      onTick(listener: (tick: Tick) => void) {
        tickListeners.add(listener);
        return () => tickListeners.delete(listener);
      },
    } as unknown as PulseBackend;
    const destroyed: Array<() => void> = [];
    const sent: Tick[] = [];
    const contents = {
      isDestroyed: () => false,
      send: (channel: string, tick: Tick) => channel === IPC_TICK_CHANNEL && sent.push(tick),
      once: (event: string, fn: () => void) => event === 'destroyed' && destroyed.push(fn),
    } as unknown as WebContents;
    forwardTicks(ipcMain, backend, contents);
    const emit = () => tickListeners.forEach((l) => l({ at: 1, gpus: current, removedGpus: [], targets: [], removedTargets: [] }));
    return { handlers, contents, sent, emit, destroy: () => destroyed.forEach((fn) => fn()), listeners: tickListeners };
  }

  it('sends summary rows until the window watches a GPU, then that GPU in full', async () => {
    const { handlers, contents, sent, emit } = setup();
    emit();
    expect(sent[0]!.gpus.map((g) => g.detail)).toEqual(['summary', 'summary']);
    expect(sent[0]!.gpus[0]!.readings).toEqual({ powerWatts: 100 });
    await handlers.get(IPC_WATCH_CHANNEL)!({ sender: contents }, ['n/GPU-1']);
    expect(sent[1]!.gpus.map((g) => [g.key, g.detail, g.readings.smClockHz])).toEqual([['n/GPU-1', undefined, 1.5e9]]);
    emit();
    expect(sent[2]!.gpus.map((g) => g.detail)).toEqual(['summary', undefined]);
  });

  it('rejects fuzzed watch arguments with a clear error and never throws synchronously', async () => {
    const { handlers, contents, sent } = setup();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true }), { maxLength: 3 }), async (args) => {
        sent.length = 0;
        let result: Promise<unknown>;
        try {
          result = Promise.resolve(handlers.get(IPC_WATCH_CHANNEL)!({ sender: contents }, ...args));
        } catch (err) {
          throw new Error(`handler threw synchronously: ${String(err)}`);
        }
        const valid = WatchGpusArgsSchema.safeParse(args).success;
        if (valid) await expect(result).resolves.toBeUndefined();
        else await expect(result).rejects.toThrow(/invalid arguments for watchGpus/);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a watch from another frame and unregisters when the window is destroyed', async () => {
    const { handlers, destroy, listeners } = setup();
    await expect(Promise.resolve().then(() => handlers.get(IPC_WATCH_CHANNEL)!({ sender: {} }, ['n/GPU-0']))).rejects.toThrow(/another frame/);
    destroy();
    expect(handlers.has(IPC_WATCH_CHANNEL)).toBe(false);
    expect(listeners.size).toBe(0);
  });
});
