// Generated inputs shared by the tests and the benchmark.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './helpers';

/**
 * A dcgm-exporter scrape of `gpus` GPUs (8 per host) in 0.0.4 text, built from the 8-GPU
 * payload in bench-data: same families, labels and value styles, with per-GPU identities and
 * deterministic values. 512 GPUs give about 5.7 MB and 18,432 samples.
 */
export function dcgmFleetText(gpus: number): string {
  return [...dcgmFleetLines(gpus)].join('\n') + '\n';
}

/** The lines of `dcgmFleetText`, one at a time, for files too big to build as one string. */
export function* dcgmFleetLines(gpus: number): Generator<string> {
  const template = readFileSync(join(SHARED, 'bench-data/dcgm-8gpu.prom'), 'utf8');
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (const block of template.split(/\n(?=# HELP )/)) {
    const lines = block.split('\n').filter((l) => l !== '');
    const meta = lines.filter((l) => l.startsWith('#'));
    const sample = lines.find((l) => !l.startsWith('#'))!;
    yield* meta;
    const [labelPart, value] = [sample.slice(0, sample.lastIndexOf(' ')), sample.slice(sample.lastIndexOf(' ') + 1)];
    const isFloat = value.includes('.');
    for (let g = 0; g < gpus; g++) {
      const host = `gpu-node-${String(Math.floor(g / 8)).padStart(3, '0')}`;
      const local = g % 8;
      const uuid = `GPU-${(0x10000000 + g * 7919).toString(16)}-0da5-6d26-a36a-${(0xe7af1ce2586e + g).toString(16)}`;
      const labels = labelPart
        .replace(/gpu="\d+"/, `gpu="${local}"`)
        .replace(/UUID="[^"]*"/, `UUID="${uuid}"`)
        .replace(/device="nvidia\d+"/, `device="nvidia${local}"`)
        .replace(/pci_bus_id="[^"]*"/, `pci_bus_id="00000000:${(0x18 + local * 16).toString(16).toUpperCase()}:00.0"`)
        .replace(/Hostname="[^"]*"/, `Hostname="${host}"`);
      const v = next() % 100000;
      yield `${labels} ${isFloat ? (v / 1000).toFixed(3) : v}`;
    }
  }
}
