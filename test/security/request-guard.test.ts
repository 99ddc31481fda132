// The request guard's rules one by one, on real requests to a loopback server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestGuard, hostNameOf } from '../../src/main/server/request-guard';
import { rawRequest } from '../helpers/raw-http';

describe('hostNameOf', () => {
  it('reads names, IPv4 and bracketed IPv6 with or without a port, and refuses malformed ones', () => {
    expect(hostNameOf('localhost:8484')).toBe('localhost');
    expect(hostNameOf('LOCALHOST.')).toBe('localhost');
    expect(hostNameOf('127.0.0.1')).toBe('127.0.0.1');
    expect(hostNameOf('[::1]:8484')).toBe('::1');
    expect(hostNameOf('::1')).toBeNull();
    expect(hostNameOf('a b')).toBeNull();
    expect(hostNameOf(undefined)).toBeNull();
  });
});

describe('request guard', () => {
  let server: Server;
  let base: string;
  let port: number;
  const guard = createRequestGuard({ boundHost: '127.0.0.1', allowHosts: ['Proxy.Example'] });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const verdict = guard.check(req, new URL(req.url ?? '/', 'http://x'), req.url?.startsWith('/upload') ? 'upload' : 'json');
      res.writeHead(verdict.ok ? 200 : verdict.status);
      res.end(verdict.ok ? 'ok' : verdict.error);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const status = async (headers: Record<string, string>, method = 'GET', path = '/api/x') => (await rawRequest(base + path, { method, headers })).status;

  it('accepts this machine and --allow-host names in Host, case-insensitively, and nothing else', async () => {
    expect(await status({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(await status({ host: `localhost:${port}` })).toBe(200);
    expect(await status({ host: `[::1]:${port}` })).toBe(200);
    expect(await status({ host: 'proxy.example' })).toBe(200);
    expect(await status({ host: `evil.test:${port}` })).toBe(403);
    expect(await status({ host: `127.0.0.1.evil.test:${port}` })).toBe(403);
  });

  it('refuses a foreign Origin and cross-site fetch metadata, accepts its own origin and none', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await status({ host, origin: `http://${host}` })).toBe(200);
    expect(await status({ host, origin: 'http://evil.test' })).toBe(403);
    expect(await status({ host, origin: 'null' })).toBe(403);
    expect(await status({ host, 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await status({ host, 'sec-fetch-site': 'same-site' })).toBe(403);
    expect(await status({ host, 'sec-fetch-site': 'same-origin' })).toBe(200);
  });

  it('needs application/json on state-changing calls and application/octet-stream on uploads', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await status({ host, 'content-type': 'application/json; charset=utf-8' }, 'POST')).toBe(200);
    expect(await status({ host, 'content-type': 'text/plain' }, 'POST')).toBe(415);
    expect(await status({ host, 'content-type': 'multipart/form-data; boundary=x' }, 'POST')).toBe(415);
    expect(await status({ host }, 'POST')).toBe(415);
    expect(await status({ host, 'content-type': 'application/octet-stream' }, 'POST', '/upload')).toBe(200);
    expect(await status({ host, 'content-type': 'text/plain' }, 'POST', '/upload')).toBe(415);
  });

  it('with a token, requires it (header or ?token=)', () => {
    const tokenGuard = createRequestGuard({ boundHost: '127.0.0.1', token: 'abc' });
    const req = (headers: Record<string, string>) => ({ headers: { host: '127.0.0.1', ...headers }, method: 'GET' }) as never;
    expect(tokenGuard.check(req({}), new URL('http://x/metrics'))).toMatchObject({ ok: false, status: 401 });
    expect(tokenGuard.check(req({ authorization: 'Bearer abc' }), new URL('http://x/metrics'))).toEqual({ ok: true });
    expect(tokenGuard.check(req({}), new URL('http://x/api/events?token=abc'))).toEqual({ ok: true });
    expect(tokenGuard.check(req({ authorization: 'Bearer abd' }), new URL('http://x/metrics'))).toMatchObject({ ok: false, status: 401 });
  });
});
