// Discovery against servers that are not a well-behaved Prometheus, on loopback: a targets API
// that lists more targets than GPU Pulse adopts, and an address that is no Prometheus at all.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DISCOVERED_TARGETS, discoverFromPrometheus, type PrometheusDiscovery } from '../../src/main/core/fleet/prometheus-discovery';
import type { TargetConfig } from '../../src/main/core/fleet/target-config';
import { startServer, type TestServer } from '../helpers/servers';

let server: TestServer | null = null;
let discovery: PrometheusDiscovery | null = null;

afterEach(async () => {
  await discovery?.close();
  await server?.close();
  discovery = null;
  server = null;
});

describe('discoverFromPrometheus limits', () => {
  it(`adopts at most ${MAX_DISCOVERED_TARGETS} targets of a job and says the list was cut`, async () => {
    const activeTargets = Array.from({ length: MAX_DISCOVERED_TARGETS + 5 }, (_, i) => ({
      scrapePool: 'dcgm',
      scrapeUrl: `http://10.0.${Math.floor(i / 250)}.${i % 250}:9400/metrics`,
      labels: { job: 'dcgm', instance: `10.0.${Math.floor(i / 250)}.${i % 250}:9400` },
    }));
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { activeTargets, droppedTargets: [] } }));
    });
    const lists: TargetConfig[][] = [];
    discovery = discoverFromPrometheus({ baseUrl: `http://127.0.0.1:${server.port}`, job: 'dcgm', onTargets: (t) => lists.push(t) });
    const status = await discovery.refresh();
    expect(lists[0]).toHaveLength(MAX_DISCOVERED_TARGETS);
    expect(status.targetCount).toBe(MAX_DISCOVERED_TARGETS);
    expect(status.lastError).toMatch(new RegExp(`lists ${MAX_DISCOVERED_TARGETS + 5} targets in job "dcgm"; only the first ${MAX_DISCOVERED_TARGETS} are adopted`));
  });

  it('reports an address that is not a Prometheus targets API and adopts nothing', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { result: [] } }));
    });
    const lists: TargetConfig[][] = [];
    discovery = discoverFromPrometheus({ baseUrl: `http://127.0.0.1:${server.port}`, onTargets: (t) => lists.push(t) });
    const status = await discovery.refresh();
    expect(status.lastError).toMatch(/answered without an activeTargets list/);
    expect(lists).toEqual([]);
  });
});
