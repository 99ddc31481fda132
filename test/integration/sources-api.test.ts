// Sources added through the PulseApi, as the desktop app's dialog does (its IPC handler hands the
// picked file's path to addSource): a targets file is loaded, saved in settings, comes back after
// a restart, and takes its targets with it when removed; a path that cannot be read is refused
// and nothing is saved. Real files and real demo exporters throughout.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { memorySettingsStore, type SettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startDemoExporter } from '../../src/main/core/sources/demo';
import type { DemoFleetHandle } from '../../src/main/core/fleet/demo-targets';
import { waitFor } from '../helpers/servers';

describe('sources through the PulseApi', () => {
  const exporters: Array<Awaited<ReturnType<typeof startDemoExporter>>> = [];
  let dir: string;
  let file: string;
  let settings: SettingsStore;

  beforeAll(async () => {
    for (let i = 1; i <= 2; i++) exporters.push(await startDemoExporter({ port: 0, gpus: 1, hostname: `api-node-${i}`, seed: 30 + i }));
    dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-sources-'));
    file = join(dir, 'nodes.txt');
    await writeFile(file, exporters.map((e) => e.url).join('\n'));
    settings = memorySettingsStore(defaultSettings());
  });

  afterAll(async () => {
    await Promise.all(exporters.map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const desktop = (demoClosed?: () => void) =>
    new PulseService({
      mode: 'desktop',
      version: 'test',
      settings,
      demo: 'auto',
      // A stand-in demo fleet: the test only needs to see it replaced.
      startDemoFleet: async (): Promise<DemoFleetHandle> => ({ exporters: [], close: async () => demoClosed?.() }),
    });

  it('adds a targets file, replacing the demo fleet, and saves it', async () => {
    let demoClosed = false;
    const service = desktop(() => (demoClosed = true));
    await service.start();
    try {
      await expect(service.addSource({ kind: 'targets-file', path: join(dir, 'missing.txt') })).rejects.toThrow(/missing\.txt: cannot read \(ENOENT/);
      expect(settings.load().sources).toEqual([]);

      const info = await service.addSource({ kind: 'targets-file', path: file, intervalMs: 1_000 });
      expect(info).toMatchObject({ kind: 'targets-file', location: file, targetCount: 2, lastError: null, removable: true });
      expect(demoClosed).toBe(true);
      expect(settings.load().sources).toEqual([{ id: info.id, kind: 'targets-file', path: file, intervalMs: 1_000 }]);
      await waitFor('both listed exporters up', async () => (await service.getTargets()).filter((t) => t.state === 'up').length === 2);
      await expect(service.addSource({ kind: 'targets-file', path: file })).rejects.toThrow(/already a source/);
    } finally {
      await service.stop();
    }
  });

  it('loads the saved source again after a restart, and removing it removes its targets', async () => {
    const service = desktop();
    await service.start();
    try {
      const targets = await service.getTargets();
      expect(targets.map((t) => t.url).sort()).toEqual(exporters.map((e) => e.url).sort());
      const [source] = await service.getSources();
      expect(source).toMatchObject({ kind: 'targets-file', targetCount: 2 });
      await service.removeSource(source!.id);
      expect(await service.getTargets()).toEqual([]);
      expect(settings.load().sources).toEqual([]);
    } finally {
      await service.stop();
    }
  });
});
