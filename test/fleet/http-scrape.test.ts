// The scraper against real loopback servers: every failure ends in the right state with a
// message naming its cause.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScraper, PROMETHEUS_TEXT_ACCEPT } from '../../src/main/core/sources/http-scrape/scraper';
import { makeCerts, type TestCerts } from './support/certs';
import {
  basicAuth,
  bearerAuth,
  binary,
  drip,
  emptyOk,
  endless,
  gzipBomb,
  gzipBombHandler,
  hang,
  healthy,
  HEALTHY_BODY,
  refusedUrl,
  serverError,
  startServer,
  type Handler,
  type TestServer,
} from './support/servers';

const scraper = createScraper();
const servers: TestServer[] = [];
let certs: TestCerts;

async function serve(handler: Handler, tls?: Parameters<typeof startServer>[1]): Promise<string> {
  const server = await startServer(handler, tls);
  servers.push(server);
  return server.url;
}

beforeAll(() => {
  certs = makeCerts();
});

afterAll(async () => {
  await scraper.close();
  await Promise.all(servers.map((server) => server.close()));
  certs?.remove();
});

describe('createScraper().scrape', () => {
  it('returns the body of a healthy exporter and sends the Prometheus Accept header', async () => {
    let seen: Record<string, unknown> = {};
    const url = await serve((req, res) => {
      seen = req.headers;
      healthy(req, res);
    });
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.status).toBe(200);
    expect(result.body.toString()).toBe(HEALTHY_BODY);
    expect(result.bytes).toBe(Buffer.byteLength(HEALTHY_BODY));
    expect(result.contentType).toBe('text/plain; version=0.0.4');
    expect(seen.accept).toBe(PROMETHEUS_TEXT_ACCEPT);
    expect(seen['accept-encoding']).toBe('gzip');
  });

  it('decompresses a gzip body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(HEALTHY_BODY));
    });
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result.ok && result.body.toString()).toBe(HEALTHY_BODY);
  });

  it('ends a one-byte-per-second drip at the deadline, naming the bytes received', async () => {
    const url = await serve(drip);
    const started = Date.now();
    const result = await scraper.scrape({ url, timeoutMs: 2500 });
    expect(Date.now() - started).toBeLessThan(3500);
    expect(result).toMatchObject({ ok: false, state: 'timeout' });
    expect(!result.ok && result.message).toMatch(/^deadline of 2\.5 s exceeded while reading the body \(got [23] bytes\) from http:/);
  });

  it('times out a server that never answers, waiting for the response', async () => {
    const url = await serve(hang);
    const result = await scraper.scrape({ url, timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, state: 'timeout' });
    expect(!result.ok && result.message).toBe(`deadline of 0.5 s exceeded waiting for a response from ${url}`);
  });

  it('names its own deadline above 1 s too, where undici\'s coarse timers could fire first', async () => {
    // undici ticks its timers over 1 s every 499 ms and backdates a new timer to the previous
    // tick, so one started late in a tick fires up to 499 ms early. With its headers timeout
    // equal to our deadline, such scrapes ended as 'down' "Headers Timeout Error". A scrape
    // already in flight keeps the ticks running; the others start late in a tick.
    const url = await serve(hang);
    const keeper = scraper.scrape({ url, timeoutMs: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 460));
    const timeouts = [1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2100, 2200, 2300];
    const results = await Promise.all(timeouts.map((timeoutMs) => scraper.scrape({ url, timeoutMs })));
    await keeper;
    for (const [i, result] of results.entries()) {
      expect({ state: result.ok ? 'up' : result.state, message: !result.ok && result.message }).toEqual({
        state: 'timeout',
        message: `deadline of ${(timeouts[i]! / 1000).toFixed(1)} s exceeded waiting for a response from ${url}`,
      });
    }
  });

  it('stops an endless body at the size cap', async () => {
    const url = await serve(endless);
    const small = await scraper.scrape({ url, timeoutMs: 5000, maxBytes: 1024 * 1024 });
    expect(small).toMatchObject({ ok: false, state: 'too-large', message: 'body exceeded the 1 MiB cap' });
    const byDefault = await scraper.scrape({ url, timeoutMs: 10_000 });
    expect(byDefault).toMatchObject({ ok: false, state: 'too-large', message: 'body exceeded the 64 MiB cap' });
  });

  it('refuses a declared Content-Length above the cap without reading it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
      res.write('x');
    });
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, state: 'too-large' });
    expect(!result.ok && result.message).toBe('Content-Length 104857600 bytes exceeds the 64 MiB cap');
  });

  it('stops a gzip bomb at the decompressed cap, with memory bounded by the cap', async () => {
    expect(gzipBomb().length).toBeGreaterThan(900_000);
    expect(gzipBomb().length).toBeLessThan(1_100_000);
    const url = await serve(gzipBombHandler);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const result = await scraper.scrape({ url, timeoutMs: 10_000 });
    clearInterval(sampler);
    expect(result).toMatchObject({
      ok: false,
      state: 'too-large',
      message: 'decompressed body exceeded the 64 MiB cap (gzip bomb guard)',
    });
    // It inflates to ~1 GB; holding at most the 64 MiB cap (plus buffers) proves the guard.
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('reports a 500 as down with the status and URL', async () => {
    const url = await serve(serverError);
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, state: 'down', status: 500, message: `HTTP 500 Internal Server Error from ${url}` });
  });

  it('reports a redirect instead of following it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://elsewhere:9400/metrics' });
      res.end();
    });
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, state: 'down', status: 302 });
    expect(!result.ok && result.message).toBe(`HTTP 302 Found from ${url} redirecting to http://elsewhere:9400/metrics`);
  });

  it('passes an empty 200 and a binary body through for the caller to judge', async () => {
    const empty = await scraper.scrape({ url: await serve(emptyOk), timeoutMs: 2000 });
    expect(empty).toMatchObject({ ok: true, status: 200, bytes: 0 });
    const bin = await scraper.scrape({ url: await serve(binary), timeoutMs: 2000 });
    expect(bin).toMatchObject({ ok: true, bytes: 4096, contentType: 'application/octet-stream' });
  });

  it('reports 401 as unauthorized, and succeeds with basic credentials', async () => {
    const url = await serve(basicAuth('ops', 's3cret'));
    const anonymous = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(anonymous).toMatchObject({
      ok: false,
      state: 'unauthorized',
      status: 401,
      message: `HTTP 401 Unauthorized from ${url} (server asks for Basic authentication)`,
    });
    const wrong = await scraper.scrape({ url, timeoutMs: 2000, auth: { kind: 'basic', username: 'ops', password: 'nope' } });
    expect(wrong).toMatchObject({ ok: false, state: 'unauthorized' });
    const right = await scraper.scrape({ url, timeoutMs: 2000, auth: { kind: 'basic', username: 'ops', password: 's3cret' } });
    expect(right.ok).toBe(true);
  });

  it('reports 401 as unauthorized, and succeeds with a bearer token', async () => {
    const url = await serve(bearerAuth('tok-123'));
    const anonymous = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(anonymous).toMatchObject({ ok: false, state: 'unauthorized', message: `HTTP 401 Unauthorized from ${url} (server asks for Bearer authentication)` });
    const right = await scraper.scrape({ url, timeoutMs: 2000, auth: { kind: 'bearer', token: 'tok-123' } });
    expect(right.ok).toBe(true);
  });

  it('rejects a self-signed certificate by default; accepts it with its CA file or the skip switch', async () => {
    const url = await serve(healthy, { cert: certs.read(certs.serverCertFile), key: certs.read(certs.serverKeyFile) });
    const rejected = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(rejected).toMatchObject({ ok: false, state: 'tls-error' });
    expect(!rejected.ok && rejected.message).toMatch(
      /^TLS certificate verification failed: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\) at 127\.0\.0\.1:\d+ — set a CA file or, if you accept the risk, skip verification$/,
    );
    const withCa = await scraper.scrape({ url, timeoutMs: 2000, tls: { caFile: certs.serverCertFile } });
    expect(withCa.ok).toBe(true);
    const skipped = await scraper.scrape({ url, timeoutMs: 2000, tls: { insecureSkipVerify: true } });
    expect(skipped.ok).toBe(true);
    // The unsafe switch on one target does not leak to another without it.
    const stillRejected = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(stillRejected).toMatchObject({ ok: false, state: 'tls-error' });
  });

  it('reports a server that requires a client certificate; succeeds with one', async () => {
    const url = await serve(healthy, {
      cert: certs.read(certs.serverCertFile),
      key: certs.read(certs.serverKeyFile),
      ca: certs.read(certs.clientCaFile),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const tls = { caFile: certs.serverCertFile };
    const without = await scraper.scrape({ url, timeoutMs: 2000, tls });
    expect(without).toMatchObject({ ok: false, state: 'tls-error' });
    // TLS 1.3 reports this after the handshake, as an alert on an open connection.
    expect(!without.ok && without.message).toBe(`the server requires a client certificate (TLS alert: certificate required) at 127.0.0.1:${new URL(url).port}`);
    expect(!without.ok && without.remedy).toBe('set the client certificate and key files for this target');
    const withCert = await scraper.scrape({ url, timeoutMs: 2000, tls: { ...tls, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } });
    expect(withCert.ok).toBe(true);
    // A certificate from a CA the server does not trust. Node's server closes without a TLS
    // alert (Go's sends "bad certificate", reported as tls-error), so only a hint is possible.
    const untrusted = await scraper.scrape({ url, timeoutMs: 2000, tls: { ...tls, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
    expect(untrusted).toMatchObject({ ok: false, state: 'down' });
    expect(!untrusted.ok && untrusted.message).toMatch(/before any response; it may have rejected the client certificate$/);
  });

  it('names a CA file it cannot read', async () => {
    const url = await serve(healthy, { cert: certs.read(certs.serverCertFile), key: certs.read(certs.serverKeyFile) });
    const result = await scraper.scrape({ url, timeoutMs: 2000, tls: { caFile: '/nonexistent/ca.pem' } });
    expect(result).toMatchObject({ ok: false, state: 'tls-error', message: 'cannot read the CA file /nonexistent/ca.pem (ENOENT)' });
  });

  it('reports https to a plain HTTP port as a TLS error', async () => {
    const url = (await serve(healthy)).replace('http:', 'https:');
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, state: 'tls-error' });
    expect(!result.ok && result.message).toMatch(/^TLS error: wrong version number \(ERR_SSL_WRONG_VERSION_NUMBER\) at 127\.0\.0\.1:\d+$/);
    expect(!result.ok && result.remedy).toMatch(/use an http:\/\/ URL/);
  });

  it('reports connection refused with the address', async () => {
    const url = await refusedUrl();
    const port = new URL(url).port;
    const result = await scraper.scrape({ url, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, state: 'down', message: `connection refused (ECONNREFUSED) at 127.0.0.1:${port}` });
  });

  it('reports a host name that does not resolve', async () => {
    const result = await scraper.scrape({ url: 'http://gpu-node.invalid:9400/metrics', timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, state: 'down' });
    expect(!result.ok && result.message).toMatch(/^host name not found \((ENOTFOUND|EAI_AGAIN)\) for gpu-node\.invalid:9400$/);
  });

  it('reports URLs it cannot scrape without throwing', async () => {
    expect(await scraper.scrape({ url: 'not a url', timeoutMs: 100 })).toMatchObject({ ok: false, state: 'down', message: 'invalid URL "not a url"' });
    expect(await scraper.scrape({ url: 'ftp://x/metrics', timeoutMs: 100 })).toMatchObject({ ok: false, state: 'down' });
  });
});
