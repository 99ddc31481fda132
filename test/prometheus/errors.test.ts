// Failure states of the Prometheus source against real servers: Prometheus' own basic auth
// (--web.config.file) and sample limit (--query.max-samples), a port with nothing listening,
// and an address that serves something other than the Prometheus API.
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoExporter, type DemoExporterHandle } from '../../src/main/core/sources/demo';
import { createPrometheusSource, type PrometheusPollResult, type PrometheusSource } from '../../src/main/core/sources/prometheus/source';
import { refusedUrl, waitFor } from '../helpers/servers';
import { requirePrometheus, startPrometheus, type PrometheusHandle } from './support';

const USER = 'pulse';
const PASSWORD = 'correct horse battery staple';

describe('Prometheus source failures', () => {
  let exporter: DemoExporterHandle;
  let prometheus: PrometheusHandle;
  const sources: PrometheusSource[] = [];
  const open = (cfg: Parameters<typeof createPrometheusSource>[0]) => {
    const s = createPrometheusSource(cfg);
    sources.push(s);
    return s;
  };
  const basic = (password: string) => ({ kind: 'basic' as const, username: USER, password });

  beforeAll(async () => {
    requirePrometheus();
    exporter = await startDemoExporter({ port: 0, gpus: 8, hostname: 'limited-node', seed: 3 });
    prometheus = await startPrometheus({
      config: {
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: [new URL(exporter.url).host] }] }],
      },
      files: { 'web.yml': `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(PASSWORD, 4)}\n` },
      // 8 GPUs give 8 samples per family: any query of this source loads more than 4.
      args: ['--web.config.file=$DIR/web.yml', '--query.max-samples=4'],
      authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    });
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await prometheus?.close();
    await exporter?.close();
  });

  it('reports a missing password as unauthorized', async () => {
    const poll = await open({ baseUrl: prometheus.url }).poll();
    expect(poll).toMatchObject({ ok: false, state: 'unauthorized', status: 401 });
    if (poll.ok) return;
    expect(poll.message).toContain(`${prometheus.url}/api/v1/label/__name__/values answered HTTP 401 Unauthorized`);
    expect(poll.message).toContain('Basic authentication');
    expect(poll.remedy).toMatch(/credentials/);
  });

  it('reports a wrong password as unauthorized', async () => {
    const poll = await open({ baseUrl: prometheus.url, auth: basic('wrong') }).poll();
    expect(poll).toMatchObject({ ok: false, state: 'unauthorized', status: 401 });
  });

  it('reports a query over --query.max-samples as too large, naming the query', async () => {
    const source = open({ baseUrl: prometheus.url, auth: basic(PASSWORD) });
    // The right password gets past auth; once series exist, every query exceeds the limit.
    const poll = await waitFor<PrometheusPollResult>(
      'a limited query',
      async () => {
        const r = await source.poll();
        return r.ok ? undefined : r;
      },
      20_000,
      500,
    );
    expect(poll).toMatchObject({ ok: false, state: 'too-large', status: 422 });
    if (poll.ok) return;
    expect(poll.query).toMatch(/DCGM_FI_/);
    expect(poll.message).toContain(`refused to execute ${poll.query} (HTTP 422 Unprocessable Entity)`);
    expect(poll.message).toContain('--query.max-samples');
    expect(poll.remedy).toMatch(/narrow the selector/);
  });

  it('reports a server that is not running as down', async () => {
    const url = new URL(await refusedUrl()).origin;
    const poll = await open({ baseUrl: url, timeoutMs: 2_000 }).poll();
    expect(poll).toMatchObject({ ok: false, state: 'down' });
    if (!poll.ok) expect(poll.message).toMatch(/ECONNREFUSED/);
  });

  it('reports an exporter given as the server as having no Prometheus API', async () => {
    const poll = await open({ baseUrl: new URL(exporter.url).origin }).poll();
    expect(poll).toMatchObject({ ok: false, state: 'down', status: 404 });
    if (!poll.ok) {
      expect(poll.message).toContain('no Prometheus HTTP API at this address');
      expect(poll.remedy).toMatch(/base URL/);
    }
  });
});
