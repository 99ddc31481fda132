// Serve mode reads no file a request names: files reach it by upload or through folders the
// operator allowed with --allow-dir. Errors never quote a refused file.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../helpers/cli';
import { waitFor } from '../helpers/servers';

const SECRET_LINE = 'root-password=hunter2-do-not-leak';

describe('serve mode: files named by a request', () => {
  let serve: RunningCli;
  let base: string;
  let work: string;
  let allowed: string;
  let outside: string;

  const call = async (method: string, ...args: unknown[]) => {
    const res = await fetch(`${base}/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { result?: any; error?: string } };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gpu-pulse-sec-files-'));
    allowed = join(work, 'captures');
    mkdirSync(allowed);
    outside = join(work, 'private.txt');
    writeFileSync(outside, `${SECRET_LINE}\nsecond line\n`);
    writeFileSync(join(allowed, 'ok.prom'), '# TYPE up gauge\nup 1\n');
    symlinkSync(outside, join(allowed, 'link.prom'));
    serve = await startCli(['serve', '--port', '0', '--config-dir', join(work, 'config'), '--allow-dir', allowed]);
    base = serve.urls[0]!;
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it('refuses inspectPath of /etc/passwd and of a file outside the allowed folders, quoting nothing', async () => {
    for (const path of ['/etc/passwd', outside, join(allowed, '..', 'private.txt'), join(allowed, 'link.prom')]) {
      const answer = await call('inspectPath', path);
      expect(answer.status, path).toBe(403);
      expect(answer.body.error).toMatch(/--allow-dir/);
      expect(answer.text).not.toContain('root:');
      expect(answer.text).not.toContain(SECRET_LINE);
    }
    // Nothing was opened, so there is no source to read either.
    const list = await call('listInspections');
    expect(list.body.result).toEqual([]);
  });

  it('refuses openReplay outside the allowed folders without quoting the file', async () => {
    for (const path of ['/etc/passwd', outside, join(allowed, 'link.prom')]) {
      const answer = await call('openReplay', path);
      expect(answer.status, path).toBe(403);
      expect(answer.text).not.toContain(SECRET_LINE);
      expect(answer.text).not.toContain('root:');
    }
  });

  it('refuses TLS file paths outside the allowed folders', async () => {
    const answer = await call('addTarget', { url: 'https://127.0.0.1:1/metrics', tls: { caFile: outside } });
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain(SECRET_LINE);
  });

  it('refuses a targets file source outside the allowed folders, quoting nothing; follows one inside', async () => {
    for (const path of ['/etc/passwd', outside, join(allowed, 'link.prom')]) {
      const answer = await call('addSource', { kind: 'targets-file', path });
      expect(answer.status, path).toBe(403);
      expect(answer.text).not.toContain(SECRET_LINE);
      expect(answer.text).not.toContain('root:');
    }
    const discovery = await call('addSource', { kind: 'prometheus-discovery', url: 'https://127.0.0.1:1', tls: { caFile: outside } });
    expect(discovery.status).toBe(403);
    writeFileSync(join(allowed, 'nodes.txt'), '127.0.0.1:1\n');
    const inside = await call('addSource', { kind: 'targets-file', path: join(allowed, 'nodes.txt') });
    expect(inside.status).toBe(200);
    expect(inside.body.result).toMatchObject({ kind: 'targets-file', targetCount: 1, lastError: null, removable: true });
  });

  it('opens a file inside an allowed folder', async () => {
    const answer = await call('inspectPath', join(allowed, 'ok.prom'));
    expect(answer.status).toBe(200);
    const done = await waitFor('inspection done', async () => {
      const info = (await call('getInspection', answer.body.result.id)).body.result;
      return info.status === 'done' ? info : undefined;
    });
    expect(done.sampleCount).toBe(1);
  });
});
