// A hostile web page against `gpu-pulse serve` on loopback, in a real Chromium. The browser maps
// evil.test to 127.0.0.1 (--host-resolver-rules), so a page at http://evil.test:<port> can try
// what a page on the user's browser could: a cross-origin "simple" POST (text/plain, no CORS
// preflight) and, on the serve port itself, a DNS-rebinding read where the page is same-origin.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../helpers/chromium';
import { startCli, type RunningCli } from '../helpers/cli';
import { startServer, type TestServer } from '../helpers/servers';
import { rawRequest } from '../helpers/raw-http';

describe('serve mode against a hostile page in Chromium', () => {
  let serve: RunningCli;
  let evil: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let port: number;

  const targets = async () => (await (await fetch(`${base}/api/targets`)).json()) as Array<{ url: string }>;

  beforeAll(async () => {
    serve = await startCli(['serve', '--port', '0', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-req-'))]);
    base = serve.urls[0]!;
    port = Number(new URL(base).port);
    evil = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>evil</title><p>nothing to see</p>');
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP evil.test 127.0.0.1'],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await evil?.close();
  });

  it('a cross-origin text/plain POST (no preflight) changes nothing', async () => {
    await page.goto(`http://evil.test:${evil.port}/`);
    await page.evaluate(async (api) => {
      const body = JSON.stringify([{ url: 'http://attacker.invalid:9400/metrics' }]);
      // mode no-cors: the page cannot read the answer, but the request is sent.
      await fetch(`${api}/api/call/addTarget`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }).catch(() => undefined);
      await fetch(`${api}/api/call/startRecording`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '[{}]' }).catch(() => undefined);
    }, base);
    expect((await targets()).map((t) => t.url)).not.toContain('http://attacker.invalid:9400/metrics');
    expect((await (await fetch(`${base}/api/call/getRecording`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })).json()).result).toBeNull();
  });

  it('a cross-origin form POST (the other no-preflight route) is refused too', async () => {
    await page.goto(`http://evil.test:${evil.port}/`);
    const status = await page.evaluate(async (api) => {
      const form = new FormData();
      form.set('x', '[{"url":"http://attacker.invalid:9401/metrics"}]');
      const res = await fetch(`${api}/api/call/addTarget`, { method: 'POST', mode: 'no-cors', body: form }).catch(() => null);
      return res?.type ?? 'error';
    }, base);
    expect(status).toBe('opaque');
    expect((await targets()).map((t) => t.url)).not.toContain('http://attacker.invalid:9401/metrics');
  });

  it('a DNS-rebinding page (same origin on evil.test) can neither read nor write the API', async () => {
    await page.goto(`http://evil.test:${port}/health`);
    const result = await page.evaluate(async () => {
      const read = await fetch('/api/targets');
      const gpus = await fetch('/api/gpus');
      const metrics = await fetch('/metrics');
      const write = await fetch('/api/call/addTarget', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ url: 'http://attacker.invalid:9402/metrics' }]) });
      return { read: read.status, gpus: gpus.status, metrics: metrics.status, write: write.status, readBody: await read.text() };
    });
    expect(result).toMatchObject({ read: 403, gpus: 403, metrics: 403, write: 403 });
    expect(result.readBody).toContain('Host');
    expect((await targets()).map((t) => t.url)).not.toContain('http://attacker.invalid:9402/metrics');
  });

  it('the app itself, on 127.0.0.1 and on localhost, still reads and writes', async () => {
    for (const origin of [base, `http://localhost:${port}`]) {
      await page.goto(`${origin}/`);
      const added = await page.evaluate(async (n) => {
        const res = await fetch('/api/call/addTarget', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ url: `http://127.0.0.1:${n}/metrics` }]) });
        return res.status;
      }, 1 + (origin === base ? 0 : 1));
      expect(added).toBe(200);
    }
    expect((await targets()).map((t) => t.url)).toEqual(expect.arrayContaining(['http://127.0.0.1:1/metrics', 'http://127.0.0.1:2/metrics']));
  });

  it('scripts on this machine (no Origin, like curl) keep working without a token, JSON only', async () => {
    expect((await fetch(`${base}/api/targets`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const plain = await fetch(`${base}/api/call/getAppInfo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '[]' });
    expect(plain.status).toBe(415);
    const json = await fetch(`${base}/api/call/getAppInfo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(json.status).toBe(200);
    const foreign = await fetch(`${base}/api/call/getAppInfo`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.test' }, body: '[]' });
    expect(foreign.status).toBe(403);
    const badHost = await rawRequest(`${base}/api/targets`, { headers: { host: `evil.test:${port}` } });
    expect(badHost.status).toBe(403);
  });
});

describe('serve mode with --token and --allow-host', () => {
  let serve: RunningCli;
  let base: string;
  let port: number;

  beforeAll(async () => {
    serve = await startCli(['serve', '--port', '0', '--token', 'tok-123456', '--allow-host', 'gpu-box.example', '--config-dir', mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-tok-'))]);
    base = serve.urls[0]!;
    port = Number(new URL(base).port);
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it('requires the token on /metrics as on /api', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer tok-123456' } })).status).toBe(200);
    expect((await fetch(`${base}/api/targets`)).status).toBe(401);
  });

  it('accepts a host name given with --allow-host, and no other', async () => {
    const auth = { authorization: 'Bearer tok-123456' };
    expect((await rawRequest(`${base}/api/targets`, { headers: { ...auth, host: `gpu-box.example:${port}` } })).status).toBe(200);
    expect((await rawRequest(`${base}/api/targets`, { headers: { ...auth, host: `other.example:${port}` } })).status).toBe(403);
  });

  it('refuses uploads from a foreign origin', async () => {
    const res = await fetch(`${base}/api/inspect-upload?name=x.prom`, { method: 'POST', headers: { authorization: 'Bearer tok-123456', origin: 'http://evil.test', 'content-type': 'application/octet-stream' }, body: 'up 1\n' });
    expect(res.status).toBe(403);
  });
});
