// `npm start` (scripts/start.js) fetches Electron's binary on first launch with bounded waits,
// so a machine that cannot reach the download host falls back to serve mode in seconds. The
// fetch is tried here against real loopback servers standing in for the download host: one
// that refuses, one that never answers, one that stalls mid-file and one that answers 404.
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startServer, type TestServer } from '../helpers/servers';

const nodeRequire = createRequire(__filename);
const start = nodeRequire('../../scripts/start.js') as {
  displayProblem(env: Record<string, string | undefined>, platform: string): string | null;
  fetchBinaryArchive(dir: string, options: { firstByteMs: number; stallMs: number; mirrorOptions: { mirror: string } }): Promise<string>;
  fallbackLine(reason: string): string;
};
const electronDir = dirname(nodeRequire.resolve('electron/package.json'));

describe('npm start: where the desktop window can open', () => {
  it('needs a display on Linux (X11 or Wayland), not on macOS or Windows', () => {
    expect(start.displayProblem({}, 'linux')).toMatch(/no display/);
    expect(start.displayProblem({ DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(start.displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(start.displayProblem({}, 'darwin')).toBeNull();
    expect(start.displayProblem({}, 'win32')).toBeNull();
  });

  it('says why and what it does instead in one line', () => {
    const line = start.fallbackLine('Electron 45.6.1 could not be downloaded: getaddrinfo ENOTFOUND github.com');
    expect(line).not.toContain('\n');
    expect(line).toContain('ENOTFOUND');
    expect(line).toContain('gpu-pulse serve --demo');
  });
});

describe("npm start: fetching Electron's binary gives up on an unusable host", () => {
  const sockets = new Set<Socket>();
  let silent: TestServer;
  let stalling: TestServer;
  let missing: TestServer;
  let cache: string;
  const savedCache = process.env.electron_config_cache;
  const quick = { firstByteMs: 400, stallMs: 400 };

  beforeAll(async () => {
    // Electron's download cache goes to a temporary folder, so a failed fetch can be seen to leave nothing.
    cache = mkdtempSync(join(tmpdir(), 'gpu-pulse-electron-cache-'));
    process.env.electron_config_cache = cache;
    silent = await startServer((req) => sockets.add(req.socket)); // accepts, never answers
    stalling = await startServer((req, res) => {
      sockets.add(req.socket);
      res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
      res.write(Buffer.alloc(64 * 1024)); // then nothing more
    });
    missing = await startServer((_req, res) => res.writeHead(404).end('Not Found'));
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([silent?.close(), stalling?.close(), missing?.close()]);
    if (savedCache === undefined) delete process.env.electron_config_cache;
    else process.env.electron_config_cache = savedCache;
  });

  const mirror = (server: TestServer) => ({ mirror: `http://127.0.0.1:${server.port}/` });

  it('reports a refused connection', async () => {
    const url = await refusedUrl();
    await expect(start.fetchBinaryArchive(electronDir, { ...quick, mirrorOptions: { mirror: url.replace('/metrics', '/') } })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops waiting for a host that never answers', async () => {
    await expect(start.fetchBinaryArchive(electronDir, { ...quick, mirrorOptions: mirror(silent) })).rejects.toThrow('no answer from the download host within 0.4 s');
  });

  it('stops a download that stalls', async () => {
    await expect(start.fetchBinaryArchive(electronDir, { ...quick, mirrorOptions: mirror(stalling) })).rejects.toThrow('the download stalled for 0.4 s');
  });

  it('reports an HTTP error with its status, and leaves nothing in the cache', async () => {
    await expect(start.fetchBinaryArchive(electronDir, { ...quick, mirrorOptions: mirror(missing) })).rejects.toThrow(/Response code 404/);
    expect(readdirSync(cache)).toEqual([]);
  });
});
