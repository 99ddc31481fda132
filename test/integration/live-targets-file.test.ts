// `gpu-pulse serve --targets-file FILE` through the built CLI while the file changes the ways it
// does in production: renamed over by configuration management, appended to in place, broken by a
// bad edit, deleted and written again. Targets that stay keep their id and history; removed ones
// stop; added ones start; a bad edit keeps the list and /api/sources names FILE:LINE.
import { appendFile, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceInfo, TargetInfo } from '../../src/shared/api';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import { startCli, type RunningCli } from '../helpers/cli';
import { waitFor } from '../helpers/servers';

describe('gpu-pulse serve --targets-file, live', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let dir: string;
  let file: string;
  let serve: RunningCli;

  beforeAll(async () => {
    for (let i = 1; i <= 3; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 2, hostname: `live-node-${i}`, seed: i }));
    dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-live-'));
    file = join(dir, 'nodes.txt');
    await writeFile(file, `${exporters[0]!.url}\n${exporters[1]!.url}\n`);
    serve = await startCli(['serve', '--port', '0', '--config-dir', join(dir, 'config'), '--targets-file', file, '--interval', '1']);
  }, 30_000);

  afterAll(async () => {
    await serve?.stop();
    await Promise.all(exporters.map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const get = async <T>(path: string): Promise<T> => (await (await fetch(serve.urls[0]! + path)).json()) as T;
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const res = await fetch(`${serve.urls[0]}/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    return ((await res.json()) as { result: T }).result;
  };
  const targetUrls = async () => (await get<TargetInfo[]>('/api/targets')).map((t) => t.url).sort();
  const fileSource = async () => (await get<SourceInfo[]>('/api/sources')).find((s) => s.kind === 'targets-file')!;
  const urlsOf = (...indexes: number[]) => indexes.map((i) => exporters[i]!.url).sort();
  /** History points of one GPU of exporter `i` over the last minute. */
  const historyPoints = async (i: number) => {
    const gpu = (await get<Array<{ key: string; node: string }>>('/api/gpus')).find((g) => g.node === `live-node-${i + 1}`);
    if (!gpu) return 0;
    const history = await call<{ series: Record<string, { t: number[] }> }>('getHistory', { keys: [gpu.key], fields: ['powerWatts'], windowMs: 60_000 });
    return history.series[gpu.key]?.t.length ?? 0;
  };

  it('starts with the listed targets and describes the file in /api/sources', async () => {
    await waitFor('both listed targets up', async () => {
      const targets = await get<TargetInfo[]>('/api/targets');
      return targets.length === 2 && targets.every((t) => t.state === 'up');
    });
    const source = await fileSource();
    expect(source).toMatchObject({ kind: 'targets-file', location: file, targetCount: 2, lastError: null, removable: false });
    expect(typeof source.lastLoadAt).toBe('number');
  });

  it('follows a replace by rename: the target that stays keeps its id and history', async () => {
    const before = await get<TargetInfo[]>('/api/targets');
    const stayingId = before.find((t) => t.url === exporters[1]!.url)!.id;
    await waitFor('some history on the staying target', async () => (await historyPoints(1)) >= 3);
    const pointsBefore = await historyPoints(1);

    const staging = join(dir, '.nodes.txt.new');
    await writeFile(staging, `${exporters[1]!.url}\n${exporters[2]!.url}\n`);
    await rename(staging, file);
    await waitFor('the renamed list in force', async () => JSON.stringify(await targetUrls()) === JSON.stringify(urlsOf(1, 2)));

    const after = await get<TargetInfo[]>('/api/targets');
    expect(after.find((t) => t.url === exporters[1]!.url)!.id).toBe(stayingId);
    expect(await historyPoints(1)).toBeGreaterThanOrEqual(pointsBefore);
    await waitFor('the removed node gone from /api/gpus', async () => {
      const nodes = new Set((await get<Array<{ node: string }>>('/api/gpus')).map((g) => g.node));
      return !nodes.has('live-node-1') && nodes.has('live-node-3');
    });
  });

  it('follows an append in place', async () => {
    await appendFile(file, `${exporters[0]!.url}\n`);
    await waitFor('the appended target', async () => JSON.stringify(await targetUrls()) === JSON.stringify(urlsOf(0, 1, 2)));
    await waitFor('it is scraped', async () => (await get<TargetInfo[]>('/api/targets')).every((t) => t.state === 'up'));
    expect((await fileSource()).targetCount).toBe(3);
  });

  it('keeps the list on a bad line and names FILE:LINE in /api/sources', async () => {
    await appendFile(file, 'gpu-node-4 :9400\n');
    const source = await waitFor('the error in /api/sources', async () => {
      const s = await fileSource();
      return s.lastError ? s : undefined;
    });
    expect(source.lastError).toBe(`${file}:4: expected one URL per line, got "gpu-node-4 :9400"`);
    expect(source.targetCount).toBe(3);
    expect(await targetUrls()).toEqual(urlsOf(0, 1, 2));
  });

  it('keeps the list while the file is deleted and follows it when it is written again', async () => {
    await unlink(file);
    const missing = await waitFor('the missing-file error', async () => {
      const s = await fileSource();
      return s.lastError?.includes('ENOENT') ? s : undefined;
    });
    expect(missing.lastError).toBe(`${file}: cannot read (ENOENT, no such file)`);
    expect(await targetUrls()).toEqual(urlsOf(0, 1, 2));

    await writeFile(file, `${exporters[2]!.url}\n`);
    await waitFor('the recreated list in force', async () => JSON.stringify(await targetUrls()) === JSON.stringify(urlsOf(2)));
    expect(await fileSource()).toMatchObject({ targetCount: 1, lastError: null });
  });
});
