// The Inspector with its real worker thread (worker.ts through tsx, as from source): genuine
// dcgm-exporter captures, broken files, gzip, dmon, uploads, compare and close.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Inspector } from '../../src/main/core/inspect/inspector';
import { DMON, H100, L4, L40S, recordingInspector, tempDir, untilSettled } from './support';
import { writeLargeDcgmFile } from './large-file';

const tmp = tempDir();
const open: Inspector[] = [];
function make() {
  const r = recordingInspector();
  open.push(r.inspector);
  return r;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.dispose()));
});
afterAll(() => tmp.remove());

const BROKEN = `# HELP up Whether the target is up.
# TYPE up gauge
up{job="a"} 1
up{job="b" 1
temp{gpu="0"} warm
# TYPE up counter
ok_metric 3
`;

describe('Inspector', () => {
  it('parses a genuine dcgm-exporter capture into families, series and the same GPU card as live', async () => {
    const { inspector, changes } = make();
    const started = await inspector.inspectPath(L4);
    expect(started).toMatchObject({ name: 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom', status: 'parsing', progress: 0 });
    const info = await untilSettled(inspector, started.id);
    expect(info).toMatchObject({ status: 'done', progress: 1, format: 'prometheus', sampleCount: 23, error: null, gpuTotal: 1 });
    expect(info.sizeBytes).toBe(readFileSync(L4).length);
    expect(info.families).toHaveLength(23);
    expect(info.families[0]).toEqual({ name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock frequency (in MHz).', unit: null, seriesCount: 1 });
    expect(info.families.find((f) => f.name === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')?.type).toBe('counter');
    expect(info.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(info.gpus).toHaveLength(1);
    expect(info.gpus[0]).toMatchObject({ node: 'i-030791dc5a37cd257', model: 'NVIDIA L4', gpuIndex: 0, sourceId: started.id });
    expect(info.gpus[0]!.health.state).toMatch(/OK|WARN|HOT|CRIT/);

    const page = inspector.series(started.id, { family: 'DCGM_FI_DEV_GPU_TEMP', offset: 0, limit: 10 });
    expect(page.total).toBe(1);
    const row = page.rows[0]!;
    expect(row.labels).toMatchObject({ gpu: '0', modelName: 'NVIDIA L4', Hostname: 'i-030791dc5a37cd257' });
    const fileLines = readFileSync(L4, 'utf8').split('\n');
    expect(fileLines[row.line - 1]).toContain(`DCGM_FI_DEV_GPU_TEMP{`);
    expect(fileLines[row.line - 1]!.endsWith(` ${row.valueText}`)).toBe(true);

    // Every published change is for this file, progress never goes back, and the last one is done.
    const mine = changes.filter((c) => c.id === started.id);
    expect(mine.at(-1)!.status).toBe('done');
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.progress).toBeGreaterThanOrEqual(mine[i - 1]!.progress);
    expect(inspector.list().map((i) => i.id)).toEqual([started.id]);
  });

  it('reports each problem of a broken file with line and column, and shows its source line', async () => {
    const file = join(tmp.dir, 'broken.prom');
    writeFileSync(file, BROKEN);
    const { inspector } = make();
    const info = await untilSettled(inspector, (await inspector.inspectPath(file)).id);
    expect(info.status).toBe('done');
    // Lenient mode: what Prometheus rejects is an error, what it tolerates a warning.
    expect(info.problems.map((p) => [p.line, p.severity])).toEqual([
      [4, 'error'],
      [5, 'error'],
      [6, 'warning'],
    ]);
    const errors = info.problems.filter((p) => p.severity === 'error');
    for (const p of info.problems) {
      expect(p.column).toBeGreaterThanOrEqual(1);
      expect(p.message.length).toBeGreaterThan(5);
    }
    const value = errors.find((p) => p.line === 5)!;
    expect(value.column).toBe(BROKEN.split('\n')[4]!.indexOf('warm') + 1);
    // What could be read is still shown.
    expect(info.families.map((f) => f.name)).toEqual(expect.arrayContaining(['up', 'ok_metric']));

    const source = await inspector.source(info.id, { line: 5, context: 1 });
    expect(source).toEqual({ firstLine: 4, lines: ['up{job="b" 1', 'temp{gpu="0"} warm', '# TYPE up counter'] });
  });

  it('accepts gzip by its magic bytes, whatever the name, and reads source lines from it', async () => {
    const file = join(tmp.dir, 'capture.bin');
    writeFileSync(file, gzipSync(readFileSync(L40S)));
    const { inspector } = make();
    const info = await untilSettled(inspector, (await inspector.inspectPath(file)).id);
    expect(info).toMatchObject({ status: 'done', format: 'prometheus' });
    expect(info.families).toHaveLength(23);
    expect(info.gpus.map((g) => g.model)).toEqual(['NVIDIA L40S']);
    const plainLines = readFileSync(L40S, 'utf8').split('\n');
    expect((await inspector.source(info.id, { line: 30, context: 0 })).lines).toEqual([plainLines[29]]);
  });

  it('detects OpenMetrics by its # EOF', async () => {
    const file = join(tmp.dir, 'x.om');
    writeFileSync(file, '# TYPE a counter\n# HELP a Things.\na_total 3\n# EOF\n');
    const { inspector } = make();
    const info = await untilSettled(inspector, (await inspector.inspectPath(file)).id);
    expect(info).toMatchObject({ status: 'done', format: 'openmetrics', sampleCount: 1 });
    expect(info.families).toEqual([{ name: 'a', type: 'counter', help: 'Things.', unit: null, seriesCount: 1 }]);
  });

  it('reads a dcgmi dmon capture: every tick as series, the last tick as GPU cards', async () => {
    const { inspector } = make();
    const info = await untilSettled(inspector, (await inspector.inspectPath(DMON)).id);
    expect(info).toMatchObject({ status: 'done', format: 'dmon' });
    expect(info.gpus.map((g) => g.gpuIndex)).toEqual([0, 1]);
    expect(info.gpus[0]!.readings.smActive).toBeCloseTo(0.95);
    const power = info.families.find((f) => f.name === 'DCGM_FI_DEV_POWER_USAGE')!;
    expect(power.seriesCount).toBe(2);
    const rows = inspector.series(info.id, { family: 'DCGM_FI_DEV_POWER_USAGE', offset: 0, limit: 10 }).rows;
    expect(rows.map((r) => [r.line, r.valueText])).toEqual([
      [3, '350.5'],
      [4, '352.1'],
      [5, '351.0'],
      [6, '353.0'],
    ]);
  });

  it('rejects a path that is not a readable file, with the reason', async () => {
    const { inspector } = make();
    await expect(inspector.inspectPath(join(tmp.dir, 'nope.prom'))).rejects.toThrow(/no such file/);
    await expect(inspector.inspectPath(tmp.dir)).rejects.toThrow(/not a file/);
    expect(inspector.list()).toEqual([]);
    expect(() => inspector.get('missing')).toThrow(/no open file with id missing/);
  });

  it('keeps an upload in a private temp file while open and removes it on close', async () => {
    const { inspector, changes } = make();
    const bytes = readFileSync(H100);
    async function* body() {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    }
    const started = await inspector.inspectStream('../../etc/evil name.prom', body(), bytes.length);
    expect(started.name).toBe('evil name.prom');
    expect(changes.some((c) => c.id === started.id && c.phase === 'uploading' && c.progress > 0 && c.progress <= 0.25)).toBe(true);
    const info = await untilSettled(inspector, started.id);
    expect(info).toMatchObject({ status: 'done', sizeBytes: bytes.length });
    expect(info.gpus).toHaveLength(8);
    const source = await inspector.source(info.id, { line: 1, context: 0 });
    expect(source.lines[0]).toBe(bytes.toString().split('\n')[0]);
    const tempFile = (inspector as unknown as { entries: Map<string, { path: string }> }).entries.get(info.id)!.path;
    expect(existsSync(tempFile)).toBe(true);
    inspector.close(info.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(dirname(tempFile))).toBe(false);
    expect(() => inspector.get(info.id)).toThrow(/closed/);
  });

  it('marks an upload that breaks off as failed and says why', async () => {
    const { inspector } = make();
    async function* body() {
      yield Buffer.from('up 1\n');
      throw new Error('connection reset');
    }
    await expect(inspector.inspectStream('cut.prom', body(), 100)).rejects.toThrow(/connection reset/);
    expect(inspector.list()[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/did not complete.*connection reset/) });
  });

  it('compares two files GPU by GPU', async () => {
    const { inspector } = make();
    const a = await untilSettled(inspector, (await inspector.inspectPath(L4)).id);
    const b = await untilSettled(inspector, (await inspector.inspectPath(L40S)).id);
    const comparison = inspector.compare(a.id, b.id);
    expect(comparison.a).toBe(a.id);
    // Two single-GPU machines: GPU 0 pairs with GPU 0.
    expect(comparison.rows).toHaveLength(1);
    expect(comparison.rows[0]!.a!.model).toBe('NVIDIA L4');
    expect(comparison.rows[0]!.b!.model).toBe('NVIDIA L40S');
  });

  it('parses off the main thread: timers keep firing while a large file parses, and close stops it', async () => {
    const file = join(tmp.dir, 'large.prom');
    await writeLargeDcgmFile(file, 12e6);
    const { inspector, changes } = make();
    const started = await inspector.inspectPath(file);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let ticksAtFirstProgress = -1;
    while (inspector.get(started.id).status === 'parsing') {
      if (ticksAtFirstProgress < 0 && changes.some((c) => c.id === started.id && c.progress > 0.05)) ticksAtFirstProgress = ticks;
      await new Promise((r) => setTimeout(r, 5));
    }
    clearInterval(timer);
    const info = inspector.get(started.id);
    expect(info.status).toBe('done');
    expect(info.sampleCount).toBeGreaterThan(40_000);
    // Progress reached main in many steps while the parse ran, and main's timers ran meanwhile.
    const steps = changes.filter((c) => c.id === started.id && c.status === 'parsing');
    expect(new Set(steps.map((c) => c.phase))).toEqual(new Set(['reading', 'parsing', 'indexing', 'computing']));
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.length).toBeLessThan(250); // throttled: about once per percent at most
    expect(ticks - ticksAtFirstProgress).toBeGreaterThan(3);

    const again = await inspector.inspectPath(file);
    inspector.close(again.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(changes.filter((c) => c.id === again.id).every((c) => c.status === 'parsing')).toBe(true);
    expect(inspector.list().map((i) => i.id)).toEqual([started.id]);
  });
});
