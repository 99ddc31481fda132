// Discovery from a real Prometheus (Debian's, on loopback, behind basic auth like a production
// server) with two scrape jobs: two demo dcgm-exporters in job `dcgm`, and an exporter without
// GPU metrics in job `node`. Only the dcgm exporters are adopted, whether the job is named or
// found by probing, and a target removed from the Prometheus configuration leaves the list after
// the server reloads it.
import bcrypt from 'bcryptjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { discoverFromPrometheus, type PrometheusDiscovery } from '../../src/main/core/fleet/prometheus-discovery';
import type { TargetConfig } from '../../src/main/core/fleet/target-config';
import type { SourceInfo, TargetInfo } from '../../src/shared/api';
import { startCli } from '../helpers/cli';
import { startServer, waitFor, type TestServer } from '../helpers/servers';
import { startPrometheus, type PrometheusHandle } from './support';

const USER = 'pulse';
const PASSWORD = 'discovery-secret';
const auth = { kind: 'basic' as const, username: USER, password: PASSWORD };
const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

describe('discoverFromPrometheus', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let other: TestServer;
  let prometheus: PrometheusHandle;
  const open: PrometheusDiscovery[] = [];

  const config = (dcgmTargets: string[]) => ({
    global: { scrape_interval: '1s' },
    scrape_configs: [
      { job_name: 'dcgm', static_configs: [{ targets: dcgmTargets }] },
      { job_name: 'node', static_configs: [{ targets: [new URL(other.url).host] }] },
    ],
  });

  beforeAll(async () => {
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 2, hostname: `disc-node-${i}`, seed: i }));
    other = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('# TYPE node_load1 gauge\nnode_load1 0.5\n');
    });
    prometheus = await startPrometheus({
      config: config(exporters.map((e) => new URL(e.url).host)),
      files: { 'web.yml': `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(PASSWORD, 4)}\n` },
      args: ['--web.config.file=$DIR/web.yml'],
      authorization,
    });
    // Prometheus lists its targets a moment after it is ready (discovery runs on its own clock).
    await waitFor('Prometheus to list its three targets', async () => {
      const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`, { headers: { authorization } });
      const body = (await res.json()) as { data: { activeTargets: unknown[] } };
      return body.data.activeTargets.length === 3;
    }, 30_000);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(open.map((d) => d.close()));
    await prometheus?.close();
    await other?.close();
    await Promise.all(exporters.map((e) => e.close()));
  });

  function discover(job: string | undefined, lists: TargetConfig[][], withAuth = true): PrometheusDiscovery {
    const discovery = discoverFromPrometheus({
      baseUrl: prometheus.url,
      job,
      auth: withAuth ? auth : undefined,
      defaults: { intervalMs: 2_000 },
      refreshMs: 500,
      onTargets: (targets) => lists.push(targets),
    });
    open.push(discovery);
    return discovery;
  }

  const exporterUrls = () => exporters.map((e) => e.url).sort();

  it('adopts the active targets of the named job, at its own interval', async () => {
    const lists: TargetConfig[][] = [];
    const discovery = discover('dcgm', lists);
    const status = await discovery.refresh();
    expect(status).toMatchObject({ targetCount: 2, lastError: null });
    expect(lists).toHaveLength(1);
    expect(lists[0]!.map((t) => t.url)).toEqual(exporterUrls());
    expect(lists[0]!.map((t) => [t.name, t.group, t.intervalMs])).toEqual(exporters.map((e) => [new URL(e.url).host, 'dcgm', 2_000]).sort());
  });

  it('without a job, adopts only the targets whose scrape URL serves DCGM metrics', async () => {
    const lists: TargetConfig[][] = [];
    const discovery = discover(undefined, lists);
    await discovery.refresh();
    expect(lists[0]!.map((t) => t.url)).toEqual(exporterUrls());
    expect(lists[0]!.some((t) => t.url === other.url)).toBe(false);
  });

  it('says which jobs exist when the named job has no target', async () => {
    const status = await discover('dcgm-typo', []).refresh();
    expect(status.targetCount).toBe(0);
    expect(status.lastError).toMatch(/no active target in scrape job "dcgm-typo" \(its jobs: dcgm, node\)/);
  });

  it('reports the refused credentials and adopts nothing without them', async () => {
    const lists: TargetConfig[][] = [];
    const status = await discover('dcgm', lists, false).refresh();
    expect(status.lastError).toMatch(/HTTP 401/);
    expect(status.lastLoadAt).toBeNull();
    expect(lists).toHaveLength(0);
  });

  it('gpu-pulse serve --discover-prometheus with credentials from a file scrapes the dcgm job directly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-discover-cli-'));
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${PASSWORD}\n`);
    const serve = await startCli(['serve', '--port', '0', '--config-dir', join(dir, 'config'), '--interval', '1', '--discover-prometheus', prometheus.url, '--discover-job', 'dcgm', '--discover-username', USER, '--discover-password-file', passwordFile]);
    try {
      const get = async <T>(path: string): Promise<T> => (await (await fetch(serve.urls[0]! + path)).json()) as T;
      const targets = await waitFor('both exporters up', async () => {
        const list = await get<TargetInfo[]>('/api/targets');
        return list.length === 2 && list.every((t) => t.state === 'up') ? list : undefined;
      });
      expect(targets.map((t) => t.url).sort()).toEqual(exporterUrls());
      const sources = await get<SourceInfo[]>('/api/sources');
      expect(sources).toEqual([expect.objectContaining({ kind: 'prometheus-discovery', location: prometheus.url, detail: 'dcgm', targetCount: 2, lastError: null })]);
    } finally {
      await serve.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('follows a target removed from the Prometheus configuration after a reload', async () => {
    const byJob: TargetConfig[][] = [];
    const byProbe: TargetConfig[][] = [];
    await discover('dcgm', byJob).refresh();
    await discover(undefined, byProbe).refresh();
    const [kept, removed] = exporters;
    await prometheus.reload(config([new URL(kept!.url).host]));
    await waitFor('the job list without the removed exporter', () => byJob.length === 2, 30_000);
    expect(byJob[1]!.map((t) => t.url)).toEqual([kept!.url]);
    await waitFor('the probed list without the removed exporter', () => byProbe.length === 2, 30_000);
    expect(byProbe[1]!.map((t) => t.url)).toEqual([kept!.url]);
    expect(byProbe[1]!.map((t) => t.url)).not.toContain(removed!.url);
  }, 40_000);
});
