// The plot view's checklist and default selection, in the fleet order (shared/gpu-order).
import type { GpuSnapshot } from '../../../../shared/gpu';
import { gpuLabel } from '../../navigation';

/** GPUs plotted when the route names none: enough to compare, few enough to read. */
export const DEFAULT_PLOT_GPUS = 8;

export function defaultPlotKeys(sorted: readonly GpuSnapshot[]): string[] {
  return sorted.slice(0, DEFAULT_PLOT_GPUS).map((g) => g.key);
}

export interface NodeGpus {
  node: string;
  gpus: GpuSnapshot[];
}

/** GPUs matching the search (label, model or UUID, case-insensitive), grouped by node. */
export function filterByNode(sorted: readonly GpuSnapshot[], query: string): NodeGpus[] {
  const needle = query.trim().toLowerCase();
  const groups: NodeGpus[] = [];
  for (const gpu of sorted) {
    const haystack = `${gpuLabel(gpu)} ${gpu.model ?? ''} ${gpu.uuid}`.toLowerCase();
    if (needle && !haystack.includes(needle)) continue;
    const last = groups[groups.length - 1];
    if (last && last.node === gpu.node) last.gpus.push(gpu);
    else groups.push({ node: gpu.node, gpus: [gpu] });
  }
  return groups;
}
