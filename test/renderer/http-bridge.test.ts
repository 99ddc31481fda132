// The serve-mode bridge's tick events against a real loopback server: one event stream per page
// however many views listen (closed with the last), the token as a header, ticks decoded from
// the delta stream, and the watched GPUs posted to whichever stream the server last named
// (first hello, and again after the stream dropped and the bridge reconnected).
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpBridge } from '../../src/renderer/src/api/http-bridge';
import { HTTP_WATCH_PATH, type Tick } from '../../src/shared/api';
import { createTickEncoder } from '../../src/shared/tick-delta';
import { startServer, waitFor, type TestServer } from '../helpers/servers';

const tick = (at: number): Tick => ({ at, gpus: [], removedGpus: [], targets: [], removedTargets: [] });

interface Stream {
  res: ServerResponse;
  url: string;
  auth: string | undefined;
  closed: boolean;
}

describe('http bridge tick events', () => {
  let server: TestServer;
  let base: string;
  const streams: Stream[] = [];
  const posts: Array<{ url: string; body: unknown; auth: string | undefined }> = [];
  /** Listeners still subscribed at the end of a test: unsubscribed first, so no stream outlives it. */
  const offs: Array<() => void> = [];

  beforeEach(async () => {
    streams.length = 0;
    posts.length = 0;
    server = await startServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/api/events')) {
        const stream: Stream = { res, url: req.url, auth: req.headers.authorization, closed: false };
        streams.push(stream);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`: connected\n\nevent: hello\ndata: ${JSON.stringify({ stream: `s-${streams.length}` })}\n\n`);
        res.on('close', () => (stream.closed = true));
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts.push({ url: req.url!, body: JSON.parse(body), auth: req.headers.authorization });
        res.end('{"result":null}');
      });
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    for (const off of offs.splice(0)) off();
    vi.restoreAllMocks();
    await server.close();
  });

  /** Writes an event in pieces, split inside the data, as a network may deliver it. */
  const send = (stream: Stream, type: string, data: unknown) => {
    const text = `event: ${type}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`;
    const cut = Math.floor(text.length / 2);
    stream.res.write(text.slice(0, cut));
    setTimeout(() => stream.res.write(text.slice(cut)), 20);
  };

  it('shares one stream among all listeners, decodes its ticks, and closes it with the last listener', async () => {
    const api = createHttpBridge(base, 'tok');
    const a: number[] = [];
    const b: Tick[] = [];
    const offA = api.onTick((t) => a.push(t.at));
    const offB = api.onTick((t) => {
      b.push(t);
      throw new Error('a broken view');
    });
    const offC = api.onTick((t) => a.push(t.at * 10));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    await waitFor('the stream', () => streams[0]);
    expect(streams).toHaveLength(1);
    expect(streams[0]!.url).toBe('/api/events?delta=1');
    expect(streams[0]!.auth).toBe('Bearer tok');

    // The server's side of the delta codec: the second tick sends the GPU as its number.
    const encode = createTickEncoder();
    const gpu = { key: 'n/GPU-1', node: 'n', realUtil: 10, readings: { powerWatts: 100, fbTotalBytes: 80e9 } };
    send(streams[0]!, 'tick', encode({ ...tick(1), gpus: [gpu as never] }));
    await waitFor('the first tick', () => b.length === 1);
    send(streams[0]!, 'tick', encode({ ...tick(2), gpus: [{ ...gpu, realUtil: 20, readings: { powerWatts: 200, fbTotalBytes: 80e9 } } as never] }));
    await waitFor('the second tick', () => b.length === 2);
    expect(a).toEqual([1, 10, 2, 20]);
    expect(b[1]!.gpus).toEqual([{ key: 'n/GPU-1', node: 'n', realUtil: 20, readings: { powerWatts: 200, fbTotalBytes: 80e9 } }]);
    expect(errors).toHaveBeenCalledTimes(2);

    offA();
    offB();
    await new Promise((r) => setTimeout(r, 100));
    expect(streams[0]!.closed).toBe(false);
    offC();
    await waitFor('the stream closed', () => streams[0]!.closed);
    offs.push(api.onTick(() => {}));
    await waitFor('a second stream', () => streams[1]);
  });

  it('posts the watched GPUs once the stream is named, and again to the new name after a reconnect', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = createHttpBridge(base, 'tok');
    offs.push(api.onTick(() => {}));
    api.watchGpus(['n/GPU-1']);
    await waitFor('the watch', () => posts.length === 1);
    expect(posts).toEqual([{ url: HTTP_WATCH_PATH, body: { stream: 's-1', keys: ['n/GPU-1'] }, auth: 'Bearer tok' }]);
    api.watchGpus(['n/GPU-2']);
    await waitFor('the second watch', () => posts.length === 2);
    expect(posts.at(-1)!.body).toEqual({ stream: 's-1', keys: ['n/GPU-2'] });
    // The server restarted: the stream ends, the bridge connects again and watches on the new stream.
    streams[0]!.res.end();
    await waitFor('the watch on the new stream', () => posts.length === 3);
    expect(streams).toHaveLength(2);
    expect(posts.at(-1)!.body).toEqual({ stream: 's-2', keys: ['n/GPU-2'] });
  });
});
