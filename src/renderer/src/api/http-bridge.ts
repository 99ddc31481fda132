// PulseApi over HTTP + Server-Sent Events, for serve mode (the same contract the preload
// provides over IPC in the desktop app).
import { HTTP_INSPECT_UPLOAD_PATH, HTTP_WATCH_PATH, PULSE_REQUEST_METHODS, type InspectionInfo, type PulseApi, type Tick } from '../../../shared/api';
import { createTickDecoder } from '../../../shared/tick-delta';
import { openEventStream, type EventStream } from './event-stream';

export function createHttpBridge(base = '', token: string | null = null): PulseApi {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const requests = Object.fromEntries(
    PULSE_REQUEST_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const response = await fetch(`${base}/api/call/${method}`, { method: 'POST', headers, body: JSON.stringify(args) });
        const payload = (await response.json()) as { result?: unknown; error?: string };
        if (!response.ok) throw new Error(payload.error ?? `${method} failed with HTTP ${response.status}`);
        return payload.result;
      },
    ]),
  );
  const events = tickEvents(base, token, headers);
  return {
    ...requests,
    onTick: events.onTick,
    watchGpus: events.watchGpus,
    // The browser has no path for a dropped file: stream its bytes to serve mode.
    async inspectFile(file: File): Promise<InspectionInfo> {
      const uploadHeaders: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (token) uploadHeaders.authorization = `Bearer ${token}`;
      const response = await fetch(`${base}${HTTP_INSPECT_UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: uploadHeaders, body: file });
      const payload = (await response.json()) as { result?: InspectionInfo; error?: string };
      if (!response.ok || !payload.result) throw new Error(payload.error ?? `upload failed with HTTP ${response.status}`);
      return payload.result;
    },
  } as PulseApi;
}

/**
 * One event stream per page, shared by every listener: each stream costs the server a JSON
 * encoding per tick and the page a parse, and a browser allows only six HTTP/1.1 connections
 * per host. The server names the stream in its `hello` event; watchGpus posts to that name, and
 * is posted again when a reconnect brings a new one. The stream sends rows as changes to the rows
 * it sent before (tick-delta): each connection, named by its hello, starts a decoder afresh.
 */
function tickEvents(base: string, token: string | null, headers: Record<string, string>): Pick<PulseApi, 'onTick' | 'watchGpus'> {
  const listeners = new Set<(tick: Tick) => void>();
  let source: EventStream | null = null;
  let streamId: string | null = null;
  let watched: string[] = [];

  const postWatch = () => {
    if (!streamId) return;
    fetch(`${base}${HTTP_WATCH_PATH}`, { method: 'POST', headers, body: JSON.stringify({ stream: streamId, keys: watched }) }).catch((err: unknown) =>
      console.warn('watchGpus failed:', err),
    );
  };
  let decode = createTickDecoder();
  const open = () => {
    const events = new EventTarget();
    const streamHeaders: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    source = openEventStream(`${base}/api/events?delta=1`, streamHeaders, events);
    events.addEventListener('hello', (event) => {
      streamId = (JSON.parse((event as MessageEvent<string>).data) as { stream: string }).stream;
      decode = createTickDecoder();
      if (watched.length > 0) postWatch();
    });
    events.addEventListener('tick', (event) => {
      const tick = decode(JSON.parse((event as MessageEvent<string>).data) as Tick);
      for (const listener of listeners) {
        try {
          listener(tick);
        } catch (err) {
          // One broken view must not starve the others of ticks.
          console.error('tick listener failed:', err);
        }
      }
    });
  };
  return {
    onTick(listener) {
      listeners.add(listener);
      if (!source) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
          streamId = null;
        }
      };
    },
    watchGpus(keys) {
      watched = [...keys];
      postWatch();
    },
  };
}

/** The desktop preload exposes `window.pulse`; in a plain browser we talk HTTP to serve mode. */
export function resolveApi(): PulseApi {
  const injected = (window as unknown as { pulse?: PulseApi }).pulse;
  if (injected) return injected;
  const token = new URLSearchParams(window.location.search).get('token');
  return createHttpBridge('', token);
}
