// Pushing to a real prometheus-pushgateway: replace (PUT), add (POST) and delete per grouping
// key as the Pushgateway defines them, the @base64 path encoding, the `gpu-pulse push` command
// end to end, and a gateway behind TLS and basic auth.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { Counter, Gauge, Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/push';
import { parseExposition, type Family } from '../../src/main/core/exposition';
import { groupingPath, pushToGateway, PushError } from '../../src/main/core/export/pushgateway';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';
import { captureIo, makeCertificates, startPeer, tempDir, type RunningPeer, type TestCertificates } from './support/peers';

let dir: Awaited<ReturnType<typeof tempDir>>;
let gateway: RunningPeer;
let securedGateway: RunningPeer;
let fleet: DemoFleetHandle;
let certs: TestCertificates;

beforeAll(async () => {
  dir = await tempDir('push');
  fleet = await startDemoFleet({ instances: 2, basePort: 0, gpus: 4 });
  gateway = await startPeer('pushgateway', (port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--persistence.file='], '/-/ready');
  certs = await makeCertificates(dir.path);
  const webConfig = join(dir.path, 'gateway-web.yml');
  await writeFile(webConfig, `tls_server_config:\n  cert_file: ${certs.serverCert}\n  key_file: ${certs.serverKey}\nbasic_auth_users:\n  pusher: ${hashSync('push-secret', 10)}\n`);
  await writeFile(join(dir.path, 'password'), 'push-secret\n');
  const ca = await readFile(certs.caCert, 'utf8');
  securedGateway = await startPeer(
    'pushgateway',
    (port) => [`--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${webConfig}`, '--log.level=warn', '--persistence.file='],
    // Ready once it answers over TLS at all (401 without credentials).
    async (port) => {
      const dispatcher = new Agent({ connect: { ca } });
      try {
        const res = await request(`https://127.0.0.1:${port}/-/ready`, { dispatcher });
        await res.body.dump();
        return res.statusCode === 401;
      } finally {
        await dispatcher.close();
      }
    },
  );
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await securedGateway?.stop();
  await fleet?.close();
  await dir?.remove();
});

function registryWith(values: Record<string, number>): Registry {
  const registry = new Registry();
  for (const [name, value] of Object.entries(values)) new Gauge({ name, help: `test gauge ${name}`, registers: [registry] }).set(value);
  return registry;
}

async function gatewayFamilies(base = gateway.url): Promise<Family[]> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return parseExposition(text, { format: 'prometheus', mode: 'lenient' }).families;
}

/** name -> [labels, value] of the pushed series (the gateway's own metrics left out). */
async function pushed(job: string): Promise<Array<[string, Record<string, string>, number]>> {
  return (await gatewayFamilies())
    .flatMap((f) => f.samples)
    .filter((s) => s.labels.job === job && !s.name.startsWith('push_') && !s.name.startsWith('pushgateway_'))
    .map((s) => [s.name, s.labels, s.value] as [string, Record<string, string>, number])
    .sort((a, b) => (a[0] + JSON.stringify(a[1])).localeCompare(b[0] + JSON.stringify(b[1])));
}

describe('grouping key paths', () => {
  it('encodes values with "/" and empty values as <label>@base64/<base64url>', () => {
    expect(groupingPath('batch', [['instance', 'node-1']])).toBe('/metrics/job/batch/instance/node-1');
    expect(groupingPath('team/etl', [['path', '/data/run 1'], ['shard', '']])).toBe(
      `/metrics/job@base64/${Buffer.from('team/etl').toString('base64url')}/path@base64/${Buffer.from('/data/run 1').toString('base64url')}/shard@base64/=`,
    );
    expect(groupingPath('a b', [['x', 'ü?']])).toBe('/metrics/job/a%20b/x/%C3%BC%3F');
    expect(() => groupingPath('j', [['job', 'x']])).toThrow(/goes in --job/);
    expect(() => groupingPath('j', [['bad-name', 'x']])).toThrow(/not a valid label name/);
    expect(() => groupingPath('', [])).toThrow(/must not be empty/);
  });
});

describe('push, add and delete against a real Pushgateway', () => {
  const gw = () => ({ gateway: gateway.url, job: 'semantics' });

  it('replace (PUT) swaps the whole group, add (POST) only the names pushed, per grouping key', async () => {
    const x: Array<[string, string]> = [['instance', 'x']];
    const y: Array<[string, string]> = [['instance', 'y']];
    await pushToGateway({ ...gw(), grouping: x, method: 'replace' }, await registryWith({ a: 1, b: 2 }).metrics());
    await pushToGateway({ ...gw(), grouping: y, method: 'replace' }, await registryWith({ b: 30 }).metrics());
    expect(await pushed('semantics')).toEqual([
      ['a', { instance: 'x', job: 'semantics' }, 1],
      ['b', { instance: 'x', job: 'semantics' }, 2],
      ['b', { instance: 'y', job: 'semantics' }, 30],
    ]);

    // add: `a` replaced, `b` of the same group kept, the other group untouched
    await pushToGateway({ ...gw(), grouping: x, method: 'add' }, await registryWith({ a: 5 }).metrics());
    expect(await pushed('semantics')).toEqual([
      ['a', { instance: 'x', job: 'semantics' }, 5],
      ['b', { instance: 'x', job: 'semantics' }, 2],
      ['b', { instance: 'y', job: 'semantics' }, 30],
    ]);

    // replace: the group now holds only `a`; group y still untouched
    await pushToGateway({ ...gw(), grouping: x, method: 'replace' }, await registryWith({ a: 7 }).metrics());
    expect(await pushed('semantics')).toEqual([
      ['a', { instance: 'x', job: 'semantics' }, 7],
      ['b', { instance: 'y', job: 'semantics' }, 30],
    ]);

    // delete: group x is gone, group y stays
    await pushToGateway({ ...gw(), grouping: x, method: 'delete' });
    expect(await pushed('semantics')).toEqual([['b', { instance: 'y', job: 'semantics' }, 30]]);
    await pushToGateway({ ...gw(), grouping: y, method: 'delete' });
    expect(await pushed('semantics')).toEqual([]);
  });

  it('sends job and grouping values with "/" and empty values so the gateway decodes them', async () => {
    await pushToGateway(
      { gateway: gateway.url, job: 'team/etl', grouping: [['path', '/data/run 1'], ['shard', '']], method: 'replace' },
      await registryWith({ c: 3 }).metrics(),
    );
    // The gateway shows the empty grouping value (and its default empty instance) as empty labels.
    expect(await pushed('team/etl')).toEqual([['c', { instance: '', job: 'team/etl', path: '/data/run 1', shard: '' }, 3]]);
    await pushToGateway({ gateway: gateway.url, job: 'team/etl', grouping: [['path', '/data/run 1'], ['shard', '']], method: 'delete' });
    expect(await pushed('team/etl')).toEqual([]);
  });

  it("reports the gateway's refusal with its message", async () => {
    // The gateway keeps one type per metric name across groups: a counter `d` after a gauge `d` is
    // refused. Which of the two it names depends on the order it checks them in.
    await pushToGateway({ gateway: gateway.url, job: 'typed', method: 'replace' }, await registryWith({ d: 1 }).metrics());
    const counter = new Registry();
    new Counter({ name: 'd', help: 'd', registers: [counter] }).inc();
    const err = await pushToGateway({ gateway: gateway.url, job: 'typed-2', method: 'replace' }, await counter.metrics()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushError);
    expect((err as PushError).status).toBe(400);
    expect((err as PushError).message).toMatch(/HTTP 400: pushed metrics are invalid or inconsistent with existing metrics: .*is not a (GAUGE|COUNTER)/);
    await pushToGateway({ gateway: gateway.url, job: 'typed', method: 'delete' });
  });
});

describe('gpu-pulse push', () => {
  it('pushes the computed metrics of the sources under the job and grouping key, then deletes them', async () => {
    const cap = captureIo(dir.path);
    const code = await run(['--gateway', gateway.url, '--job', 'nightly/train', '--grouping', 'cluster=a100-pod', ...fleet.exporters.map((e) => e.url)], cap.io);
    expect({ code, stderr: cap.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(cap.stdout()).toMatch(/^pushed 8 GPUs to http:\/\/127\.0\.0\.1:\d+\/metrics\/job@base64\/\S+\/cluster\/a100-pod \(replace\)\n$/);
    const series = await pushed('nightly/train');
    const util = series.filter(([name]) => name === 'gpu_pulse_real_utilization_ratio');
    expect(util).toHaveLength(8);
    expect(util.every(([, labels]) => labels.cluster === 'a100-pod' && labels.job === 'nightly/train')).toBe(true);
    expect(new Set(util.map(([, labels]) => labels.node))).toEqual(new Set(fleet.exporters.map((e) => e.hostname)));
    expect(series.filter(([name]) => name === 'gpu_pulse_health')).toHaveLength(8);

    const del = captureIo(dir.path);
    expect(await run(['--gateway', gateway.url, '--job', 'nightly/train', '--grouping', 'cluster=a100-pod', '--delete'], del.io)).toBe(0);
    expect(await pushed('nightly/train')).toEqual([]);
  });

  it('with --add keeps the metric names it does not push', async () => {
    await pushToGateway({ gateway: gateway.url, job: 'mixed', method: 'replace' }, await registryWith({ batch_last_success: 1 }).metrics());
    const cap = captureIo(dir.path);
    expect(await run(['--gateway', gateway.url, '--job', 'mixed', '--add', fleet.exporters[0].url], cap.io)).toBe(0);
    const names = new Set((await pushed('mixed')).map(([name]) => name));
    expect(names.has('batch_last_success')).toBe(true);
    expect(names.has('gpu_pulse_gpu_info')).toBe(true);
    const replace = captureIo(dir.path);
    expect(await run(['--gateway', gateway.url, '--job', 'mixed', '--replace', fleet.exporters[0].url], replace.io)).toBe(0);
    const after = new Set((await pushed('mixed')).map(([name]) => name));
    expect(after.has('batch_last_success')).toBe(false);
    expect(after.has('gpu_pulse_gpu_info')).toBe(true);
    await pushToGateway({ gateway: gateway.url, job: 'mixed', method: 'delete' });
  });

  it('uses basic auth and a CA file for a gateway behind TLS, and says so when they are missing', async () => {
    const tlsUrl = `https://127.0.0.1:${securedGateway.port}`;
    const base = ['--gateway', tlsUrl, '--job', 'secure', fleet.exporters[0].url];
    const noCa = captureIo(dir.path);
    expect(await run([...base, '--username', 'pusher', '--password-file', 'password'], noCa.io)).toBe(1);
    expect(noCa.stderr()).toMatch(/failed: .*(SELF_SIGNED|UNABLE_TO_VERIFY|CERT).*--ca-file/);

    const noAuth = captureIo(dir.path);
    expect(await run([...base, '--ca-file', certs.caCert], noAuth.io)).toBe(1);
    expect(noAuth.stderr()).toMatch(/401 Unauthorized; give --username and --password-file/);

    const ok = captureIo(dir.path);
    expect(await run([...base, '--ca-file', certs.caCert, '--username', 'pusher', '--password-file', 'password'], ok.io)).toBe(0);
    expect(ok.stdout()).toMatch(/^pushed 4 GPUs to https:/);
    const ca = await readFile(certs.caCert, 'utf8');
    const res = await request(`${tlsUrl}/metrics`, {
      dispatcher: new Agent({ connect: { ca } }),
      headers: { authorization: `Basic ${Buffer.from('pusher:push-secret').toString('base64')}` },
    });
    const families = parseExposition(await res.body.text(), { format: 'prometheus', mode: 'lenient' }).families;
    expect(families.find((f) => f.name === 'gpu_pulse_real_utilization_ratio')?.samples.filter((s) => s.labels.job === 'secure')).toHaveLength(4);
  });

  it('rejects bad usage with exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--job', 'j', 'http://x'], /--gateway URL is required/],
      [['--gateway', gateway.url, 'http://x'], /--job NAME is required/],
      [['--gateway', gateway.url, '--job', 'j', '--add', '--delete'], /choose one of --replace, --add and --delete/],
      [['--gateway', gateway.url, '--job', 'j'], /give at least one SOURCE/],
      [['--gateway', gateway.url, '--job', 'j', '--grouping', 'novalue', 'http://x'], /--grouping must be LABEL=VALUE/],
      [['--gateway', gateway.url, '--job', 'j', '--username', 'u', 'http://x'], /--username and --password-file go together/],
    ];
    for (const [args, message] of cases) {
      const cap = captureIo(dir.path);
      expect(await run(args, cap.io)).toBe(2);
      expect(cap.stderr()).toMatch(message);
    }
  });
});
