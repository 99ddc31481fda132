// One moment's exposition families -> one accounting sample per GPU entity, through the same
// translate (alias table, identity, attribution) and real-utilization formula as the live
// pipeline: a recording frame and a Prometheus timestamp become what a scrape would have shown.
import { gpuKey } from '../../../shared/gpu';
import { realUtilization, type Weights } from '../compute';
import { collectSeries, nodeOf, readingsOf, attributionOf } from '../dcgm/translate';
import type { Family } from '../exposition/types';
import { withExporterNames } from './counter-names';
import type { AccountedGpu, AccountingSample } from './types';

export interface GpuSample {
  gpu: AccountedGpu;
  sample: AccountingSample;
}

export function samplesFromFamilies(families: Family[], fallbackNode: string, t: number, weights: Weights): GpuSample[] {
  const { series } = collectSeries(withExporterNames(families), fallbackNode);
  // MIG instances each repeat their board's energy counter and power: each takes a share.
  const instances = new Map<string, number>();
  for (const gpu of series) {
    if (gpu.migId === null) continue;
    const board = gpuKey(nodeOf(gpu, fallbackNode), gpu.uuid, null);
    instances.set(board, (instances.get(board) ?? 0) + 1);
  }
  return series.map((gpu) => {
    const node = nodeOf(gpu, fallbackNode);
    const readings = readingsOf(gpu);
    const real = realUtilization(readings, weights);
    const energy = readings.energyJoules;
    const power = readings.powerWatts;
    return {
      gpu: { key: gpuKey(node, gpu.uuid, gpu.migId), node, model: gpu.model },
      sample: {
        t,
        attribution: attributionOf(gpu),
        realUtil: real.value,
        realUtilMissing: real.missing.length > 0,
        energyJoules: typeof energy === 'number' ? energy : null,
        powerWatts: typeof power === 'number' ? power : null,
        energyShare: gpu.migId === null ? 1 : 1 / instances.get(gpuKey(node, gpu.uuid, null))!,
      },
    };
  });
}
