// The acceptance for recordings: 60 s of three demo exporters recorded by
// `gpu-pulse record`, imported with `promtool tsdb create-blocks-from openmetrics`, and a real
// Prometheus started on those blocks answers DCGM_FI_DEV_GPU_TEMP over that minute.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/main/core/exposition';
import { readRecording } from '../../src/main/core/export/recording';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';
import { promQuery, runPromtool, spawnCommand, startPrometheus, tempDir, type RunningPeer } from './support/peers';

let dir: Awaited<ReturnType<typeof tempDir>>;
let fleet: DemoFleetHandle;
let prometheus: RunningPeer | undefined;

beforeAll(async () => {
  dir = await tempDir('rec-accept');
  fleet = await startDemoFleet({ instances: 3, basePort: 0, gpus: 8 });
});

afterAll(async () => {
  await prometheus?.stop();
  await fleet?.close();
  await dir?.remove();
});

describe('a 60 s recording of three demo exporters', () => {
  it('passes promtool tsdb create-blocks-from openmetrics, and Prometheus on those blocks answers for that minute', async () => {
    const out = join(dir.path, 'fleet.om.gz');
    const cmd = spawnCommand('record', ['--out', out, '--duration', '60s', ...fleet.exporters.map((e) => e.url)]);
    expect(await cmd.exited).toBe(0);
    expect(cmd.output()).toMatch(/recording 3 sources to .* every 5s for 60s/);
    expect(cmd.output()).toMatch(/wrote .*fleet\.om\.gz: 36 scrapes, \d+ samples/);

    // The file: strict OpenMetrics, 12 rounds per source over the minute.
    const text = gunzipSync(await readFile(out)).toString('utf8');
    expect(parseExposition(text, { format: 'openmetrics', mode: 'strict' }).problems).toEqual([]);
    const recording = await readRecording(out);
    expect(recording.frames).toHaveLength(36);
    expect(recording.sources).toHaveLength(3);
    expect(recording.endMs - recording.startMs).toBeGreaterThanOrEqual(54_000);
    expect(recording.endMs - recording.startMs).toBeLessThan(60_000);

    // promtool reads plain text only, as its documentation says: gunzip first.
    const plain = join(dir.path, 'fleet.om');
    await writeFile(plain, text);
    const data = join(dir.path, 'tsdb');
    const imported = await runPromtool(['tsdb', 'create-blocks-from', 'openmetrics', plain, data]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/BLOCK ULID/);

    prometheus = await startPrometheus({
      dir: dir.path,
      config: 'global:\n  scrape_interval: 1m\nscrape_configs: []\n',
      dataDir: data,
    });
    const start = (recording.startMs / 1000).toFixed(3);
    const end = (recording.endMs / 1000 + 1).toFixed(3);
    const series = await promQuery(prometheus.url, 'DCGM_FI_DEV_GPU_TEMP', { start, end, step: '5' }, '/api/v1/query_range');
    expect(series).toHaveLength(24);
    expect(new Set(series.map((s) => s.metric.Hostname))).toEqual(new Set(fleet.exporters.map((e) => e.hostname)));
    for (const s of series) {
      expect(s.values!.length).toBeGreaterThanOrEqual(11);
      expect(s.values!.every(([, v]) => Number(v) > 0 && Number(v) < 120)).toBe(true);
    }
    // Every recorded point of the minute is in the TSDB: 12 rounds per GPU.
    const counts = await promQuery(prometheus.url, 'count_over_time(DCGM_FI_DEV_GPU_TEMP[61s])', { time: end });
    expect(counts).toHaveLength(24);
    expect(counts.every((c) => c.value![1] === '12')).toBe(true);
    // The recorded values themselves, not just something: a sample read from the file is what Prometheus returns.
    const firstFrame = recording.frames[0];
    const temp = firstFrame.families.find((f) => f.name === 'DCGM_FI_DEV_GPU_TEMP')!.samples[0];
    const atFirst = await promQuery(prometheus.url, `DCGM_FI_DEV_GPU_TEMP{UUID="${temp.labels.UUID}"}`, { time: (firstFrame.timestampMs / 1000).toFixed(3) });
    expect(atFirst.map((s) => Number(s.value![1]))).toEqual([temp.value]);
  }, 180_000);
});
