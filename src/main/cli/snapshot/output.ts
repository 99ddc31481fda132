// What `gpu-pulse snapshot` prints: the JSON contract, which the table and the CSV render too.
import type { GpuSnapshot, NodeExtra } from '../../../shared/gpu';
import type { Problem } from '../../core/exposition';

/** One GPU as `--format json` prints it (the contract). */
export interface SnapshotGpu
  extends Pick<GpuSnapshot, 'key' | 'node' | 'uuid' | 'gpuIndex' | 'migInstance' | 'model' | 'attribution' | 'readings' | 'class' | 'health' | 'raw' | 'substitutes' | 'approximate'> {
  /** The score and the inputs it lacks, in one object (GpuSnapshot keeps them apart). */
  realUtil: { value: number | null; missing: string[] };
}

export interface SnapshotProblem extends Problem {
  /** The SOURCE argument the problem belongs to. */
  source: string;
}

export interface SnapshotOutput {
  gpus: SnapshotGpu[];
  extras: NodeExtra[];
  problems: SnapshotProblem[];
}

export function toSnapshotGpu(g: GpuSnapshot): SnapshotGpu {
  return {
    key: g.key,
    node: g.node,
    uuid: g.uuid,
    gpuIndex: g.gpuIndex,
    migInstance: g.migInstance,
    model: g.model,
    attribution: g.attribution,
    readings: g.readings,
    realUtil: { value: g.realUtil, missing: g.realUtilMissing },
    class: g.class,
    health: g.health,
    ...(g.raw ? { raw: g.raw } : {}),
    ...(g.substitutes ? { substitutes: g.substitutes } : {}),
    ...(g.approximate ? { approximate: g.approximate } : {}),
  };
}
