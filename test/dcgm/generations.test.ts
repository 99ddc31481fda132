// Issue 22 on capture-shaped fixtures (test/dcgm/fixtures/README.md): every exporter generation
// and field spelling of DCGM.md, MIG instances, missing inputs, two hosts with gpu="0", and the
// same files with CRLF and lone-CR line ends.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/snapshot';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { parseExposition } from '../../src/main/core/exposition';
import type { GpuSnapshot } from '../../src/shared/gpu';

const fixtures = path.join(__dirname, 'fixtures');
const MIB = 2 ** 20;
const read = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'gpu-pulse-generations-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ingest(texts: string[]): GpuSnapshot[] {
  const pipeline = createDcgmPipeline();
  let gpus: GpuSnapshot[] = [];
  texts.forEach((text, i) => {
    const parsed = parseExposition(text, { mode: 'lenient' });
    gpus = pipeline.ingest(parsed.families, { sourceId: 'f', fallbackNode: 'file', observedAt: 1_700_000_000_000 + i * 15_000 }).gpus;
  });
  return gpus;
}

const byKey = (gpus: GpuSnapshot[]) => new Map(gpus.map((g) => [g.key, g]));
const codes = (g: GpuSnapshot) => g.health.reasons.map((r) => `${r.state} ${r.code}`);

async function snapshot(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), readStdin: async () => Buffer.alloc(0), cwd: fixtures });
  return { code, stdout, stderr };
}

describe('exporter 1.x: lowercase dcgm_* names, label uuid', () => {
  it('reads ECC and retired-page counters; a double-bit count that rises while watched is CRIT with the remedy', () => {
    const first = byKey(ingest([read('exporter-1x-lowercase.prom')]));
    const b = first.get('file/GPU-1x0000-b')!;
    expect(b.readings).toMatchObject({ eccDbeVolatileTotal: 0, eccDbeAggregateTotal: 2, retiredPagesSbe: 3, retiredPagesDbe: 1, retiredPagesPending: 0 });
    expect(b.health.state).toBe('OK'); // lifetime history only: notes, not alarms
    expect(codes(b)).toEqual(['OK ecc-double-bit-history', 'OK retired-pages']);

    const second = byKey(ingest([read('exporter-1x-lowercase.prom'), read('exporter-1x-lowercase-2.prom')])).get('file/GPU-1x0000-b')!;
    expect(second.health.state).toBe('CRIT');
    const dbe = second.health.reasons.find((r) => r.code === 'ecc-double-bit-new')!;
    expect(dbe.state).toBe('CRIT');
    expect(dbe.message).toContain('drain and reset the GPU');
  });

  it('GR is GPU_UTIL standing in, marked; the memory total is used + free, marked approximate', () => {
    const a = byKey(ingest([read('exporter-1x-lowercase.prom')])).get('file/GPU-1x0000-a')!;
    expect(a.substitutes).toEqual({ grEngineActive: 'gpuUtil' });
    expect(a.readings.grEngineActive).toBeUndefined(); // the reading itself is never faked
    expect(a.readings.fbTotalBytes).toBe(16150 * MIB);
    expect(a.approximate).toEqual(['fbTotalBytes']);
  });
});

describe('exporter 2.x: every HELP/TYPE first, the blank sentinel, a T4', () => {
  const [t4] = ingest([read('exporter-2x-help-first-t4.prom')]);

  it('memory temperature 0 on a GDDR board is not supported (null), the sentinel power is excluded', () => {
    expect(t4.node).toBe('gke-t4-1');
    expect(t4.readings.memTempC).toBeNull();
    expect(t4.readings.gpuTempC).toBe(71);
    expect(t4.readings).not.toHaveProperty('powerWatts');
    expect(t4.readings.fbTotalBytes).toBe(15000 * MIB);
    expect(t4.approximate).toEqual(['fbTotalBytes']);
  });

  it('decodes CLOCK_THROTTLE_REASONS 9 (idle + HW slowdown): HW slowdown is WARN; a pending page retirement is CRIT', () => {
    expect(t4.readings.clockEventReasons).toBe(9);
    expect(codes(t4)).toEqual(['CRIT page-retirement-pending', 'WARN clocks-hw-slowdown', 'OK retired-pages']);
    expect(t4.health.reasons[0].message).toContain('drain and reset the GPU');
  });
});

describe('exporter 4.x: pod labels, lowercase hostname, MIG instances', () => {
  const gpus = byKey(ingest([read('exporter-4x-mig-pods.prom')]));

  it('keeps the two GPU instances apart under their parent, attributed to their pods', () => {
    expect([...gpus.keys()]).toEqual(['a100-node/GPU-4x0000-a100/mig-1', 'a100-node/GPU-4x0000-a100/mig-2']);
    const gi1 = gpus.get('a100-node/GPU-4x0000-a100/mig-1')!;
    expect(gi1.migInstance).toEqual({ id: '1', profile: '3g.40gb' });
    expect(gi1.attribution.pods).toEqual(['train-0']);
    expect(gi1.parentKey).toBe('a100-node/GPU-4x0000-a100');
    expect(gi1.readings.fbTotalBytes).toBe((20000 + 20000 + 512) * MIB);
    expect(gi1.approximate).toBeUndefined();
    expect(gi1.substitutes).toBeUndefined();
    expect(gi1.readings.memTempC).toBe(79); // HBM: a real reading
  });

  it('decodes CLOCKS_EVENT_REASONS 68 (SW power cap + HW thermal): HW thermal is WARN, the power cap is not; a volatile DBE is WARN', () => {
    const gi1 = gpus.get('a100-node/GPU-4x0000-a100/mig-1')!;
    expect(codes(gi1)).toEqual(['WARN ecc-double-bit', 'WARN clocks-hw-thermal']);
    expect(gi1.class.label).toBe('tensor-heavy compute');
  });

  it('an idle instance without copy or PCIe counters is unknown, naming them', () => {
    expect(gpus.get('a100-node/GPU-4x0000-a100/mig-2')!.class).toEqual({ label: 'unknown (no memory-copy or PCIe counters)', bottleneck: 'unknown' });
  });
});

describe('two hosts that both call their GPU gpu="0"', () => {
  it('are two GPUs, each with its own readings', () => {
    const gpus = byKey(ingest([read('two-hosts-gpu0.prom')]));
    expect([...gpus.keys()]).toEqual(['host-1/GPU-host1-0', 'host-2/GPU-host2-0']);
    expect(gpus.get('host-1/GPU-host1-0')!.readings.memTempC).toBe(45);
    expect(gpus.get('host-2/GPU-host2-0')!.readings.memTempC).toBeNull(); // RTX 4000 Ada: GDDR
    // An 80 GB A800 with 2 MiB used shows its total, not "0.0 GiB".
    expect(gpus.get('host-1/GPU-host1-0')!.readings.fbTotalBytes).toBe(81920 * MIB);
  });
});

describe('a T4 serving profiling counters only', () => {
  it('is unknown naming DRAM and GR rather than "mixed / moderate"', () => {
    for (const g of ingest([read('t4-profiling-only.prom')])) {
      expect(g.class.bottleneck).toBe('unknown');
      expect(g.class.label).toMatch(/^unknown \(no DRAM, GR/);
    }
  });
});

describe('CRLF and lone-CR line ends', () => {
  const files = ['exporter-1x-lowercase.prom', 'exporter-2x-help-first-t4.prom', 'exporter-4x-mig-pods.prom', 'two-hosts-gpu0.prom', 't4-profiling-only.prom'];
  it.each(files)('%s: the same GPUs and readings as with LF', (file) => {
    const lf = ingest([read(file)]);
    expect(lf.length).toBeGreaterThan(0);
    expect(ingest([read(file).replace(/\n/g, '\r\n')])).toEqual(lf);
    expect(ingest([read(file).replace(/\n/g, '\r')])).toEqual(lf);
  });

  it('snapshot reads a CRLF file with a warning saying what was tolerated, and exits 0', async () => {
    const file = path.join(tmp, 'windows.prom');
    writeFileSync(file, read('exporter-2x-help-first-t4.prom').replace(/\n/g, '\r\n'));
    const { code, stdout, stderr } = await snapshot([file]);
    expect(code).toBe(0);
    expect(stdout).toContain('gke-t4-1');
    expect(stderr).toMatch(/windows\.prom:1:1: warning: lines end with CRLF.*\[carriage-return\]/);
  });

  it('snapshot exits non-zero and says why when a file has DCGM series but no GPU comes out', async () => {
    // Strict-broken beyond what lenient mode reads: every sample line has an unclosed label set.
    const file = path.join(tmp, 'broken.prom');
    writeFileSync(file, '# TYPE DCGM_FI_DEV_GPU_TEMP gauge\nDCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-x" 41\n');
    const { code, stdout, stderr } = await snapshot([file]);
    expect(code).toBe(1);
    expect(stdout).toBe('No GPUs found.\n');
    expect(stderr).toMatch(/error: the input has DCGM series but no GPU could be read: 1 line\(s\) could not be read; the first, line 2: .*\[no-gpus\]/);
    // Series of NvLink entities only: DCGM series, no GPU.
    writeFileSync(file, 'DCGM_FI_DEV_NVLINK_BANDWIDTH_L0{nvlink="0",gpu_uuid="GPU-x"} 5\n');
    const links = await snapshot([file]);
    expect(links.code).toBe(1);
    expect(links.stderr).toMatch(/carry no gpu, UUID or uuid label/);
    // A file without DCGM series is just empty of GPUs.
    writeFileSync(file, 'node_load1 0.5\n');
    expect((await snapshot([file])).code).toBe(0);
  });
});

describe('snapshot table: the marks and the decoded clock event reasons', () => {
  it('marks GR standing in (*), an estimated total (≈), and names the clock reasons', async () => {
    const { code, stdout } = await snapshot(['exporter-2x-help-first-t4.prom', 'exporter-4x-mig-pods.prom']);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.split('\n');
    expect(header).toMatch(/\bGR\b.*\bMEMORY\b.*\bCLOCKS$/);
    const t4 = rows.find((r) => r.startsWith('gke-t4-1'))!;
    expect(t4).toContain('40%*');
    expect(t4).toContain('4.9/≈14.6 GiB 33%');
    expect(t4).toMatch(/GPU idle, HW slowdown$/);
    const gi1 = rows.find((r) => r.includes('0/mig1'))!;
    expect(gi1).toMatch(/SW power cap, HW thermal slowdown$/);
    expect(gi1).not.toContain('*');
    expect(stdout).toContain('GR marked * is NVML GPU utilization standing in');
    expect(stdout).toContain('Memory total marked ≈ is used + free');
  });
});
