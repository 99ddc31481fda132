import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_FIELDS, startDemoExporter, startDemoFleet } from '../../src/main/core/sources/demo';
import { byNameAndGpu, label, sampleLines } from './helpers';

function rawGet(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startDemoExporter over real HTTP', () => {
  let exp: Awaited<ReturnType<typeof startDemoExporter>>;
  beforeAll(async () => {
    exp = await startDemoExporter({ port: 0, gpus: 8, hostname: 'http-node', seed: 21 });
  });
  afterAll(async () => {
    await exp?.close();
  });

  it('listens on 127.0.0.1 on the real port it reports', () => {
    expect(exp.port).toBeGreaterThan(0);
    expect(exp.url).toBe(`http://127.0.0.1:${exp.port}/metrics`);
    expect(exp.hostname).toBe('http-node');
  });

  it('serves /metrics like the Go exporter: 200, text/plain utf-8, chunked', async () => {
    const res = await rawGet(exp.url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-encoding']).toBeUndefined();
    const lines = sampleLines(res.body);
    expect(lines).toHaveLength(DEMO_FIELDS.length * 8);
    expect(new Set(lines.map((l) => label(l, 'Hostname')))).toEqual(new Set(['http-node']));
  });

  it('answers /health with OK and unknown paths with 404', async () => {
    const health = await rawGet(exp.url.replace('/metrics', '/health'));
    expect(health.status).toBe(200);
    expect(health.body).toBe('OK');
    const missing = await rawGet(exp.url.replace('/metrics', '/nope'));
    expect(missing.status).toBe(404);
  });

  it('shows moving values across scrapes a little over a second apart', async () => {
    const a = byNameAndGpu((await rawGet(exp.url)).body);
    await sleep(1100);
    const b = byNameAndGpu((await rawGet(exp.url)).body);
    const pa = a.get('DCGM_FI_DEV_POWER_USAGE')!;
    const pb = b.get('DCGM_FI_DEV_POWER_USAGE')!;
    let changed = 0;
    for (const [g, v] of pa) if (pb.get(g) !== v) changed++;
    expect(changed).toBe(8);
    // Energy only moves forward.
    for (const [g, v] of a.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!) {
      expect(b.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.get(g)!).toBeGreaterThan(v);
    }
  });

  it('serves concurrent scrapes the same cached body within one collect tick', async () => {
    const slow = await startDemoExporter({ port: 0, collectIntervalMs: 60_000 });
    try {
      const bodies = await Promise.all(Array.from({ length: 5 }, () => rawGet(slow.url)));
      expect(new Set(bodies.map((b) => b.body)).size).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe('startDemoFleet', () => {
  it('runs N exporters with distinct hostnames, ports and UUIDs, and closes them all', async () => {
    const fleet = await startDemoFleet({ instances: 5, basePort: 0, gpus: 4, seed: 3 });
    let closed = false;
    try {
      expect(fleet.exporters.map((e) => e.hostname)).toEqual(['demo-node-1', 'demo-node-2', 'demo-node-3', 'demo-node-4', 'demo-node-5']);
      expect(new Set(fleet.exporters.map((e) => e.port)).size).toBe(5);
      const uuids = new Set<string>();
      for (const e of fleet.exporters) {
        expect(e.url).toBe(`http://127.0.0.1:${e.port}/metrics`);
        const lines = sampleLines((await rawGet(e.url)).body);
        expect(lines).toHaveLength(DEMO_FIELDS.length * 4);
        expect(new Set(lines.map((l) => label(l, 'Hostname')))).toEqual(new Set([e.hostname]));
        for (const l of lines) uuids.add(label(l, 'UUID')!);
      }
      expect(uuids.size).toBe(20);
      await fleet.close();
      closed = true;
      await expect(rawGet(fleet.exporters[0].url)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (!closed) await fleet.close();
    }
  });

  it('uses consecutive ports from a base port, and fails whole when one port is taken', async () => {
    const blocker = await startDemoExporter({ port: 0 });
    try {
      // Ask for a range that includes the taken port: nothing may be left listening.
      const base = blocker.port - 1;
      await expect(startDemoFleet({ instances: 3, basePort: base })).rejects.toThrow(/EADDRINUSE/);
      await expect(rawGet(`http://127.0.0.1:${base}/health`)).rejects.toThrow();
    } finally {
      await blocker.close();
    }
  });
});
