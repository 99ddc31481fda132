// `gpu-pulse serve --target URL` through the built CLI: the target is up in /api/targets within
// one interval and /api/gpus lists its GPUs with real utilization numbers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { startCli, type RunningCli } from '../helpers/cli';
import { waitFor } from '../helpers/servers';

describe('gpu-pulse serve --target', () => {
  let demo: Awaited<ReturnType<typeof startDemoExporter>>;
  let serve: RunningCli;
  let startedAt: number;

  beforeAll(async () => {
    demo = await startDemoExporter({ port: 0, gpus: 8, hostname: 'serve-node', seed: 3 });
    startedAt = Date.now();
    serve = await startCli(['serve', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-serve-')), '--target', demo.url, '--token', 'test-token-123']);
  });

  afterAll(async () => {
    await serve?.stop();
    await demo?.close();
  });

  const get = async (path: string, token: string | null = 'test-token-123') => {
    const res = await fetch(serve.urls[0]! + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('lists the target as up within one interval (15 s)', async () => {
    const targets = await waitFor('target up', async () => {
      const { body } = await get('/api/targets');
      return body[0]?.state === 'up' ? body : undefined;
    }, 15_000);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ url: demo.url, state: 'up', gpuCount: 8, lastError: null });
    expect(typeof targets[0].lastScrapeAt).toBe('number');
  });

  it('returns the GPUs with realUtil numbers and the documented fields', async () => {
    const { body: gpus } = await get('/api/gpus');
    expect(gpus).toHaveLength(8);
    for (const gpu of gpus) {
      expect(Object.keys(gpu)).toEqual(expect.arrayContaining(['key', 'node', 'uuid', 'gpuIndex', 'migInstance', 'model', 'realUtil', 'readings', 'realUtilMissing', 'class', 'health', 'attribution']));
      expect(gpu.node).toBe('serve-node');
      expect(gpu.migInstance).toBeNull();
      expect(typeof gpu.realUtil).toBe('number');
      expect(typeof gpu.readings.powerWatts).toBe('number');
    }
  });

  it('requires the token for the API when one is set', async () => {
    expect((await get('/api/targets', null)).status).toBe(401);
    expect((await get('/api/targets', 'wrong')).status).toBe(401);
  });

  it('rejects malformed API calls with a 400 and the reason', async () => {
    const res = await fetch(serve.urls[0]! + '/api/call/addTarget', { method: 'POST', headers: { authorization: 'Bearer test-token-123', 'content-type': 'application/json' }, body: JSON.stringify([{ url: 'file:///etc/passwd' }]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/invalid arguments for addTarget at 0\.url/);
  });
});
