// `gpu-pulse snapshot` end to end, through the command's run() with an in-memory CliIo.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/snapshot';
import type { SnapshotOutput } from '../../src/main/cli/snapshot/output';
import { CSV_HEADER } from '../../src/main/cli/snapshot/csv';
import { startDemoExporter } from '../../src/main/core/sources/demo';


const repo = path.resolve(__dirname, '../..');
const kempner = '../shared/kempnerpulse';
const samples = '../shared/dcgm-exporter-samples';

async function snapshot(args: string[], stdin: string | Buffer = '') {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: async () => Buffer.from(stdin),
    cwd: repo,
  });
  return { code, stdout, stderr };
}

async function json(args: string[]): Promise<SnapshotOutput> {
  const { code, stdout, stderr } = await snapshot([...args, '--format', 'json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as SnapshotOutput;
}

describe('gpu-pulse snapshot on files', () => {
  it('prometheus_sample.prom: golden scores and classes, model from modelName', async () => {
    const { gpus } = await json([`${kempner}/prometheus_sample.prom`]);
    expect(gpus.map((g) => [g.gpuIndex, g.realUtil.value, g.class.label])).toEqual([
      [0, 50.05, 'tensor compute'],
      [1, 33.95, 'unknown (no tensor or FP64 counters)'],
    ]);
    expect(gpus[0].model).toBe('NVIDIA H100 80GB HBM3');
    expect(Object.keys(gpus[0]).sort()).toEqual(
      ['attribution', 'class', 'gpuIndex', 'health', 'key', 'migInstance', 'model', 'node', 'readings', 'realUtil', 'uuid'].sort(),
    );
  });

  it('a dmon capture: the last tick, with NVLink from TX+RX and from field 449', async () => {
    const { gpus } = await json([`${kempner}/dcgmi_dmon_2tick.txt`]);
    expect(gpus.map((g) => [g.gpuIndex, g.realUtil.value, g.class.label, g.readings.nvlinkTotalBytesPerSec])).toEqual([
      [0, 65.15, 'tensor compute', 230e9],
      [1, 67.15, 'tensor-heavy compute', 25.6e9],
    ]);
  });

  it('a gzipped dmon capture reads as the capture itself, from a file and from stdin', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gpu-pulse-snapshot-'));
    const gz = path.join(dir, 'dmon.txt.gz');
    writeFileSync(gz, gzipSync(readFileSync(path.join(repo, kempner, 'dcgmi_dmon_2tick.txt'))));
    const plain = await json([`${kempner}/dcgmi_dmon_2tick.txt`]);
    const zipped = await json([gz]);
    expect(zipped.gpus.map((g) => [g.gpuIndex, g.realUtil.value, g.class.label])).toEqual([
      [0, 65.15, 'tensor compute'],
      [1, 67.15, 'tensor-heavy compute'],
    ]);
    expect(zipped.gpus.map((g) => g.readings)).toEqual(plain.gpus.map((g) => g.readings));
    const viaStdin = await snapshot(['-', '--format', 'json'], gzipSync(readFileSync(path.join(repo, kempner, 'dcgmi_dmon_2tick.txt'))));
    expect(viaStdin.code).toBe(0);
    expect((JSON.parse(viaStdin.stdout) as SnapshotOutput).gpus).toHaveLength(2);
  });

  it('every genuine capture, several sources at once, the hpc preset', async () => {
    const files = [
      'cncf-ericsson-ccd-v1.35_tesla-t4_samples-only.prom',
      'cncf-kops-v1.35_nvidia-l4_full-scrape.prom',
      'cncf-upcloud-v1.35_nvidia-l40s_full-scrape.prom',
      'cncf-vks-v1.35_grid-a100-40c-vgpu_full-scrape.prom',
      'nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom',
    ];
    const { gpus, problems } = await json([...files.map((f) => `${samples}/${f}`), '--preset', 'hpc']);
    expect(problems).toEqual([]);
    expect(gpus).toHaveLength(12);
    expect(gpus.map((g) => g.model)).toEqual([
      'Tesla T4',
      'NVIDIA L4',
      'NVIDIA L40S',
      'GRID A100-40C',
      ...Array(8).fill('NVIDIA H100 80GB HBM3'),
    ]);
    const vgpu = gpus[3];
    expect(vgpu.readings).not.toHaveProperty('powerWatts');
    expect(vgpu.realUtil.missing).toEqual(['smActive', 'tensorActive', 'dramActive']);
    expect(vgpu.class.label).toBe('unknown (no DRAM or PCIe counters)');
    expect(vgpu.readings.vgpuLicenseStatus).toBe(1);
  });

  it('shows unknown DCGM fields raw in the table too', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gpu-pulse-raw-')), 'future.prom');
    writeFileSync(file, 'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-f",Hostname="h"} 40\nDCGM_FI_DEV_FUTURE_FIELD_NOT_IN_TABLE{gpu="0",UUID="GPU-f",Hostname="h"} 7\n');
    const { stdout } = await snapshot([file]);
    expect(stdout).toMatch(/GPU 0: fields GPU Pulse does not know yet, as served: DCGM_FI_DEV_FUTURE_FIELD_NOT_IN_TABLE=7/);
  });

  it('custom weights change the score', async () => {
    const { gpus } = await json([`${kempner}/dcgmi_dmon_2tick.txt`, '--weights', '1,0,0,0']);
    expect(gpus[0].realUtil).toEqual({ value: 95, missing: [] });
  });

  it('reads - from standard input', async () => {
    const text = readFileSync(path.join(repo, kempner, 'prometheus_sample.prom'), 'utf8');
    const { code, stdout } = await snapshot(['-', '--format', 'json'], text);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as SnapshotOutput).gpus).toHaveLength(2);
  });

  it('prints a table a person can read, with the lower bounds and reasons explained', async () => {
    const { code, stdout } = await snapshot([`${kempner}/prometheus_sample.prom`]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NODE\s+GPU\s+MODEL\s+REAL\s+CLASS\s+HEALTH/);
    expect(lines[1]).toMatch(/^node01\s+0\s+NVIDIA H100 80GB HBM3\s+>=50%\s+tensor compute\s+OK\s+95%\s+48%/);
    expect(stdout).toMatch(/node01 GPU 0: real utilization is a lower bound, missing DRAM active, Graphics engine active/);
  });

  it('writes CSV with the header documented at the top of the writer', async () => {
    const source = readFileSync(path.join(repo, 'src/main/cli/snapshot/csv.ts'), 'utf8');
    const block = source.split('// CSV header')[1].split('// Ratios are')[0];
    const documented = block
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/^\/\/\s*/, '').trim())
      .join('')
      .split(',');
    expect(documented).toEqual(CSV_HEADER);

    const { code, stdout } = await snapshot([`${samples}/nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom`, '--format', 'csv']);
    expect(code).toBe(0);
    const rows = stdout.trimEnd().split('\r\n').map((r) => r.split(','));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(9);
    const row0 = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[1][i]]));
    expect(row0).toMatchObject({
      node: 'gpu-node-1',
      gpu_index: '0',
      power_w: '113.611',
      sm_active_ratio: '', // missing, not 0
      gpu_util_ratio: '0',
      pods: 'vllm-agg-0-vllmdecodeworker-s65j5',
      real_util_missing: 'smActive;tensorActive;dramActive',
    });
  });

  it('rejects bad usage with exit 2 and a message', async () => {
    expect(await snapshot([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/at least one SOURCE/) });
    expect(await snapshot(['x', '--format', 'xml'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format must be/) });
    expect(await snapshot(['x', '--preset', 'ml'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--preset must be ai, hpc or mem/) });
    expect(await snapshot(['x', '--weights', '1,2,x,4'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/dram weight "x" is not a number/) });
    expect(await snapshot(['x', '--preset', 'ai', '--weights', '1,1,1,1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/not both/) });
  });

  it('exits 1 naming a source it cannot read, and still prints the others', async () => {
    const { code, stdout, stderr } = await snapshot(['no-such-file.prom', `${kempner}/prometheus_sample.prom`, '--format', 'json']);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as SnapshotOutput;
    expect(out.gpus).toHaveLength(2);
    expect(out.problems[0]).toMatchObject({ source: 'no-such-file.prom', code: 'source-unreadable', severity: 'error' });
    expect(stderr).toBe('');
  });
});

describe('gpu-pulse snapshot on live exporters', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const body = readFileSync(path.join(repo, samples, 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom'));
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('scrapes a loopback server serving a genuine capture', async () => {
    const { gpus } = await json([url]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({ node: 'i-030791dc5a37cd257', model: 'NVIDIA L4', uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c' });
  });

  it('scrapes the demo exporter: 8 GPUs on host x, each classified and scored', async () => {
    const demo = await startDemoExporter({ port: 0, gpus: 8, hostname: 'x', seed: 1 });
    try {
      const { gpus, problems } = await json([demo.url]);
      expect(problems).toEqual([]);
      expect(gpus).toHaveLength(8);
      expect(gpus.map((g) => g.gpuIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      for (const g of gpus) {
        expect(g.node).toBe('x');
        expect(g.uuid).toMatch(/^GPU-/);
        expect(g.realUtil.value).toEqual(expect.any(Number));
        expect(g.class.bottleneck).not.toBe('unknown');
      }
    } finally {
      await demo.close();
    }
  });

  it('exits 1 with the scraper\'s message when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await snapshot([`http://127.0.0.1:${port}/metrics`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/source-unreadable/);
  });
});
