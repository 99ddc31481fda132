// A request to `gpu-pulse serve` can never make it send a secret it did not get from the
// operator: a capture server records every request serve makes, and must never see the value
// of an environment variable or the contents of a file a request referenced. Credentials in
// URLs and credential headers are never echoed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../helpers/cli';
import { startServer, waitFor, type TestServer } from '../helpers/servers';

const ENV_SECRET = 'env-secret-value-7Qx9';
const FILE_SECRET = 'file-secret-contents-Zp31';
const URL_PASSWORD = 'url-password-Kd82';
const HEADER_KEY = 'api-key-value-Mv55';
const OPERATOR_SECRET = 'operator-token-Ws04';

describe('serve mode: secrets named by a request', () => {
  let serve: RunningCli;
  let capture: TestServer;
  let operatorTarget: TestServer;
  let base: string;
  const seen: string[] = [];
  const seenByOperatorTarget: string[] = [];
  let events = '';
  let eventsAbort: AbortController;

  const record = (into: string[]) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      into.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${decoded}\n${body}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('# TYPE up gauge\nup 1\n');
    });
  };

  const call = async (method: string, ...args: unknown[]) => {
    const res = await fetch(`${base}/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { result?: any; error?: string } };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-secrets-'));
    const secretFile = join(dir, 'secret.txt');
    writeFileSync(secretFile, `${FILE_SECRET}\n`);
    process.env.GPU_PULSE_TEST_ENV_SECRET = ENV_SECRET;
    process.env.GPU_PULSE_TEST_OPERATOR_SECRET = OPERATOR_SECRET;
    capture = await startServer(record(seen));
    operatorTarget = await startServer(record(seenByOperatorTarget));
    serve = await startCli(['serve', '--port', '0', '--config-dir', join(dir, 'config'), '--secret', 'dcgm-token=env:GPU_PULSE_TEST_OPERATOR_SECRET']);
    base = serve.urls[0]!;
    eventsAbort = new AbortController();
    void fetch(`${base}/api/events`, { signal: eventsAbort.signal })
      .then(async (res) => {
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          events += Buffer.from(value).toString();
        }
      })
      .catch(() => undefined);
    (globalThis as any).__secretFile = secretFile;
  });

  afterAll(async () => {
    eventsAbort?.abort();
    await serve?.stop();
    await capture?.close();
    await operatorTarget?.close();
    delete process.env.GPU_PULSE_TEST_ENV_SECRET;
    delete process.env.GPU_PULSE_TEST_OPERATOR_SECRET;
  });

  it('refuses {env} and {file} secret references from a request, for test and add', async () => {
    const secretFile = (globalThis as any).__secretFile as string;
    const attempts = [
      { kind: 'bearer', token: { env: 'GPU_PULSE_TEST_ENV_SECRET' } },
      { kind: 'bearer', token: { file: secretFile } },
      { kind: 'basic', username: 'x', password: { env: 'GPU_PULSE_TEST_ENV_SECRET' } },
      { kind: 'basic', username: 'x', password: { file: secretFile } },
    ];
    for (const auth of attempts) {
      for (const method of ['testTarget', 'addTarget']) {
        const answer = await call(method, { url: capture.url, intervalMs: 1000, auth });
        expect(answer.status, `${method} ${JSON.stringify(auth)}`).toBe(400);
      }
    }
  });

  it('refuses a typed secret, a URL credential and a credential header, naming the alternative', async () => {
    const typed = await call('addTarget', { url: capture.url, auth: { kind: 'bearer', token: 'typed-token-value' } });
    expect(typed.status).toBe(422);
    expect(typed.body.error).toMatch(/--secret/);
    const inUrl = await call('addTarget', { url: capture.url.replace('http://', `http://ops:${URL_PASSWORD}@`) });
    expect(inUrl.status).toBe(422);
    expect(inUrl.body.error).toMatch(/--secret/);
    expect(inUrl.text).not.toContain(URL_PASSWORD);
    const header = await call('addTarget', { url: capture.url, headers: { 'X-Api-Key': HEADER_KEY } });
    expect(header.status).toBe(422);
    expect(header.text).not.toContain(HEADER_KEY);
  });

  it('uses a secret the operator configured (--secret NAME=env:VAR) by its name, and never echoes it', async () => {
    const added = await call('addTarget', { url: operatorTarget.url, intervalMs: 1000, auth: { kind: 'bearer', token: { secret: 'dcgm-token' } } });
    expect(added.status).toBe(200);
    expect(added.text).not.toContain(OPERATOR_SECRET);
    await waitFor('a scrape with the operator token', () => seenByOperatorTarget.find((r) => r.includes(`Bearer ${OPERATOR_SECRET}`)));
    const unknown = await call('addTarget', { url: capture.url, auth: { kind: 'bearer', token: { secret: 'no-such' } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toContain('dcgm-token');
  });

  it('moving a target to another address drops its stored secret instead of sending it there', async () => {
    const target = ((await call('getTargets')).body.result as any[]).find((t) => t.url === operatorTarget.url);
    const moved = await call('updateTarget', target.id, { url: capture.url, intervalMs: 1000, auth: { kind: 'bearer' } });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatch(/again/);
  });

  it('the capture server never saw a secret, and neither did the API or the event stream', async () => {
    // Give every target added above a few scrape rounds.
    await new Promise((r) => setTimeout(r, 3000));
    const all = seen.join('\n');
    for (const secret of [ENV_SECRET, FILE_SECRET, URL_PASSWORD, HEADER_KEY, OPERATOR_SECRET]) expect(all).not.toContain(secret);
    const targets = (await (await fetch(`${base}/api/targets`)).text()) + events;
    for (const secret of [ENV_SECRET, FILE_SECRET, URL_PASSWORD, HEADER_KEY, OPERATOR_SECRET]) expect(targets).not.toContain(secret);
  });
});
