// An exporter that refreshes slower than it is polled serves the same bytes again; the scrape
// succeeds and keeps the target fresh, but the body is not parsed or translated twice, and the
// GPU's data keeps the time it was last new. A body that changes is read as always.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { makeTargetConfig } from '../../src/main/core/fleet/target-input';
import { memorySettingsStore } from '../../src/main/core/settings/store';
import { defaultSettings } from '../../src/main/core/settings/schema';
import { startServer, waitFor, type TestServer } from '../helpers/servers';

const body = (powerWatts: number) =>
  [
    '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
    '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
    `DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-aaaa",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="same-node"} ${powerWatts}`,
    '',
  ].join('\n');

const counter = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('identical scrape bodies', () => {
  let server: TestServer;
  let service: PulseService;
  let power = 250;
  let served = 0;

  beforeAll(async () => {
    server = await startServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(body(power));
    });
    const settings = defaultSettings();
    settings.targets = [makeTargetConfig({ id: 'same', url: server.url, intervalMs: 1000 })];
    service = new PulseService({ mode: 'serve', version: 'test', settings: memorySettingsStore(settings), demo: 'off', tickBatchMs: 50 });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await server?.close();
  });

  it('skips a body that repeats the last one, keeps the target up and the data at the time it was new', async () => {
    const first = await waitFor('the GPU', async () => (await service.getGpus())[0]);
    expect(first.readings.powerWatts).toBe(250);
    const servedAtFirst = served;
    await waitFor('three more scrapes', () => (served >= servedAtFirst + 3 ? true : undefined), 15_000);
    const text = await service.metrics.render('prometheus');
    expect(counter(text, 'gpu_pulse_scrape_identical_bodies_total')).toBeGreaterThanOrEqual(2);
    const [again] = await service.getGpus();
    expect(again!.observedAt).toBe(first.observedAt);
    const [target] = await service.getTargets();
    expect(target!.state).toBe('up');
    expect(target!.lastSuccessAt!).toBeGreaterThan(first.observedAt);
  });

  it('reads a body that changed', async () => {
    const before = (await service.getGpus())[0]!;
    power = 612;
    const after = await waitFor('the new power reading', async () => {
      const [gpu] = await service.getGpus();
      return gpu?.readings.powerWatts === 612 ? gpu : undefined;
    });
    expect(after.observedAt).toBeGreaterThan(before.observedAt);
    const text = await service.metrics.render('prometheus');
    expect(counter(text, 'gpu_pulse_scrape_start_lag_seconds_count')).toBeGreaterThanOrEqual(5);
  });
});
