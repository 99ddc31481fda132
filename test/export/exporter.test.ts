// `gpu-pulse exporter` against real peers: three demo dcgm-exporters in, promtool and a real
// Prometheus server out, plain and behind a web-config file with TLS, client certificates and
// bcrypt basic auth.
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { hashSync } from 'bcryptjs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/main/core/exposition';
import { loadTargets, startExporter, type RunningExporter } from '../../src/main/cli/headless';
import { loadWebConfig } from '../../src/main/core/export/web-config';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';
import { makeCertificates, promQuery, runPromtool, spawnCommand, startPrometheus, tempDir, type RunningPeer, type TestCertificates } from './support/peers';

const OM = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

let fleet: DemoFleetHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let plain: RunningExporter;
let secured: RunningExporter;
let certs: TestCertificates;
let prometheus: RunningPeer;
let demoGpuCount = 0;
const PASSWORD = 'scrape-me';

beforeAll(async () => {
  dir = await tempDir('exporter');
  fleet = await startDemoFleet({ instances: 3, basePort: 0, gpus: 8 });
  const targets = await loadTargets({ urls: fleet.exporters.map((e) => e.url), intervalMs: 1000 });
  plain = await startExporter({ targets, host: '127.0.0.1', port: 0, version: 'test' });

  certs = await makeCertificates(dir.path);
  const webConfigFile = join(dir.path, 'web.yml');
  // Relative paths: the file's own directory is the base, as in exporter-toolkit.
  await writeFile(webConfigFile, `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hashSync(PASSWORD, 10)}\n`);
  secured = await startExporter({ targets, host: '127.0.0.1', port: 0, version: 'test', webConfig: await loadWebConfig(webConfigFile) });

  demoGpuCount = await waitUntil('every demo GPU to be scraped', async () => {
    const gpus = await plain.service.getGpus();
    return gpus.length === 24 && gpus.every((g) => g.realUtil !== null) && gpus.length;
  });
  await writeFile(join(dir.path, 'password'), PASSWORD);
  prometheus = await startPrometheus({
    dir: dir.path,
    config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gpu-pulse
    static_configs:
      - targets: ['${new URL(plain.url).host}']
  - job_name: gpu-pulse-tls
    scheme: https
    tls_config:
      ca_file: ${certs.caCert}
    basic_auth:
      username: prometheus
      password_file: ${join(dir.path, 'password')}
    static_configs:
      - targets: ['${new URL(secured.url).host}']
`,
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await plain?.close();
  await secured?.close();
  await fleet?.close();
  await dir?.remove();
});

describe('/metrics of gpu-pulse exporter', () => {
  it('serves OpenMetrics 1.0 when Accept asks for it, and it passes promtool and the strict parser', async () => {
    const res = await request(`${plain.url}/metrics`, { headers: { accept: OM } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = await res.body.text();
    expect(text.endsWith('# EOF\n')).toBe(true);
    const parsed = parseExposition(text, { format: 'openmetrics', mode: 'strict' });
    expect(parsed.problems).toEqual([]);
    const util = parsed.families.find((f) => f.name === 'gpu_pulse_real_utilization_ratio')!;
    expect(util.samples).toHaveLength(demoGpuCount);
    expect(util.samples.every((s) => s.value >= 0 && s.value <= 1)).toBe(true);
    expect(parsed.families.map((f) => f.name)).toEqual(
      expect.arrayContaining(['gpu_pulse_workload_class', 'gpu_pulse_health', 'gpu_pulse_gpu_info', 'gpu_pulse_scrape_duration_seconds', 'gpu_pulse_targets']),
    );
    // promtool check metrics lints with text 0.0.4's naming, where a counter's family carries
    // `_total`; OpenMetrics names the family without it, so promtool finds no HELP for the
    // `_total` sample of every OpenMetrics counter. Only that complaint, about a declared
    // counter, is expected; anything else fails.
    const counters = new Set(parsed.families.filter((f) => f.type === 'counter').map((f) => `${f.name}_total`));
    const lint = await runPromtool(['check', 'metrics'], text);
    const complaints = (lint.stdout + lint.stderr).split('\n').filter((line) => line.trim() !== '');
    expect(complaints.filter((line) => !(counters.has(line.split(' ')[0]!) && line.endsWith(' no help text')))).toEqual([]);
    expect(complaints.length === 0 ? lint.code : 0).toBe(0);
  });

  it('serves text 0.0.4 without an OpenMetrics Accept, and it passes promtool and the strict parser', async () => {
    for (const accept of [undefined, 'text/plain;version=0.0.4', '*/*']) {
      const res = await request(`${plain.url}/metrics`, { headers: accept ? { accept } : {} });
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.body.text();
      const parsed = parseExposition(text, { format: 'prometheus', mode: 'strict' });
      expect(parsed.problems).toEqual([]);
      expect(parsed.families.find((f) => f.name === 'gpu_pulse_targets')!.samples.find((s) => s.labels.state === 'up')!.value).toBe(3);
      const lint = await runPromtool(['check', 'metrics'], text);
      expect(lint.code).toBe(0);
    }
  });

  it('gzips when Accept-Encoding allows it', async () => {
    const zipped = await rawGet(`${plain.url}/metrics`, { accept: OM, 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(zipped.body).toString('utf8');
    expect(parseExposition(text, { format: 'openmetrics', mode: 'strict' }).problems).toEqual([]);
    const identity = await rawGet(`${plain.url}/metrics`, { 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString('utf8')).toContain('# TYPE gpu_pulse_health gauge');
  });

  it('has a root page linking to /metrics, a /health endpoint and 404 elsewhere', async () => {
    const root = await request(`${plain.url}/`);
    expect(root.statusCode).toBe(200);
    const html = await root.body.text();
    expect(html).toContain('href="./metrics"');
    expect(html).toContain('3 of 3 sources up, 24 GPUs');
    const health = await request(`${plain.url}/health`);
    expect([health.statusCode, await health.body.text()]).toEqual([200, 'OK\n']);
    const missing = await request(`${plain.url}/nope`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('is scraped by a real Prometheus, which can query gpu_pulse_real_utilization_ratio for every demo GPU', async () => {
    const result = await waitUntil(
      'Prometheus to have every GPU',
      async () => {
        const r = await promQuery(prometheus.url, 'gpu_pulse_real_utilization_ratio{job="gpu-pulse"}');
        return r.length === demoGpuCount && r;
      },
      60_000,
    );
    const uuids = new Set(result.map((s) => s.metric.uuid));
    const expected = new Set((await plain.service.getGpus()).map((g) => g.uuid));
    expect(uuids).toEqual(expected);
    expect(new Set(result.map((s) => s.metric.node))).toEqual(new Set(fleet.exporters.map((e) => e.hostname)));
    const health = await promQuery(prometheus.url, 'count(gpu_pulse_health{job="gpu-pulse"})');
    expect(health[0].value![1]).toBe(String(demoGpuCount));
  });
});

describe('gpu-pulse exporter with a web-config file', () => {
  it('refuses requests without credentials with 401 and WWW-Authenticate: Basic', async () => {
    const ca = await readFile(certs.caCert, 'utf8');
    const dispatcher = new Agent({ connect: { ca } });
    for (const authorization of [undefined, basic('prometheus', 'wrong'), basic('someone', PASSWORD)]) {
      const res = await request(`${secured.url}/metrics`, { dispatcher, headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic');
      await res.body.dump();
    }
    const ok = await request(`${secured.url}/metrics`, { dispatcher, headers: { authorization: basic('prometheus', PASSWORD), accept: OM } });
    expect(ok.statusCode).toBe(200);
    expect(parseExposition(await ok.body.text(), { format: 'openmetrics', mode: 'strict' }).problems).toEqual([]);
    await dispatcher.close();
  });

  it('serves TLS with the configured certificate: verified against its CA, refused without it, no plain HTTP', async () => {
    expect(secured.url.startsWith('https://127.0.0.1:')).toBe(true);
    const ca = await readFile(certs.caCert, 'utf8');
    const verified = new Agent({ connect: { ca } });
    const res = await request(`${secured.url}/health`, { dispatcher: verified, headers: { authorization: basic('prometheus', PASSWORD) } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await verified.close();
    // The default trust store does not know our test CA: the certificate is the configured one.
    await expect(request(`${secured.url}/health`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await expect(request(`${secured.url.replace('https:', 'http:')}/health`)).rejects.toThrow();
  });

  it('is scraped by a real Prometheus over TLS with basic auth', async () => {
    const result = await waitUntil(
      'Prometheus to scrape the TLS exporter',
      async () => {
        const r = await promQuery(prometheus.url, 'gpu_pulse_real_utilization_ratio{job="gpu-pulse-tls"}');
        return r.length === demoGpuCount && r;
      },
      60_000,
    );
    expect(result).toHaveLength(demoGpuCount);
    const up = await promQuery(prometheus.url, 'up{job="gpu-pulse-tls"}');
    expect(up[0].value![1]).toBe('1');
  });

  it('enforces client certificates with RequireAndVerifyClientCert', async () => {
    const file = join(dir.path, 'mtls.yml');
    await writeFile(file, `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n`);
    const targets = await loadTargets({ urls: [fleet.exporters[0].url], intervalMs: 1000 });
    const mtls = await startExporter({ targets, host: '127.0.0.1', port: 0, version: 'test', webConfig: await loadWebConfig(file) });
    try {
      const ca = await readFile(certs.caCert, 'utf8');
      const anonymous = new Agent({ connect: { ca } });
      await expect(request(`${mtls.url}/health`, { dispatcher: anonymous }).then((r) => r.body.text())).rejects.toThrow();
      const withCert = new Agent({ connect: { ca, cert: await readFile(certs.clientCert, 'utf8'), key: await readFile(certs.clientKey, 'utf8') } });
      const res = await request(`${mtls.url}/health`, { dispatcher: withCert });
      expect([res.statusCode, await res.body.text()]).toEqual([200, 'OK\n']);
      await Promise.all([anonymous.close(), withCert.close()]);
    } finally {
      await mtls.close();
    }
  });
});

describe('the gpu-pulse exporter command', () => {
  it('prints where it listens, serves, and exits 0 on SIGTERM', async () => {
    const cmd = spawnCommand('exporter', ['--source', fleet.exporters[0].url, '--listen', '127.0.0.1:0', '--interval', '1s']);
    try {
      const [, url] = await cmd.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      const text = await waitUntil('the command to publish GPUs', async () => {
        const body = await (await fetch(`${url}/metrics`)).text();
        return body.includes('gpu_pulse_real_utilization_ratio{') && body;
      });
      expect(parseExposition(text, { format: 'prometheus', mode: 'strict' }).problems).toEqual([]);
    } finally {
      expect(await cmd.stop('SIGTERM')).toBe(0);
    }
  });

  it('exits 2 with a clear message on bad usage', async () => {
    const cmd = spawnCommand('exporter', ['--listen', 'nowhere']);
    expect(await cmd.exited).toBe(2);
    expect(cmd.output()).toMatch(/--listen must be HOST:PORT/);
    const none = spawnCommand('exporter', []);
    expect(await none.exited).toBe(2);
    expect(none.output()).toMatch(/give at least one --source URL or --targets-file/);
  });
});
