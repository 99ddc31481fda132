// A live targets file against the real file system: the ways a file really changes (renamed over
// by configuration management, appended to in place, broken by a bad edit, deleted and written
// again) each reach the watcher, and a bad edit keeps the list in force.
import { appendFile, mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchTargetsFile, type SourceLoadStatus, type TargetsFileWatcher } from '../../src/main/core/fleet/targets-file-watcher';
import type { TargetConfig } from '../../src/main/core/fleet/target-config';
import { waitFor } from '../helpers/servers';

let dir: string;
let watcher: TargetsFileWatcher | null = null;
let lists: string[][];
let statuses: SourceLoadStatus[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-watch-'));
  lists = [];
  statuses = [];
});

afterEach(async () => {
  watcher?.close();
  watcher = null;
  await rm(dir, { recursive: true, force: true });
});

function start(path: string, rescanMs?: number): TargetsFileWatcher {
  watcher = watchTargetsFile({
    path,
    debounceMs: 50,
    rescanMs,
    onTargets: (targets: TargetConfig[]) => lists.push(targets.map((t) => t.url)),
    onStatus: (status) => statuses.push(status),
  });
  return watcher;
}

const urls = (...hosts: string[]) => hosts.map((h) => `http://${h}/metrics`);
const lastList = () => lists[lists.length - 1];

describe('watchTargetsFile', () => {
  it('follows a file replaced by rename, as configuration management writes it', async () => {
    const path = join(dir, 'nodes.txt');
    await writeFile(path, 'a:9400\nb:9400\n');
    const w = start(path);
    await w.reload();
    expect(lists).toEqual([urls('a:9400', 'b:9400')]);

    const staging = join(dir, '.nodes.txt.tmp');
    await writeFile(staging, 'b:9400\nc:9400\n');
    await rename(staging, path);
    await waitFor('the renamed file', () => lists.length === 2);
    expect(lastList()).toEqual(urls('b:9400', 'c:9400'));

    // The watch survives the inode change: a second rename is seen as well.
    await writeFile(staging, 'c:9400\n');
    await rename(staging, path);
    await waitFor('the second rename', () => lists.length === 3);
    expect(lastList()).toEqual(urls('c:9400'));
  });

  it('follows a file appended to in place', async () => {
    const path = join(dir, 'sd.yml');
    await writeFile(path, '- targets: [a:9400]\n');
    const w = start(path);
    await w.reload();
    await appendFile(path, '- targets: [b:9400]\n  labels: {group: rack2}\n');
    await waitFor('the appended entry', () => lists.length === 2);
    expect(lastList()).toEqual(urls('a:9400', 'b:9400'));
    expect(w.status()).toMatchObject({ targetCount: 2, lastError: null });
  });

  it('keeps the last good list on a bad line and names FILE:LINE, then recovers', async () => {
    const path = join(dir, 'nodes.txt');
    await writeFile(path, 'a:9400\nb:9400\n');
    const w = start(path);
    await w.reload();
    const loadedAt = w.status().lastLoadAt;

    await appendFile(path, 'ftp://c:9400\n');
    await waitFor('the error', () => w.status().lastError !== null);
    expect(w.status().lastError).toBe(`${path}:3: not an http(s) URL or host:port: "ftp://c:9400"`);
    expect(w.status()).toMatchObject({ targetCount: 2, lastLoadAt: loadedAt });
    expect(lists).toHaveLength(1);

    await writeFile(path, 'a:9400\nb:9400\nc:9400\n');
    await waitFor('the fixed file', () => lists.length === 2);
    expect(lastList()).toEqual(urls('a:9400', 'b:9400', 'c:9400'));
    expect(w.status().lastError).toBeNull();
  });

  it('keeps the list while the file is deleted and follows it when it is written again', async () => {
    const path = join(dir, 'sd.json');
    await writeFile(path, JSON.stringify([{ targets: ['a:9400', 'b:9400'] }]));
    const w = start(path);
    await w.reload();

    await unlink(path);
    await waitFor('the missing-file error', () => w.status().lastError !== null);
    expect(w.status().lastError).toBe(`${path}: cannot read (ENOENT, no such file)`);
    expect(w.status().targetCount).toBe(2);
    expect(lists).toHaveLength(1);

    await writeFile(path, JSON.stringify([{ targets: ['b:9400', 'd:9400'] }]));
    await waitFor('the recreated file', () => lists.length === 2);
    expect(lastList()).toEqual(urls('b:9400', 'd:9400'));
    expect(w.status().lastError).toBeNull();
  });

  it('does not report a list again for whitespace or comments', async () => {
    const path = join(dir, 'nodes.txt');
    await writeFile(path, 'a:9400\n');
    const w = start(path);
    await w.reload();
    const reads = statuses.length;
    await writeFile(path, '# rack 1\na:9400   \n\n');
    await waitFor('the re-read', () => statuses.length > reads);
    expect(lists).toHaveLength(1);
  });

  it('finds a file in a directory that appears later through the periodic re-read', async () => {
    const sub = join(dir, 'later');
    const path = join(sub, 'nodes.txt');
    const w = start(path, 100);
    await w.reload();
    expect(w.status().lastError).toMatch(/nodes\.txt: cannot read \(ENOENT/);
    await mkdir(sub);
    await writeFile(path, 'a:9400\n');
    await waitFor('the periodic re-read', () => lists.length === 1);
    expect(lastList()).toEqual(urls('a:9400'));
    // And later changes keep arriving (watched again, or at the latest on the next re-read).
    await appendFile(path, 'b:9400\n');
    await waitFor('the change', () => lists.length === 2);
  });
});
