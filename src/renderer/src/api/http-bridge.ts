// PulseApi over HTTP + Server-Sent Events, for serve mode (the same contract the preload
// provides over IPC in the desktop app).
import { HTTP_INSPECT_UPLOAD_PATH, PULSE_REQUEST_METHODS, type InspectionInfo, type PulseApi, type Tick } from '../../../shared/api';

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
  return {
    ...requests,
    onTick(listener: (tick: Tick) => void) {
      const query = token ? `?token=${encodeURIComponent(token)}` : '';
      const source = new EventSource(`${base}/api/events${query}`);
      source.addEventListener('tick', (event) => listener(JSON.parse((event as MessageEvent<string>).data) as Tick));
      return () => source.close();
    },
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

/** The desktop preload exposes `window.pulse`; in a plain browser we talk HTTP to serve mode. */
export function resolveApi(): PulseApi {
  const injected = (window as unknown as { pulse?: PulseApi }).pulse;
  if (injected) return injected;
  const token = new URLSearchParams(window.location.search).get('token');
  return createHttpBridge('', token);
}
