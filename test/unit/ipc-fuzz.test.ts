// The IPC adapter must reject malformed arguments from the renderer with an error, never
// throw synchronously in main and never reach the service with bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IpcMain } from 'electron';
import { registerIpcHandlers } from '../../src/main/electron/ipc';
import { IPC_REQUEST_PREFIX, PULSE_REQUEST_METHODS, type PulseBackend } from '../../src/shared/api';
import { REQUEST_ARG_SCHEMAS } from '../../src/shared/api-schemas';

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
    expect([...handlers.keys()].sort()).toEqual(PULSE_REQUEST_METHODS.map((m) => IPC_REQUEST_PREFIX + m).sort());
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
          expect((err as Error).message).toMatch(new RegExp(`invalid arguments for ${method}|unknown method`));
          outcome = 'rejected';
        }
        const valid = REQUEST_ARG_SCHEMAS[method].safeParse(args).success;
        expect(outcome).toBe(valid ? 'resolved' : 'rejected');
        expect(reached.length).toBe(valid ? 1 : 0);
      }),
      { numRuns: 400 },
    );
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
