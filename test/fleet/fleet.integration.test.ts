// The fleet engine end to end over real loopback sockets: scheduler + scraper + runner +
// state tracker, with every kind of broken exporter running next to healthy ones. Each broken
// target must end in the right state naming its cause, the healthy ones must keep their
// schedule, and memory must come back down once the run is over.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COALESCE_MS, ScrapeScheduler, type RunInfo } from '../../src/main/core/fleet/scheduler';
import { createTargetRunner, type IngestOutcome, type ScrapeSuccess } from '../../src/main/core/fleet/scrape-target';
import { createServeSecretStore } from '../../src/main/core/fleet/secrets';
import { TargetStateTracker, type TargetStatus } from '../../src/main/core/fleet/target-state';
import { TargetConfigSchema, type TargetConfig, type TargetInput } from '../../src/main/core/fleet/target-config';
import { createScraper } from '../../src/main/core/sources/http-scrape/scraper';
import { makeCerts, type TestCerts } from './support/certs';
import * as behave from './support/servers';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const INTERVAL_MS = 1000;
const RUN_MS = 9000;
const HEALTHY_COUNT = 6;

/** The stand-in for the service's parser: decides what an empty or binary body is. */
function ingest(_target: TargetConfig, result: ScrapeSuccess): IngestOutcome {
  if (result.bytes === 0) {
    return { ok: false, message: 'empty body', remedy: 'the exporter may be reloading; if it lasts, check its configuration', transient: true };
  }
  const zero = result.body.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(result.body);
  } catch {
    text = '';
  }
  if (zero >= 0 || !text) {
    return { ok: false, message: `binary body: not Prometheus text${zero >= 0 ? ` (NUL byte at offset ${zero})` : ' (invalid UTF-8)'}`, remedy: 'check the URL points at a metrics endpoint' };
  }
  if (!/^[A-Za-z_:][A-Za-z0-9_:]*(\{[^}]*\})? \S+$/m.test(text)) {
    return { ok: false, message: 'no samples in the body', remedy: 'check the URL points at a metrics endpoint' };
  }
  return { ok: true };
}

let certs: TestCerts;
const servers: behave.TestServer[] = [];

async function serve(handler: behave.Handler, tls?: Parameters<typeof behave.startServer>[1]): Promise<string> {
  const server = await behave.startServer(handler, tls);
  servers.push(server);
  return server.url;
}

beforeAll(() => {
  certs = makeCerts();
  behave.gzipBomb(); // built before the run, so its cost is not scheduling lag
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  certs?.remove();
});

describe('fleet engine over loopback', () => {
  it('puts every broken target in its state with the cause while healthy targets keep schedule', async () => {
    const tlsServer = { cert: certs.read(certs.serverCertFile), key: certs.read(certs.serverKeyFile) };
    const mtlsServer = { ...tlsServer, ca: certs.read(certs.clientCaFile), requestCert: true, rejectUnauthorized: true };
    const env = { EXPORTER_PASSWORD: 'pa55', EXPORTER_TOKEN: 'tok-abc' };
    const basicUrl = await serve(behave.basicAuth('ops', env.EXPORTER_PASSWORD));
    const bearerUrl = await serve(behave.bearerAuth(env.EXPORTER_TOKEN));
    const selfSignedUrl = await serve(behave.healthy, tlsServer);
    const mtlsUrl = await serve(behave.healthy, mtlsServer);
    const refused = await behave.refusedUrl();

    const inputs: Record<string, Omit<TargetInput, 'id'>> = {
      drip: { url: await serve(behave.drip), timeoutMs: 2500 },
      hang: { url: await serve(behave.hang), timeoutMs: 2500 },
      endless: { url: await serve(behave.endless) },
      bomb: { url: await serve(behave.gzipBombHandler) },
      error500: { url: await serve(behave.serverError) },
      empty: { url: await serve(behave.emptyOk) },
      binary: { url: await serve(behave.binary) },
      basicMissing: { url: basicUrl },
      basicGiven: { url: basicUrl, auth: { kind: 'basic', username: 'ops', password: { env: 'EXPORTER_PASSWORD' } } },
      bearerMissing: { url: bearerUrl },
      bearerGiven: { url: bearerUrl, auth: { kind: 'bearer', token: { env: 'EXPORTER_TOKEN' } } },
      selfSigned: { url: selfSignedUrl },
      selfSignedWithCa: { url: selfSignedUrl, tls: { caFile: certs.serverCertFile } },
      selfSignedSkip: { url: selfSignedUrl, tls: { insecureSkipVerify: true } },
      mtlsMissing: { url: mtlsUrl, tls: { caFile: certs.serverCertFile } },
      mtlsGiven: { url: mtlsUrl, tls: { caFile: certs.serverCertFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } },
      refused: { url: refused },
      unresolvable: { url: 'http://gpu-node-17.invalid:9400/metrics' },
    };
    for (let i = 0; i < HEALTHY_COUNT; i++) inputs[`healthy${i}`] = { url: await serve(behave.healthy) };
    const targets = Object.entries(inputs).map(([id, input]) =>
      TargetConfigSchema.parse({ ...input, id, intervalMs: INTERVAL_MS } as TargetInput),
    );

    const scraper = createScraper();
    const tracker = new TargetStateTracker();
    const run = createTargetRunner({ scraper, secrets: createServeSecretStore({ env }), tracker, ingest });
    const healthyStarts = new Map<string, { wallMs: number; info: RunInfo }[]>();
    const scheduler = new ScrapeScheduler<TargetConfig>({
      concurrency: 16,
      jitterRatio: 0.1,
      coalesceMs: DEFAULT_COALESCE_MS,
      run: (target, info) => {
        if (target.id.startsWith('healthy')) {
          const starts = healthyStarts.get(target.id) ?? [];
          starts.push({ wallMs: Date.now(), info });
          healthyStarts.set(target.id, starts);
        }
        return run(target);
      },
    });

    collectGarbage();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);

    for (const target of targets) {
      tracker.upsert(target.id, target.intervalMs);
      scheduler.upsert(target);
    }
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    await scheduler.stop();
    clearInterval(sampler);
    const states = Object.fromEntries(targets.map((t) => [t.id, tracker.get(t.id)!])) as Record<string, TargetStatus>;
    await scraper.close();

    const port = (url: string) => new URL(url).port;
    const expectState = (id: string, state: TargetStatus['state'], message: string | RegExp) => {
      const status = states[id];
      // The message carries lastError so a wrong state names its cause.
      expect(status.state, `${id} (lastError: ${status.lastError})`).toBe(state);
      if (typeof message === 'string') expect(status.lastError, id).toBe(message);
      else expect(status.lastError, id).toMatch(message);
      expect(status.remedy, id).toBeTruthy();
    };
    expectState('drip', 'timeout', /^deadline of 2\.5 s exceeded while reading the body \(got [23] bytes\)/);
    expectState('hang', 'timeout', /^deadline of 2\.5 s exceeded waiting for a response/);
    expectState('endless', 'too-large', 'body exceeded the 64 MiB cap');
    expectState('bomb', 'too-large', 'decompressed body exceeded the 64 MiB cap (gzip bomb guard)');
    expectState('error500', 'down', `HTTP 500 Internal Server Error from ${inputs.error500.url}`);
    expectState('empty', 'parse-error', 'empty body');
    expectState('binary', 'parse-error', /^binary body: not Prometheus text \(NUL byte at offset \d+\)$/);
    expectState('basicMissing', 'unauthorized', `HTTP 401 Unauthorized from ${basicUrl} (server asks for Basic authentication)`);
    expectState('bearerMissing', 'unauthorized', `HTTP 401 Unauthorized from ${bearerUrl} (server asks for Bearer authentication)`);
    expectState('selfSigned', 'tls-error', /^TLS certificate verification failed: self[- ]signed certificate/);
    expectState('mtlsMissing', 'tls-error', `the server requires a client certificate (TLS alert: certificate required) at 127.0.0.1:${port(mtlsUrl)}`);
    expectState('refused', 'down', `connection refused (ECONNREFUSED) at 127.0.0.1:${port(refused)}`);
    expectState('unresolvable', 'down', /^host name not found \((ENOTFOUND|EAI_AGAIN)\) for gpu-node-17\.invalid:9400$/);
    for (const id of ['basicGiven', 'bearerGiven', 'selfSignedWithCa', 'selfSignedSkip', 'mtlsGiven']) {
      expect({ id, state: states[id].state, error: states[id].lastError }).toEqual({ id, state: 'up', error: null });
    }

    // Healthy targets: scraped every interval, each start within one second of its due time.
    for (let i = 0; i < HEALTHY_COUNT; i++) {
      const id = `healthy${i}`;
      const starts = healthyStarts.get(id) ?? [];
      expect(states[id].state).toBe('up');
      expect(starts.length, id).toBeGreaterThanOrEqual(Math.floor(RUN_MS / INTERVAL_MS) - 1);
      expect(Math.max(...starts.map((s) => s.info.lagMs)), id).toBeLessThan(1000);
      // Independently of the scheduler's own clock: consecutive starts no further apart
      // than one interval plus the jitter plus that one second.
      const gaps = starts.slice(1).map((s, k) => s.wallMs - starts[k].wallMs);
      expect(Math.max(...gaps), id).toBeLessThan(INTERVAL_MS * 1.1 + 1000);
    }

    // Memory: the caps bound what a bad target can hold, and nothing stays behind.
    // Two 64 MiB caps (endless, bomb) can be in flight at once, plus garbage not yet collected.
    expect(peakRss - baseline.rss).toBeLessThan(256 * 1024 * 1024);
    // Sockets torn down by close() release their last buffers over the next turns of the event
    // loop (seen under a loaded CI machine: 57 MiB still held at the first look), so what
    // counts is what is still held after a few seconds, when a leak would still be there.
    const RETAINED_LIMIT = 32 * 1024 * 1024;
    const retained = () => {
      collectGarbage();
      const after = process.memoryUsage();
      return after.heapUsed + after.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers);
    };
    let kept = retained();
    for (let i = 0; i < 20 && kept >= RETAINED_LIMIT; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      kept = retained();
    }
    expect(kept).toBeLessThan(RETAINED_LIMIT);
    console.log(
      `fleet integration: peak RSS +${((peakRss - baseline.rss) / 2 ** 20).toFixed(0)} MiB, ` +
        `retained +${(kept / 2 ** 20).toFixed(1)} MiB, ` +
        `healthy lag p99 ${scheduler.lagStats().p99Ms.toFixed(1)} ms (all targets)`,
    );
  }, 40_000);
});
