// serve mode's `/api/events` over a real loopback socket: each page's stream names itself in a
// `hello` event, carries summary rows for every GPU and full snapshots only for the GPUs that
// page watches through POST /api/watch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { makeTargetConfig } from '../../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { startHttpAdapter, type RunningHttpAdapter } from '../../src/main/server/http-adapter';
import { HTTP_WATCH_PATH, type Tick } from '../../src/shared/api';
import { SUMMARY_READINGS } from '../../src/shared/gpu';
import { createTickDecoder, ROW_NUMBER } from '../../src/shared/tick-delta';
import { waitFor } from '../helpers/servers';

const TOKEN = 'event-stream-token';

/** Reads one SSE connection into a list of events as they arrive. */
class EventReader {
  readonly events: Array<{ event: string; data: any }> = [];
  private readonly abort = new AbortController();
  private constructor() {}

  static async open(url: string): Promise<EventReader> {
    const reader = new EventReader();
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` }, signal: reader.abort.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    void reader.pump(res.body!.getReader());
    return reader;
  }

  private async pump(body: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await body.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    }
  }

  ticks(from = 0): Tick[] {
    return this.events.slice(from).filter((e) => e.event === 'tick').map((e) => e.data as Tick);
  }

  close(): void {
    this.abort.abort();
  }
}

describe('serve mode event streams', () => {
  let demo: Awaited<ReturnType<typeof startDemoExporter>>;
  let service: PulseService;
  let http: RunningHttpAdapter;

  beforeAll(async () => {
    demo = await startDemoExporter({ port: 0, gpus: 8, hostname: 'sse-node', seed: 5 });
    const settings = defaultSettings();
    settings.targets = [makeTargetConfig({ id: 'demo', url: demo.url, intervalMs: 1000 })];
    service = new PulseService({ mode: 'serve', version: 'test', settings: memorySettingsStore(settings), demo: 'off', tickBatchMs: 50 });
    await service.start();
    http = await startHttpAdapter({ service, host: '127.0.0.1', port: 0, rendererDir: mkdtempSync(join(tmpdir(), 'gpu-pulse-sse-')), token: TOKEN });
    await waitFor('8 GPUs', async () => ((await service.getGpus()).length === 8 ? true : undefined));
  });

  afterAll(async () => {
    await http?.close();
    await service?.stop();
    await demo?.close();
  });

  const watch = (body: unknown, token = TOKEN) =>
    fetch(http.url + HTTP_WATCH_PATH, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('names the stream, then sends summary rows until the page watches a GPU, then that GPU in full', async () => {
    const page = await EventReader.open(`${http.url}/api/events`);
    try {
      const hello = await waitFor('hello', () => page.events[0]);
      expect(hello.event).toBe('hello');
      expect(hello.data.stream).toMatch(/^[0-9a-f-]{36}$/);

      const first = await waitFor('a tick with GPUs', () => page.ticks().find((t) => t.gpus.length > 0));
      for (const gpu of first.gpus) {
        expect(gpu.detail).toBe('summary');
        expect(Object.keys(gpu.readings).every((f) => (SUMMARY_READINGS as readonly string[]).includes(f))).toBe(true);
        expect(typeof gpu.readings.powerWatts).toBe('number');
      }

      const key = first.gpus[0]!.key;
      const mark = page.events.length;
      const res = await watch({ stream: hello.data.stream, keys: [key] });
      expect(res.status).toBe(200);
      // At once, before the GPU's next scrape: the full snapshot, with readings a summary leaves out.
      // (A tick already on its way may still carry the GPU as a summary row.)
      const fullAt = await waitFor('full snapshot', () => {
        const i = page.events.findIndex((e, n) => n >= mark && e.event === 'tick' && (e.data as Tick).gpus.some((g) => g.key === key && g.detail === undefined));
        return i >= 0 ? i : undefined;
      });
      const full = (page.events[fullAt]!.data as Tick).gpus.find((g) => g.key === key)!;
      expect(Object.keys(full.readings).length).toBeGreaterThan(SUMMARY_READINGS.length);
      expect(full.readings.smClockHz).toBeTypeOf('number');

      // From then on: the watched GPU in full, the other seven as summaries.
      const next = await waitFor('a later scrape', () => page.ticks(fullAt + 1).find((t) => t.gpus.some((g) => g.key === key && g.observedAt > full.observedAt)));
      expect(next.gpus.length).toBeGreaterThan(1);
      for (const gpu of next.gpus) expect(gpu.detail).toBe(gpu.key === key ? undefined : 'summary');
    } finally {
      page.close();
    }
  });

  it('keeps each page to its own watch', async () => {
    const [a, b] = await Promise.all([EventReader.open(`${http.url}/api/events`), EventReader.open(`${http.url}/api/events`)]);
    try {
      const idA = (await waitFor('hello a', () => a.events[0])).data.stream;
      const idB = (await waitFor('hello b', () => b.events[0])).data.stream;
      expect(idA).not.toBe(idB);
      const key = (await service.getGpus())[3]!.key;
      expect((await watch({ stream: idA, keys: [key] })).status).toBe(200);
      const markA = a.events.length;
      const markB = b.events.length;
      const seen = (reader: EventReader, mark: number) => reader.ticks(mark).flatMap((t) => t.gpus).filter((g) => g.key === key);
      await waitFor('a scrape of the GPU on both pages', () => (seen(a, markA).length > 0 && seen(b, markB).length > 0 ? true : undefined));
      expect(seen(a, markA).every((g) => g.detail === undefined)).toBe(true);
      expect(seen(b, markB).every((g) => g.detail === 'summary')).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('sends rows as changes with ?delta=1, which decode to what the plain stream sends, watched GPU included', async () => {
    const [plain, delta] = await Promise.all([EventReader.open(`${http.url}/api/events`), EventReader.open(`${http.url}/api/events?delta=1`)]);
    try {
      const id = (await waitFor('hello', () => delta.events[0])).data.stream;
      await waitFor('hello plain', () => plain.events[0]);
      const key = (await service.getGpus())[2]!.key;
      expect((await watch({ stream: id, keys: [key] })).status).toBe(200);
      expect((await watch({ stream: (plain.events[0]!.data as { stream: string }).stream, keys: [key] })).status).toBe(200);
      // Three scrapes of every GPU after both streams opened: the later ones go as deltas.
      const ticks = await waitFor('three scrapes on both', () => {
        const d = delta.ticks();
        const p = plain.ticks();
        // Delta rows name their GPU by number: count on the decoded ticks.
        const decodeAll = createTickDecoder();
        const scrapes = (ts: Tick[]) => ts.filter((t) => t.gpus.some((g) => g.key === key)).length;
        return scrapes(d.map(decodeAll)) >= 4 && scrapes(p) >= 4 ? { d, p } : undefined;
      });
      const decode = createTickDecoder();
      // Both streams get the service's ticks (matched by their time); each also got its own tick
      // with the newly watched GPU. The delta stream must decode to exactly what the plain one
      // carries (as JSON: no undefined members).
      const decoded = ticks.d.map(decode);
      const byAt = new Map(ticks.p.map((t) => [t.at, t]));
      const pairs = decoded.filter((t) => byAt.has(t.at) && t.gpus.length > 0);
      expect(pairs.length).toBeGreaterThan(2);
      for (const t of pairs) expect(t).toEqual(byAt.get(t.at));
      const rows = ticks.d.flatMap((t) => t.gpus) as unknown as Array<Record<string, unknown>>;
      expect(rows.some((r) => ROW_NUMBER in r)).toBe(true);
      expect(rows.filter((r) => ROW_NUMBER in r).every((r) => !('key' in r) && !('node' in r) && !('model' in r))).toBe(true);
      const bytes = (ts: Tick[]) => ts.slice(-2).reduce((n, t) => n + JSON.stringify(t).length, 0);
      expect(bytes(pairs.map((t) => ticks.d[decoded.indexOf(t)]!))).toBeLessThan(bytes(pairs.map((t) => byAt.get(t.at)!)));
    } finally {
      plain.close();
      delta.close();
    }
  });

  it('rejects a watch for an unknown or closed stream, malformed keys, bad JSON and a missing token, with the reason', async () => {
    const unknown = await watch({ stream: 'no-such-stream', keys: [] });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/no open event stream/);

    const page = await EventReader.open(`${http.url}/api/events`);
    const id = (await waitFor('hello', () => page.events[0])).data.stream;
    const notArray = await watch({ stream: id, keys: 'sse-node/GPU-0' });
    expect(notArray.status).toBe(400);
    expect((await notArray.json()).error).toMatch(/invalid arguments for watchGpus/);
    const tooMany = await watch({ stream: id, keys: Array.from({ length: 10_001 }, (_, i) => `k${i}`) });
    expect(tooMany.status).toBe(400);
    const badJson = await watch('{"stream":');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error).toMatch(/not JSON/);
    const huge = await watch({ stream: id, keys: ['x'.repeat(1 << 20)] });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toBe('request body larger than 1048576 bytes');
    expect((await watch({ stream: id, keys: [] }, 'wrong-token')).status).toBe(401);
    expect((await fetch(http.url + HTTP_WATCH_PATH)).status).toBe(401);

    page.close();
    // Closing the page's connection ends its stream on the server.
    await waitFor('stream gone', async () => ((await watch({ stream: id, keys: [] })).status === 404 ? true : undefined), 5_000);
  });
});
