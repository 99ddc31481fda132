// Recordings: what the writer puts in the file (strict OpenMetrics whatever the scrapes
// looked like), the round trip through the reader, crash safety (segments flushed per round,
// recovery after SIGKILL), a clean finish on SIGINT, gzip, dmon captures, and the player.
import { existsSync } from 'node:fs';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { parseExposition, type Family } from '../../src/main/core/exposition';
import {
  RecordingPlayer,
  RecordingWriter,
  finishInterruptedRecording,
  parseRecording,
  partsDirFor,
  readRecording,
  type PlayerClock,
  type Recording,
} from '../../src/main/core/export/recording';
import { formatTimestamp, toRecordedFamilies } from '../../src/main/core/export/recording-format';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';
import { runPromtool, spawnCommand, tempDir } from './support/peers';

const DMON_FIXTURE = resolve(__dirname, '../../../shared/kempnerpulse/dcgmi_dmon_2tick.txt');

function strictOm(text: string) {
  const parsed = parseExposition(text, { format: 'openmetrics', mode: 'strict' });
  expect(parsed.problems).toEqual([]);
  return parsed.families;
}

function fam(name: string, type: Family['type'], samples: Array<[string, Record<string, string>, number | string]>, help: string | null = null): Family {
  return {
    name,
    type,
    help,
    unit: null,
    samples: samples.map(([n, labels, v]) => ({
      name: n,
      labels,
      value: typeof v === 'number' ? v : Number(v),
      valueText: String(v),
      timestampMs: null,
      exemplar: null,
      line: 1,
    })),
  };
}

/** One scrape of an exporter that serves every awkward shape at once. */
function awkwardScrape(i: number): Family[] {
  return [
    fam('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'counter', [['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '0' }, 1000 + i]], 'Energy (in mJ).'),
    fam('requests_total', 'counter', [['requests_total', { code: '200' }, 5 + i]], 'Requests "served"\nso far \\ ever.'),
    fam('temp', 'untyped', [['temp', { gpu: '0', note: 'a "quoted"\nvalue \\ here' }, 40 + i]]),
    fam('big', 'gauge', [['big', {}, '18446744073709551615']]),
    fam('nan', 'gauge', [['nan', {}, 'NaN']]),
    fam('odd', 'gauge', [
      ['odd', {}, 1],
      ['odd_extra', {}, 2],
    ]),
  ];
}

function histogramScrape(i: number): Family[] {
  return [
    fam('lat', 'histogram', [
      ['lat_bucket', { le: '0.1' }, 1 + i],
      ['lat_bucket', { le: '+Inf' }, 2 + i],
      ['lat_sum', {}, 0.5],
      ['lat_count', {}, 2 + i],
    ]),
  ];
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let fleet: DemoFleetHandle;
beforeAll(async () => {
  dir = await tempDir('recording');
  fleet = await startDemoFleet({ instances: 2, basePort: 0, gpus: 8 });
});
afterAll(async () => {
  await fleet?.close();
  await dir?.remove();
});

describe('the recording format', () => {
  it('keeps milliseconds exactly in second timestamps', () => {
    expect(formatTimestamp(1_700_000_000_001)).toBe('1700000000.001');
    expect(formatTimestamp(1_700_000_000_000)).toBe('1700000000.000');
    expect(formatTimestamp(999)).toBe('0.999');
  });

  it('turns families that OpenMetrics would reject into ones it accepts, without renaming samples', () => {
    const [energy] = toRecordedFamilies(awkwardScrape(0)[0]);
    expect([energy.name, energy.type]).toEqual(['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'unknown']);
    const [requests] = toRecordedFamilies(awkwardScrape(0)[1]);
    expect([requests.name, requests.type, requests.samples[0].name]).toEqual(['requests', 'counter', 'requests_total']);
    expect(toRecordedFamilies(histogramScrape(0)[0])[0].type).toBe('histogram');
    expect(toRecordedFamilies(awkwardScrape(0)[5]).map((f) => [f.name, f.type])).toEqual([
      ['odd', 'unknown'],
      ['odd_extra', 'unknown'],
    ]);
  });

  it('writes interleaved scrapes of several sources as strict OpenMetrics that reads back frame by frame', async () => {
    const out = join(dir.path, 'awkward.om');
    const writer = await RecordingWriter.create(out);
    const t0 = 1_700_000_000_123;
    for (let i = 0; i < 3; i++) {
      await writer.append({ source: 'a:9400', timestampMs: t0 + i * 1000, families: awkwardScrape(i) });
      await writer.append({ source: 'b:9400', timestampMs: t0 + i * 1000 + 7, families: awkwardScrape(10 + i) });
    }
    const summary = await writer.close();
    expect(summary).toMatchObject({ path: out, gzip: false, scrapes: 6, firstMs: t0, lastMs: t0 + 2007 });
    expect(existsSync(partsDirFor(out))).toBe(false);
    const text = await readFile(out, 'utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    const families = strictOm(text);
    // Each family once, in one piece.
    expect(families.map((f) => f.name)).toEqual(['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'requests', 'temp', 'big', 'nan', 'odd', 'odd_extra']);
    expect(families.find((f) => f.name === 'requests')!.help).toBe('Requests "served"\nso far \\ ever.');
    const blocks = await runPromtool(['tsdb', 'create-blocks-from', 'openmetrics', out, join(dir.path, 'awkward-blocks')]);
    expect(blocks.stderr).toBe('');
    expect(blocks.code).toBe(0);

    const recording = parseRecording(text);
    expect(recording.sources).toEqual(['a:9400', 'b:9400']);
    expect(recording.frames.map((f) => [f.timestampMs - t0, f.source])).toEqual([
      [0, 'a:9400'],
      [7, 'b:9400'],
      [1000, 'a:9400'],
      [1007, 'b:9400'],
      [2000, 'a:9400'],
      [2007, 'b:9400'],
    ]);
    const frame = recording.frames[3];
    const sample = (name: string) => frame.families.flatMap((f) => f.samples).find((s) => s.name === name)!;
    expect(sample('temp').labels).toEqual({ gpu: '0', note: 'a "quoted"\nvalue \\ here' });
    expect(sample('temp').value).toBe(51);
    expect(sample('big').valueText).toBe('18446744073709551615');
    expect(Number.isNaN(sample('nan').value)).toBe(true);
    expect(sample('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION').value).toBe(1011);
  });

  it('writes each histogram point (all buckets, sum and count of one timestamp) together, in time order', async () => {
    const out = join(dir.path, 'histogram.om');
    const writer = await RecordingWriter.create(out);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 2; i++) {
      await writer.append({ source: 'a', timestampMs: t0 + i * 1000, families: histogramScrape(i) });
      await writer.append({ source: 'b', timestampMs: t0 + i * 1000 + 7, families: histogramScrape(10 + i) });
    }
    await writer.close();
    const point = (source: string, i: number, ts: string) => [
      `lat_bucket{le="0.1",gpu_pulse_source="${source}"} ${1 + i} ${ts}`,
      `lat_bucket{le="+Inf",gpu_pulse_source="${source}"} ${2 + i} ${ts}`,
      `lat_sum{gpu_pulse_source="${source}"} 0.5 ${ts}`,
      `lat_count{gpu_pulse_source="${source}"} ${2 + i} ${ts}`,
    ];
    expect((await readFile(out, 'utf8')).split('\n')).toEqual([
      '# TYPE lat histogram',
      ...point('a', 0, '1700000000.000'),
      ...point('a', 1, '1700000001.000'),
      ...point('b', 10, '1700000000.007'),
      ...point('b', 11, '1700000001.007'),
      '# EOF',
      '',
    ]);
    // Prometheus' own OpenMetrics parser imports every point.
    const blocks = await runPromtool(['tsdb', 'create-blocks-from', 'openmetrics', out, join(dir.path, 'histogram-blocks')]);
    expect(blocks.code).toBe(0);
    expect(blocks.stdout).toMatch(/\s16\s+\d+\s+8\s/);
  });

  it('gzips when the name ends in .gz, and reads it back', async () => {
    const out = join(dir.path, 'small.om.gz');
    const writer = await RecordingWriter.create(out);
    await writer.append({ source: 'a:1', timestampMs: 1_700_000_000_000, families: awkwardScrape(0) });
    const summary = await writer.close();
    expect(summary.gzip).toBe(true);
    const bytes = await readFile(out);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    strictOm(gunzipSync(bytes).toString('utf8'));
    expect((await readRecording(out)).frames).toHaveLength(1);
  });

  it('refuses a file that is a snapshot rather than a recording', () => {
    expect(() => parseRecording('# TYPE a gauge\na 1\n# EOF\n')).toThrow(/no timestamps: it is a snapshot/);
  });
});

describe('crash safety', () => {
  it('recovers every synced scrape from the segments, dropping a line cut short', async () => {
    const out = join(dir.path, 'crashed.om');
    const writer = await RecordingWriter.create(out);
    for (let i = 0; i < 4; i++) await writer.append({ source: 's:1', timestampMs: 1_700_000_000_000 + i * 1000, families: awkwardScrape(i) });
    await writer.sync();
    // The process dies here: no close(). A write was cut mid-line.
    const parts = partsDirFor(out);
    await appendFile(join(parts, '0.seg'), '12:{gpu="0",gpu_pulse_source="s:1"}DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0"} 99');
    await expect(RecordingWriter.create(out)).rejects.toThrow(/holds an interrupted recording .*gpu-pulse record --recover/);
    const summary = await finishInterruptedRecording(out);
    expect(summary.scrapes).toBe(4);
    const recording = parseRecording(await readFile(out));
    expect(recording.frames).toHaveLength(4);
    strictOm(await readFile(out, 'utf8'));
    expect(existsSync(parts)).toBe(false);
  });

  it('a record process killed with SIGKILL loses at most the round in flight, and --recover finishes the file', async () => {
    const out = join(dir.path, 'killed.om');
    const cmd = spawnCommand('record', ['--out', out, '--interval', '500ms', ...fleet.exporters.map((e) => e.url)]);
    await cmd.waitFor(/recording 2 sources/);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    cmd.child.kill('SIGKILL');
    await cmd.exited;
    const killedAfter = Date.now() - started;
    expect(existsSync(out)).toBe(false);
    const recover = spawnCommand('record', ['--recover', out]);
    expect(await recover.exited).toBe(0);
    expect(recover.output()).toMatch(/^wrote .*killed\.om: \d+ scrapes/);
    const recording = parseRecording(await readFile(out));
    const span = recording.endMs - recording.startMs;
    // Rounds every 500 ms: all but the last round or two survive.
    expect(span).toBeGreaterThan(killedAfter - 1500);
    expect(recording.sources.sort()).toEqual(fleet.exporters.map((e) => new URL(e.url).host).sort());
    const blocks = await runPromtool(['tsdb', 'create-blocks-from', 'openmetrics', out, join(dir.path, 'killed-blocks')]);
    expect(blocks.stderr).toBe('');
    expect(blocks.code).toBe(0);
  });

  it('SIGINT stops the recording and finishes the file properly', async () => {
    const out = join(dir.path, 'interrupted.om.gz');
    const cmd = spawnCommand('record', ['--out', out, '--interval', '500ms', fleet.exporters[0].url]);
    await cmd.waitFor(/recording 1 source/);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await cmd.stop('SIGINT')).toBe(0);
    expect(cmd.output()).toMatch(/wrote .*interrupted\.om\.gz: \d+ scrapes, \d+ samples in \d+ families, .* \(gzip\)/);
    const text = gunzipSync(await readFile(out)).toString('utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    strictOm(text);
    expect(existsSync(partsDirFor(out))).toBe(false);
    expect((await readdir(dir.path)).filter((n) => n.includes('interrupted') && n.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 1 and says so when no source answers, and 2 on bad usage', async () => {
    const cmd = spawnCommand('record', ['--out', join(dir.path, 'empty.om'), '--duration', '1s', '--interval', '500ms', 'http://127.0.0.1:9/metrics']);
    expect(await cmd.exited).toBe(1);
    expect(cmd.output()).toMatch(/127\.0\.0\.1:9: not recorded: .*\n[\s\S]*no source answered; the recording is empty/);
    const usage = spawnCommand('record', ['http://127.0.0.1:9/metrics']);
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toMatch(/--out FILE is required/);
  });
});

describe('dcgmi dmon captures', () => {
  it('open as a recording with one frame per tick, spaced by the dmon interval', async () => {
    const recording = await readRecording(DMON_FIXTURE, { dmonIntervalMs: 2000, dmonEndMs: 1_700_000_010_000 });
    expect(recording.kind).toBe('dmon');
    expect(recording.frames.map((f) => f.timestampMs)).toEqual([1_700_000_008_000, 1_700_000_010_000]);
    expect(recording.sources).toEqual(['dcgmi_dmon_2tick.txt']);
    const pipeline = createDcgmPipeline();
    const gpus = recording.frames.map((f) => pipeline.ingest(f.families, { sourceId: 'dmon', fallbackNode: 'dmon-host', observedAt: f.timestampMs }).gpus);
    expect(gpus[1]).toHaveLength(2);
    expect(gpus[1][0].readings.gpuTempC).toBe(39);
  });
});

describe('RecordingPlayer', () => {
  function fakeClock() {
    let now = 0;
    const timers: Array<{ at: number; fn: () => void; id: number }> = [];
    let seq = 0;
    const clock: PlayerClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const id = ++seq;
        timers.push({ at: now + ms, fn, id });
        return id;
      },
      clearTimeout: (id) => {
        const i = timers.findIndex((t) => t.id === id);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = end;
    };
    return { clock, advance };
  }

  const T0 = 1_700_000_000_000;
  const recording: Recording = parseRecording(
    ['# TYPE temp gauge', ...[0, 1, 2, 3, 4, 5].flatMap((i) => [`temp{gpu_pulse_source="a"} ${40 + i} ${formatTimestamp(T0 + i * 5000)}`]), ...[0, 1, 2, 3, 4, 5].map((i) => `load{gpu_pulse_source="b"} ${i} ${formatTimestamp(T0 + i * 5000 + 100)}`), '# EOF', ''].join('\n'),
  );

  function setup() {
    const { clock, advance } = fakeClock();
    const seen: Array<[number, string | null, number]> = [];
    const player = new RecordingPlayer(recording, {
      clock,
      onFrame: (families, t, source) => seen.push([t - T0, source, families[0].samples[0].value]),
    });
    return { player, advance, seen };
  }

  it('emits frames as the playback clock reaches them, faster with a higher speed, not while paused', () => {
    const { player, advance, seen } = setup();
    expect(player.durationMs).toBe(25_100);
    player.play();
    expect(seen).toEqual([[0, 'a', 40]]);
    advance(5000);
    expect(seen.map((s) => s[0])).toEqual([0, 100, 5000]);
    player.pause();
    advance(60_000);
    expect(seen).toHaveLength(3);
    expect(player.status()).toMatchObject({ state: 'paused', positionMs: 5000 });
    player.setSpeed(10);
    player.play();
    advance(1000); // 10 s of recording
    expect(seen.map((s) => s[0])).toEqual([0, 100, 5000, 5100, 10_000, 10_100, 15_000]);
    player.setSpeed(60);
    advance(1000);
    expect(player.status().state).toBe('ended');
    expect(seen).toHaveLength(12);
    expect(() => player.setSpeed(0.5)).toThrow(RangeError);
    expect(() => player.setSpeed(61)).toThrow(/1x to 60x/);
  });

  it('seek shows the values of the new position at once and continues from there', () => {
    const { player, advance, seen } = setup();
    player.seek(12_000);
    // The latest frame of each source at or before 12 s: a@10000, b@10100.
    expect(seen).toEqual([
      [10_000, 'a', 42],
      [10_100, 'b', 2],
    ]);
    seen.length = 0;
    player.seek(100);
    expect(seen).toEqual([
      [0, 'a', 40],
      [100, 'b', 0],
    ]);
    seen.length = 0;
    player.play();
    advance(5000);
    expect(seen.map((s) => s[0])).toEqual([5000, 5100]);
    player.seek(25_000);
    expect(seen.slice(-2)).toEqual([
      [20_100, 'b', 4],
      [25_000, 'a', 45],
    ]);
    advance(200);
    expect(seen.at(-1)).toEqual([25_100, 'b', 5]);
    expect(player.status().state).toBe('ended');
    player.play(); // from the start again
    expect(seen.at(-1)).toEqual([0, 'a', 40]);
    player.dispose();
  });
});

describe('replaying a real recording', () => {
  it('feeds the DCGM pipeline GPU readings that change when seeking', async () => {
    const out = join(dir.path, 'replay.om');
    const cmd = spawnCommand('record', ['--out', out, '--duration', '4s', '--interval', '1s', ...fleet.exporters.map((e) => e.url)]);
    expect(await cmd.exited).toBe(0);
    const recording = await readRecording(out);
    expect(recording.frames).toHaveLength(8);
    const pipelines = new Map<string | null, ReturnType<typeof createDcgmPipeline>>();
    const shown = new Map<string, number | null>();
    const player = new RecordingPlayer(recording, {
      onFrame(families, timestampMs, source) {
        let pipeline = pipelines.get(source);
        if (!pipeline) pipelines.set(source, (pipeline = createDcgmPipeline()));
        for (const gpu of pipeline.ingest(families, { sourceId: source ?? 'rec', fallbackNode: source ?? 'rec', observedAt: timestampMs }).gpus) {
          shown.set(gpu.key, gpu.readings.powerWatts ?? null);
        }
      },
    });
    // Both sources are scraped within the first half second of a round.
    player.seek(500);
    expect(shown.size).toBe(16);
    const first = new Map(shown);
    player.seek(player.durationMs);
    const last = new Map(shown);
    expect([...last.keys()].sort()).toEqual([...first.keys()].sort());
    expect([...last].some(([key, watts]) => watts !== first.get(key))).toBe(true);
  });
});
