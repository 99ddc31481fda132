import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import {
  DEMO_FIELDS,
  createDemoSimulation,
  renderDemoMetrics,
  modelSpec,
} from '../../src/main/core/sources/demo';
import { byNameAndGpu, label, parseSampleLine, sampleLines } from './helpers';

const SAMPLES = '/work/shared/dcgm-exporter-samples';
const REAL_L4 = readFileSync(`${SAMPLES}/cncf-kops-v1.35_nvidia-l4_full-scrape.prom`, 'utf8');
const REAL_L40S = readFileSync(`${SAMPLES}/cncf-upcloud-v1.35_nvidia-l40s_full-scrape.prom`, 'utf8');
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function headers(body: string): Map<string, { help?: string; type?: string }> {
  const out = new Map<string, { help?: string; type?: string }>();
  for (const line of body.split('\n')) {
    const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (!m) continue;
    const h = out.get(m[2]) ?? {};
    if (m[1] === 'HELP') h.help = m[3];
    else h.type = m[3];
    out.set(m[2], h);
  }
  return out;
}

describe('renderDemoMetrics: shape of the exposition text', () => {
  const sim = createDemoSimulation({ gpus: 8, hostname: 'node-a', seed: 7 });
  const body = renderDemoMetrics(sim, T0);
  const lines = body.split('\n');

  it('serves the default families plus every profiling field the brief lists', () => {
    const names = DEMO_FIELDS.map((f) => f.name);
    for (const required of [
      'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_MEM_CLOCK', 'DCGM_FI_DEV_MEMORY_TEMP', 'DCGM_FI_DEV_GPU_TEMP',
      'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
      'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'DCGM_FI_DEV_ENC_UTIL', 'DCGM_FI_DEV_DEC_UTIL',
      'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_RESERVED', 'DCGM_FI_DEV_XID_ERRORS',
      'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
      'DCGM_FI_DEV_ROW_REMAP_FAILURE', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_SM_ACTIVE', 'DCGM_FI_PROF_SM_OCCUPANCY',
      'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE', 'DCGM_FI_PROF_PIPE_FP64_ACTIVE',
      'DCGM_FI_PROF_PIPE_FP32_ACTIVE', 'DCGM_FI_PROF_PIPE_FP16_ACTIVE', 'DCGM_FI_PROF_PCIE_TX_BYTES',
      'DCGM_FI_PROF_PCIE_RX_BYTES', 'DCGM_FI_PROF_NVLINK_TX_BYTES', 'DCGM_FI_PROF_NVLINK_RX_BYTES',
    ]) {
      expect(names).toContain(required);
    }
  });

  it('emits families in DCGM field-id order, each HELP then TYPE then its samples, contiguous', () => {
    const ids = DEMO_FIELDS.map((f) => f.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const familyOrder: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const help = /^# HELP (\S+) /.exec(lines[i]);
      if (!help) continue;
      familyOrder.push(help[1]);
      expect(lines[i + 1]).toMatch(new RegExp(`^# TYPE ${help[1]} (gauge|counter)$`));
      for (let g = 0; g < 8; g++) expect(lines[i + 2 + g].startsWith(`${help[1]}{gpu="${g}",`)).toBe(true);
      expect(lines[i + 10] === '' || lines[i + 10].startsWith('# HELP ')).toBe(true);
    }
    expect(familyOrder).toEqual(DEMO_FIELDS.map((f) => f.name));
  });

  it('matches the real exporter family order where the real capture has the same families', () => {
    const realOrder = [...headers(REAL_L4).keys()];
    const ours = DEMO_FIELDS.map((f) => f.name).filter((n) => realOrder.includes(n));
    expect(ours).toEqual(realOrder.filter((n) => ours.includes(n)));
    expect(ours.length).toBeGreaterThanOrEqual(20);
  });

  it('copies HELP text (and TYPE, bar the PCIe byte rates) from the real exporter', () => {
    const ours = headers(body);
    for (const real of [headers(REAL_L4), headers(REAL_L40S)]) {
      for (const [name, h] of real) {
        if (!ours.has(name)) continue;
        expect(ours.get(name)!.help, name).toBe(h.help);
        // Newer CSVs type the PCIe rates gauge; the DCP CSV this mirrors types them counter,
        // which is the "TYPE lies" case consumers must survive.
        if (!name.startsWith('DCGM_FI_PROF_PCIE_')) expect(ours.get(name)!.type, name).toBe(h.type);
      }
    }
    expect(ours.get('DCGM_FI_PROF_PCIE_TX_BYTES')!.type).toBe('counter');
    expect(ours.get('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL')!.type).toBe('counter');
    expect(ours.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.type).toBe('counter');
  });

  it('gives every GPU every family exactly once', () => {
    const seen = new Map<string, number>();
    for (const l of sampleLines(body)) {
      const key = `${l.name}/${label(l, 'gpu')}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const f of DEMO_FIELDS) {
      for (let g = 0; g < 8; g++) expect(seen.get(`${f.name}/${g}`), `${f.name} gpu ${g}`).toBe(1);
    }
    expect(seen.size).toBe(DEMO_FIELDS.length * 8);
  });

  it('uses the real capture label names in the real order', () => {
    const realFirst = REAL_L4.split('\n').find((l) => l.startsWith('DCGM_FI_DEV_SM_CLOCK{'))!;
    const realNames = parseSampleLine(realFirst).labels.map(([k]) => k);
    expect(realNames).toEqual(['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION']);
    // Pod mapping (as dcgm-exporter's --kubernetes adds it) follows, sorted, on GPUs a pod holds.
    const withPod = [...realNames, 'container', 'namespace', 'pod'];
    const names = sampleLines(body).map((l) => l.labels.map(([k]) => k));
    for (const n of names) expect([realNames, withPod]).toContainEqual(n);
    expect(names.some((n) => n.length === withPod.length)).toBe(true);
  });

  it('labels GPUs with pods: the training job, other busy pods, and an idle GPU held or unallocated', () => {
    const pods = new Map<string, string>();
    for (let h = 0; h < 6; h++) {
      const sim = createDemoSimulation({ gpus: 8, hostname: `node-${h}`, seed: 1 });
      for (const l of sampleLines(renderDemoMetrics(sim, 0)).filter((x) => x.name === 'DCGM_FI_DEV_GPU_TEMP')) {
        const labels = Object.fromEntries(l.labels);
        pods.set(`${h}/${labels.gpu}`, labels.namespace ?? '(none)');
      }
    }
    const namespaces = new Set(pods.values());
    for (const ns of ['ml-training', 'analytics', 'ml-inference', 'hpc-sim', 'research-notebooks', '(none)']) expect(namespaces).toContain(ns);
  });

  it('fills identity labels like NVML does', () => {
    const ls = sampleLines(body).filter((l) => l.name === 'DCGM_FI_DEV_GPU_TEMP');
    ls.forEach((l, i) => {
      expect(label(l, 'gpu')).toBe(String(i));
      expect(label(l, 'device')).toBe(`nvidia${i}`);
      expect(label(l, 'UUID')).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(label(l, 'pci_bus_id')).toMatch(/^00000000:[0-9A-F]{2}:00\.0$/);
      expect(label(l, 'modelName')).toBe('NVIDIA H100 80GB HBM3');
      expect(label(l, 'Hostname')).toBe('node-a');
      expect(label(l, 'DCGM_FI_DRIVER_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    });
    expect(label(ls[0], 'pci_bus_id')).toBe('00000000:18:00.0');
    expect(new Set(ls.map((l) => label(l, 'UUID'))).size).toBe(8);
    expect(new Set(ls.map((l) => label(l, 'pci_bus_id'))).size).toBe(8);
  });

  it('formats integer fields with %d and double fields with %f (six decimals)', () => {
    const fmt = new Map(DEMO_FIELDS.map((f) => [f.name, f.format]));
    for (const l of sampleLines(body)) {
      if (fmt.get(l.name) === 'int') expect(l.value, l.name).toMatch(/^(0|[1-9]\d*)$/);
      else expect(l.value, l.name).toMatch(/^\d+\.\d{6}$/);
    }
    // Same conventions as the real capture for the fields both show.
    expect(REAL_L4).toMatch(/DCGM_FI_DEV_POWER_USAGE\{.*\} \d+\.\d{6}\n/);
    expect(REAL_L4).toMatch(/DCGM_FI_PROF_GR_ENGINE_ACTIVE\{.*\} \d+\.\d{6}\n/);
    expect(REAL_L4).toMatch(/DCGM_FI_DEV_FB_FREE\{.*\} \d+\n/);
  });

  it('has no timestamps, no # EOF, no blank lines, and ends with a newline', () => {
    expect(body.endsWith('\n')).toBe(true);
    expect(body).not.toContain('# EOF');
    expect(lines.slice(0, -1).every((l) => l !== '')).toBe(true);
    for (const l of sampleLines(body)) expect(l.value).not.toContain(' ');
    for (const l of lines.filter((x) => x && !x.startsWith('#'))) {
      expect(l.split('} ')[1].split(' ')).toHaveLength(1);
    }
  });

  it('is about the size of a real 8-GPU node (40-100 KB)', () => {
    expect(body.length).toBeGreaterThan(40_000);
    expect(body.length).toBeLessThan(100_000);
  });
});

describe('simulation: physics and workloads', () => {
  const TICKS = 600;

  it('keeps every reading in its physical range over ten minutes, on every GPU', () => {
    const sim = createDemoSimulation({ gpus: 8, hostname: 'node-b', seed: 3 });
    const spec = modelSpec('NVIDIA H100 80GB HBM3');
    for (let t = 0; t < TICKS; t += 7) {
      const v = byNameAndGpu(renderDemoMetrics(sim, T0 + t * 1000));
      for (let g = 0; g < 8; g++) {
        const at = (n: string): number => v.get(`DCGM_FI_${n}`)!.get(String(g))!;
        expect(at('DEV_FB_USED') + at('DEV_FB_FREE') + at('DEV_FB_RESERVED')).toBe(81559);
        expect(at('DEV_FB_FREE')).toBeGreaterThanOrEqual(0);
        expect(at('DEV_POWER_USAGE')).toBeGreaterThanOrEqual(spec.idleWatts * 0.9);
        expect(at('DEV_POWER_USAGE')).toBeLessThanOrEqual(700);
        expect(at('DEV_GPU_TEMP')).toBeGreaterThanOrEqual(20);
        expect(at('DEV_GPU_TEMP')).toBeLessThanOrEqual(100);
        expect(at('DEV_SM_CLOCK')).toBeGreaterThanOrEqual(345);
        expect(at('DEV_SM_CLOCK')).toBeLessThanOrEqual(1980);
        for (const n of ['DEV_GPU_UTIL', 'DEV_MEM_COPY_UTIL', 'DEV_ENC_UTIL', 'DEV_DEC_UTIL']) {
          expect(at(n)).toBeGreaterThanOrEqual(0);
          expect(at(n)).toBeLessThanOrEqual(100);
        }
        for (const n of ['GR_ENGINE_ACTIVE', 'SM_ACTIVE', 'SM_OCCUPANCY', 'PIPE_TENSOR_ACTIVE', 'DRAM_ACTIVE',
          'PIPE_FP64_ACTIVE', 'PIPE_FP32_ACTIVE', 'PIPE_FP16_ACTIVE']) {
          expect(at(`PROF_${n}`)).toBeGreaterThanOrEqual(0);
          expect(at(`PROF_${n}`)).toBeLessThanOrEqual(1);
        }
        expect(at('PROF_PCIE_RX_BYTES')).toBeLessThanOrEqual(spec.pcieMaxBytesPerSec);
        expect(at('PROF_NVLINK_TX_BYTES')).toBeLessThanOrEqual(spec.nvlinkMaxBytesPerSec);
        // 449 is MB/s and equals TX+RX, so the product's fallback and the field agree.
        expect(Math.abs(at('DEV_NVLINK_BANDWIDTH_TOTAL') - (at('PROF_NVLINK_TX_BYTES') + at('PROF_NVLINK_RX_BYTES')) / 1e6)).toBeLessThanOrEqual(1);
        expect(at('DEV_UNCORRECTABLE_REMAPPED_ROWS')).toBe(0);
        expect(at('DEV_ROW_REMAP_FAILURE')).toBe(0);
      }
    }
  });

  it('integrates energy from the power it shows (Δenergy = Σ power × interval)', () => {
    const sim = createDemoSimulation({ gpus: 8, hostname: 'node-c', seed: 11 });
    const read = (t: number) => byNameAndGpu(renderDemoMetrics(sim, T0 + t * 1000));
    let prev = read(0);
    const start = prev;
    const powerSum = new Map<string, number>();
    for (let t = 1; t <= 120; t++) {
      const cur = read(t);
      for (let g = 0; g < 8; g++) {
        const k = String(g);
        const dE = cur.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.get(k)! - prev.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.get(k)!;
        const p = prev.get('DCGM_FI_DEV_POWER_USAGE')!.get(k)!;
        // One tick of 1000 ms at the shown power (values print rounded: ±1 mJ, ±0.5e-6 W).
        expect(Math.abs(dE - p * 1000)).toBeLessThanOrEqual(2);
        powerSum.set(k, (powerSum.get(k) ?? 0) + p * 1000);
      }
      prev = cur;
    }
    for (let g = 0; g < 8; g++) {
      const k = String(g);
      const e0 = start.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.get(k)!;
      expect(e0).toBeGreaterThan(1e9); // days of uptime already on the counter
      const e1 = prev.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.get(k)!;
      expect(Math.abs(e1 - e0 - powerSum.get(k)!)).toBeLessThanOrEqual(120);
    }
  });

  it('gives the same energy reading whatever the scrape path (path independent)', () => {
    const a = createDemoSimulation({ hostname: 'node-p', seed: 5 });
    const b = createDemoSimulation({ hostname: 'node-p', seed: 5 });
    renderDemoMetrics(a, T0);
    renderDemoMetrics(b, T0);
    for (let t = 1; t <= 50; t++) renderDemoMetrics(a, T0 + t * 1000);
    const ea = byNameAndGpu(renderDemoMetrics(a, T0 + 50_000)).get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!;
    const eb = byNameAndGpu(renderDemoMetrics(b, T0 + 50_000)).get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!;
    for (const [g, v] of ea) expect(Math.abs(v - eb.get(g)!)).toBeLessThanOrEqual(1);
  });

  it('assigns every archetype on an 8-GPU host, exactly one hot GPU, above the H100 warning', () => {
    for (const host of ['node-1', 'node-2', 'node-3', 'gpu-17']) {
      const sim = createDemoSimulation({ gpus: 8, hostname: host, seed: 1 });
      const kinds = sim.gpus.map((g) => g.workload.kind);
      expect(new Set(kinds)).toEqual(new Set(['training', 'idle', 'memory-bound', 'data-loading', 'hot', 'fp64']));
      const hot = kinds.indexOf('hot');
      for (let t = 0; t < 300; t += 13) {
        const v = byNameAndGpu(renderDemoMetrics(sim, T0 + t * 1000));
        const temps = v.get('DCGM_FI_DEV_GPU_TEMP')!;
        expect(temps.get(String(hot))!).toBeGreaterThanOrEqual(96);
        for (let g = 0; g < 8; g++) if (g !== hot) expect(temps.get(String(g))!).toBeLessThan(95);
        // Only the die is over the line: one HOT cause, not a second one from HBM.
        for (const m of v.get('DCGM_FI_DEV_MEMORY_TEMP')!.values()) expect(m).toBeLessThan(95);
      }
    }
  });

  it('makes each archetype look like itself (the product classifier rules of DCGM.md §6)', () => {
    const sim = createDemoSimulation({ gpus: 8, hostname: 'node-d', seed: 2 });
    const kinds = sim.gpus.map((g) => g.workload.kind);
    const at = (v: Map<string, Map<string, number>>, n: string, g: number) => v.get(`DCGM_FI_${n}`)!.get(String(g))!;
    let checkpointDips = 0;
    let trainingTicks = 0;
    for (let t = 0; t < TICKS; t += 3) {
      const v = byNameAndGpu(renderDemoMetrics(sim, T0 + t * 1000));
      kinds.forEach((kind, g) => {
        const sm = at(v, 'PROF_SM_ACTIVE', g);
        const tensor = at(v, 'PROF_PIPE_TENSOR_ACTIVE', g);
        const dram = at(v, 'PROF_DRAM_ACTIVE', g);
        switch (kind) {
          case 'idle':
            expect(sm + tensor + dram + at(v, 'PROF_GR_ENGINE_ACTIVE', g)).toBe(0);
            expect(at(v, 'DEV_POWER_USAGE', g)).toBeLessThan(80);
            break;
          case 'training':
            trainingTicks++;
            if (sm < 0.2) checkpointDips++;
            else {
              expect(tensor).toBeGreaterThanOrEqual(0.5);
              expect(sm).toBeGreaterThanOrEqual(0.6);
              expect(at(v, 'DEV_POWER_USAGE', g)).toBeGreaterThan(450);
            }
            break;
          case 'hot':
            expect(tensor).toBeGreaterThanOrEqual(0.5);
            expect(sm).toBeGreaterThanOrEqual(0.6);
            break;
          case 'memory-bound':
            expect(dram).toBeGreaterThanOrEqual(0.5);
            expect(sm).toBeLessThan(0.5);
            expect(tensor).toBeLessThan(0.15);
            break;
          case 'data-loading':
            expect(Math.max(at(v, 'PROF_PCIE_RX_BYTES', g), at(v, 'PROF_PCIE_TX_BYTES', g))).toBeGreaterThanOrEqual(1e9);
            expect(sm).toBeLessThan(0.3);
            break;
          case 'fp64':
            expect(at(v, 'PROF_PIPE_FP64_ACTIVE', g)).toBeGreaterThanOrEqual(0.2);
            expect(sm).toBeGreaterThanOrEqual(0.5);
            expect(tensor).toBeLessThan(0.15);
            break;
        }
      });
    }
    // Checkpoints: a few percent of the time, not never and not most of it.
    expect(checkpointDips).toBeGreaterThan(0);
    expect(checkpointDips / trainingTicks).toBeLessThan(0.2);
  });

  it('moves every GPU between one-second collects, and repeats within a collect interval', () => {
    const sim = createDemoSimulation({ hostname: 'node-e', seed: 9 });
    const a = renderDemoMetrics(sim, T0);
    const b = renderDemoMetrics(sim, T0 + 1000);
    expect(b).not.toBe(a);
    const pa = byNameAndGpu(a).get('DCGM_FI_DEV_POWER_USAGE')!;
    const pb = byNameAndGpu(b).get('DCGM_FI_DEV_POWER_USAGE')!;
    for (const [g, v] of pa) expect(pb.get(g), `gpu ${g} power`).not.toBe(v);
    expect(renderDemoMetrics(sim, T0 + 1500)).toBe(b); // same tick: same values

    const slow = createDemoSimulation({ hostname: 'node-e', seed: 9, collectIntervalMs: 30_000 });
    const s0 = renderDemoMetrics(slow, T0);
    expect(renderDemoMetrics(slow, T0 + 20_000)).toBe(s0);
    expect(renderDemoMetrics(slow, T0 + 30_000)).not.toBe(s0);
  });

  it('is deterministic from the seed and differs across seeds and hosts', () => {
    const r = (seed: number, hostname: string) => renderDemoMetrics(createDemoSimulation({ seed, hostname }), T0);
    expect(r(4, 'h')).toBe(r(4, 'h'));
    expect(r(5, 'h')).not.toBe(r(4, 'h'));
    expect(r(4, 'h2')).not.toBe(r(4, 'h'));
  });

  it('derives UUIDs that are distinct across a thousand hosts', () => {
    const uuids = new Set<string>();
    for (let h = 1; h <= 1000; h++) {
      for (const g of createDemoSimulation({ hostname: `demo-node-${h}`, seed: 1 }).gpus) uuids.add(g.uuid);
    }
    expect(uuids.size).toBe(8000);
  });

  it('supports other GPU counts and models with their own envelope', () => {
    for (const gpus of [1, 2, 3, 16, 64]) {
      const sim = createDemoSimulation({ gpus, hostname: 'x' });
      expect(sampleLines(renderDemoMetrics(sim, T0))).toHaveLength(gpus * DEMO_FIELDS.length);
      if (gpus >= 2) expect(sim.gpus.filter((g) => g.workload.kind === 'hot')).toHaveLength(1);
    }
    const l4 = createDemoSimulation({ model: 'NVIDIA L4', gpus: 2 });
    const v = byNameAndGpu(renderDemoMetrics(l4, T0));
    for (const g of ['0', '1']) {
      expect(v.get('DCGM_FI_DEV_FB_USED')!.get(g)! + v.get('DCGM_FI_DEV_FB_FREE')!.get(g)! + v.get('DCGM_FI_DEV_FB_RESERVED')!.get(g)!).toBe(23033);
      expect(v.get('DCGM_FI_DEV_POWER_USAGE')!.get(g)!).toBeLessThanOrEqual(72);
      expect(v.get('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL')!.get(g)).toBe(0);
    }
    expect(renderDemoMetrics(l4, T0)).toContain('modelName="NVIDIA L4"');
    expect(() => createDemoSimulation({ gpus: 0 })).toThrow(/between 1 and 64/);
  });
});
