// A large dcgm-style exposition for the "100 MB file" checks: what a Prometheus federation dump
// of a big fleet looks like (every family once, with its series for many nodes), written in
// chunks so the generator itself never holds the whole text.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const FIELDS: Array<[name: string, help: string, value: (node: number, gpu: number) => string]> = [
  ['DCGM_FI_DEV_SM_CLOCK', 'SM clock frequency (in MHz).', (n, g) => String(1000 + ((n * 7 + g * 13) % 900))],
  ['DCGM_FI_DEV_MEM_CLOCK', 'Memory clock frequency (in MHz).', () => '2619'],
  ['DCGM_FI_DEV_GPU_TEMP', 'GPU temperature (in C).', (n, g) => String(35 + ((n + g) % 40))],
  ['DCGM_FI_DEV_POWER_USAGE', 'Power draw (in W).', (n, g) => (100 + ((n * 31 + g * 17) % 550)).toFixed(3)],
  ['DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (in %).', (n, g) => String((n * 3 + g * 11) % 101)],
  ['DCGM_FI_DEV_FB_FREE', 'Frame buffer memory free (in MiB).', (n, g) => String(81559 - ((n * 97 + g) % 81559))],
  ['DCGM_FI_DEV_FB_USED', 'Frame buffer memory used (in MiB).', (n, g) => String((n * 97 + g) % 81559)],
  ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'Ratio of time the graphics engine is active.', (n, g) => (((n + g * 5) % 100) / 100).toFixed(6)],
  ['DCGM_FI_PROF_SM_ACTIVE', 'The ratio of cycles an SM has at least 1 warp assigned.', (n, g) => (((n * 2 + g * 5) % 100) / 100).toFixed(6)],
  ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'Ratio of cycles the tensor (HMMA) pipe is active.', (n, g) => (((n * 3 + g) % 100) / 100).toFixed(6)],
  ['DCGM_FI_PROF_DRAM_ACTIVE', 'Ratio of cycles the device memory interface is active.', (n, g) => (((n + g * 3) % 100) / 100).toFixed(6)],
];

function labels(node: number, gpu: number): string {
  const hex = (node * 8 + gpu).toString(16).padStart(8, '0');
  return `gpu="${gpu}",UUID="GPU-${hex}-0da5-6d26-a36a-e7af1ce2586e",pci_bus_id="00000000:${(gpu * 16 + 24).toString(16).toUpperCase()}:00.0",device="nvidia${gpu}",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-${String(node).padStart(5, '0')}",DCGM_FI_DRIVER_VERSION="550.90.07"`;
}

/** Writes about `targetBytes` of exposition text; returns the number of sample lines. */
export async function writeLargeDcgmFile(path: string, targetBytes: number): Promise<{ samples: number; nodes: number }> {
  const sampleBytes = Buffer.byteLength(`${FIELDS[0]![0]}{${labels(0, 0)}} 1000\n`);
  const nodes = Math.ceil(targetBytes / (sampleBytes * FIELDS.length * 8));
  const out = createWriteStream(path);
  let samples = 0;
  for (const [name, help, value] of FIELDS) {
    let chunk = `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
    for (let node = 0; node < nodes; node++) {
      for (let gpu = 0; gpu < 8; gpu++) {
        chunk += `${name}{${labels(node, gpu)}} ${value(node, gpu)}\n`;
        samples++;
      }
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { samples, nodes };
}
