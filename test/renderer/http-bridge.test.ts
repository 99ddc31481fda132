// The serve-mode bridge's tick events: one EventSource per page however many views listen, and
// the watched GPUs posted to whichever stream the server last named (first hello, reconnects).
// EventSource and fetch are browser APIs Node lacks here; the e2e suite drives the real ones.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpBridge } from '../../src/renderer/src/api/http-bridge';
import { HTTP_WATCH_PATH, type Tick } from '../../src/shared/api';

class FakeEventSource {
  static opened: FakeEventSource[] = [];
  closed = false;
  private readonly handlers = new Map<string, Array<(e: { data: string }) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
  }
  fire(type: string, data: unknown) {
    for (const fn of this.handlers.get(type) ?? []) fn({ data: JSON.stringify(data) });
  }
}

const tick = (at: number): Tick => ({ at, gpus: [], removedGpus: [], targets: [], removedTargets: [] });

describe('http bridge tick events', () => {
  const posts: Array<{ url: string; body: unknown; auth: string | undefined }> = [];
  beforeEach(() => {
    FakeEventSource.opened = [];
    posts.length = 0;
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.stubGlobal('fetch', async (url: string, init: { body: string; headers: Record<string, string> }) => {
      posts.push({ url, body: JSON.parse(init.body), auth: init.headers.authorization });
      return new Response('{"result":null}');
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shares one EventSource among all listeners and closes it with the last', () => {
    const api = createHttpBridge('http://127.0.0.1:1', 'tok');
    const a: number[] = [];
    const b: number[] = [];
    const offA = api.onTick((t) => a.push(t.at));
    const offB = api.onTick((t) => {
      b.push(t.at);
      throw new Error('a broken view');
    });
    const offC = api.onTick((t) => a.push(t.at * 10));
    expect(FakeEventSource.opened).toHaveLength(1);
    expect(FakeEventSource.opened[0]!.url).toBe('http://127.0.0.1:1/api/events?token=tok&delta=1');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    FakeEventSource.opened[0]!.fire('tick', tick(1));
    expect(a).toEqual([1, 10]);
    expect(b).toEqual([1]);
    offA();
    offB();
    expect(FakeEventSource.opened[0]!.closed).toBe(false);
    offC();
    expect(FakeEventSource.opened[0]!.closed).toBe(true);
    api.onTick(() => {});
    expect(FakeEventSource.opened).toHaveLength(2);
  });

  it('posts the watched GPUs once the stream is named, and again to the new name after a reconnect', async () => {
    const api = createHttpBridge('', 'tok');
    api.onTick(() => {});
    api.watchGpus(['n/GPU-1']);
    expect(posts).toHaveLength(0);
    const source = FakeEventSource.opened[0]!;
    source.fire('hello', { stream: 's-1' });
    expect(posts).toEqual([{ url: HTTP_WATCH_PATH, body: { stream: 's-1', keys: ['n/GPU-1'] }, auth: 'Bearer tok' }]);
    api.watchGpus(['n/GPU-2']);
    expect(posts.at(-1)!.body).toEqual({ stream: 's-1', keys: ['n/GPU-2'] });
    // The browser reconnected after a server restart: a new stream, watched again.
    source.fire('hello', { stream: 's-2' });
    expect(posts.at(-1)!.body).toEqual({ stream: 's-2', keys: ['n/GPU-2'] });
    expect(posts).toHaveLength(3);
  });
});
