// `gpu-pulse textfile` with a real prometheus-node-exporter reading the directory, and a
// reader racing the writer to show it never sees a half-written file.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { run } from '../../src/main/cli/commands/textfile';
import { parseExposition } from '../../src/main/core/exposition';
import { createPulseMetrics } from '../../src/main/core/export/metrics-registry';
import { writeTextfile } from '../../src/main/core/export/textfile';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';
import { captureIo, freePort, startPeer, tempDir, type RunningPeer } from './support/peers';

let fleet: DemoFleetHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let nodeExporter: RunningPeer;

beforeAll(async () => {
  dir = await tempDir('textfile');
  fleet = await startDemoFleet({ instances: 2, basePort: 0, gpus: 8 });
  nodeExporter = await startPeer(
    'nodeExporter',
    (port) => [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir.path}`],
    '/metrics',
  );
}, 60_000);

afterAll(async () => {
  await nodeExporter?.stop();
  await fleet?.close();
  await dir?.remove();
});

async function nodeExporterMetrics() {
  const text = await (await fetch(`${nodeExporter.url}/metrics`)).text();
  return parseExposition(text, { format: 'prometheus', mode: 'lenient' }).families;
}

describe('gpu-pulse textfile', () => {
  it('writes a file that a real node_exporter serves through its textfile collector', async () => {
    const out = join(dir.path, 'gpu_pulse.prom');
    const cap = captureIo(dir.path);
    const code = await run(['--out', 'gpu_pulse.prom', ...fleet.exporters.map((e) => e.url)], cap.io);
    expect({ code, stderr: cap.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(cap.stdout()).toMatch(new RegExp(`^wrote ${out} \\(16 GPUs, \\d+ bytes\\)\\n$`));
    // Only the final file is left: the temporary one was renamed.
    expect(await readdir(dir.path)).toEqual(['gpu_pulse.prom']);

    const families = await nodeExporterMetrics();
    const util = families.find((f) => f.name === 'gpu_pulse_real_utilization_ratio');
    expect(util?.samples).toHaveLength(16);
    expect(new Set(util!.samples.map((s) => s.labels.node))).toEqual(new Set(fleet.exporters.map((e) => e.hostname)));
    expect(families.find((f) => f.name === 'gpu_pulse_health')?.samples).toHaveLength(16);
    expect(families.find((f) => f.name === 'gpu_pulse_targets')?.samples.find((s) => s.labels.state === 'up')?.value).toBe(2);
    const scrapeError = families.find((f) => f.name === 'node_textfile_scrape_error');
    expect(scrapeError?.samples[0].value).toBe(0);
    const mtime = families.find((f) => f.name === 'node_textfile_mtime_seconds');
    expect(mtime?.samples.map((s) => s.labels.file)).toEqual([out]);
  });

  it('exits 1 with every failure named, and writes nothing, when every source fails', async () => {
    const port = await freePort();
    const cap = captureIo(dir.path);
    const code = await run(['--out', 'never.prom', '--timeout', '20s', `http://127.0.0.1:${port}/metrics`], cap.io);
    expect(code).toBe(1);
    expect(cap.stderr()).toMatch(new RegExp(`every source failed:\\n  http://127\\.0\\.0\\.1:${port}/metrics: down`));
    expect(existsSync(join(dir.path, 'never.prom'))).toBe(false);
  });

  it('writes what answered and warns about the rest when only some sources fail', async () => {
    const port = await freePort();
    const cap = captureIo(dir.path);
    const code = await run(['--out', 'partial.prom', fleet.exporters[0].url, `http://127.0.0.1:${port}/metrics`], cap.io);
    expect(code).toBe(0);
    expect(cap.stderr()).toMatch(/warning: http:\/\/127\.0\.0\.1:\d+\/metrics: down/);
    const text = await readFile(join(dir.path, 'partial.prom'), 'utf8');
    expect(parseExposition(text, { format: 'prometheus', mode: 'strict' }).families.find((f) => f.name === 'gpu_pulse_gpu_info')?.samples).toHaveLength(8);
  });

  it('rejects bad usage with exit 2', async () => {
    const cap = captureIo(dir.path);
    expect(await run([fleet.exporters[0].url], cap.io)).toBe(2);
    expect(cap.stderr()).toMatch(/--out PATH is required/);
    const none = captureIo(dir.path);
    expect(await run(['--out', 'x.prom'], none.io)).toBe(2);
    expect(none.stderr()).toMatch(/give at least one SOURCE/);
  });
});

describe('atomic replacement', () => {
  it('never shows a reader (or node_exporter) a half-written file while it is rewritten', async () => {
    const file = join(dir.path, 'race.prom');
    // Two versions of very different sizes, so a torn read could not pass for either.
    const snapshot = (n: number, util: number): GpuSnapshot[] =>
      Array.from({ length: n }, (_, i) => ({
        key: `n/GPU-${i}`,
        node: 'race-node',
        uuid: `GPU-${i}`,
        gpuIndex: i,
        migInstance: null,
        model: 'NVIDIA A100-SXM4-80GB',
        sourceId: 't',
        realUtil: util,
        realUtilMissing: [],
        class: { label: 'Idle', bottleneck: 'idle' },
        health: { state: 'OK', reasons: [] },
        attribution: { pods: [], namespaces: [], jobs: [] },
        readings: {},
        observedAt: 0,
      }));
    const big = createPulseMetrics({ gpus: () => snapshot(2000, 10) });
    const small = createPulseMetrics({ gpus: () => snapshot(3, 90) });
    const versions = new Set([await big.render('prometheus'), await small.render('prometheus')]);
    await writeTextfile(file, small);

    let writing = true;
    let reads = 0;
    const torn: string[] = [];
    const reader = (async () => {
      while (writing) {
        const text = await readFile(file, 'utf8');
        reads++;
        if (!versions.has(text)) torn.push(`${text.length} bytes`);
      }
    })();
    let scrapes = 0;
    const scraper = (async () => {
      while (writing) {
        const families = await nodeExporterMetrics();
        scrapes++;
        const error = families.find((f) => f.name === 'node_textfile_scrape_error')?.samples[0].value;
        if (error !== 0) torn.push(`node_exporter scrape error ${error}`);
        const count = families.find((f) => f.name === 'gpu_pulse_gpu_info')?.samples.filter((s) => s.labels.node === 'race-node').length;
        if (count !== 2000 && count !== 3) torn.push(`node_exporter saw ${count} GPUs`);
      }
    })();
    for (let i = 0; i < 60; i++) await writeTextfile(file, i % 2 === 0 ? big : small);
    writing = false;
    await Promise.all([reader, scraper]);
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(20);
    expect(scrapes).toBeGreaterThan(0);
    expect((await readdir(dir.path)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
