// Two files GPU by GPU. The same GPU (node, UUID, MIG instance) pairs with itself, as in a
// before/after capture of one node; what is left pairs by node and index, then by index alone,
// so captures of two different machines (one node each) still line up GPU 0 with GPU 0.
import type { InspectionComparisonRow } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { compareGpuOrder, naturalCompare } from '../../../shared/gpu-order';

type Pairing = (g: GpuSnapshot) => string | null;

const slot = (g: GpuSnapshot) => (g.gpuIndex === null ? null : `${g.gpuIndex}/${g.migInstance?.id ?? ''}`);
const PAIRINGS: Pairing[] = [(g) => g.key, (g) => (slot(g) === null ? null : `${g.node}\u0000${slot(g)}`), slot];

export function compareGpus(a: GpuSnapshot[], b: GpuSnapshot[]): InspectionComparisonRow[] {
  const rows: InspectionComparisonRow[] = [];
  let leftA = a;
  let leftB = b;
  for (const pairing of PAIRINGS) {
    // Index alone pairs only one machine with one machine; across many it would guess.
    if (pairing === slot && (nodeCount(leftA) > 1 || nodeCount(leftB) > 1)) continue;
    const byKey = new Map<string, GpuSnapshot>();
    for (const g of leftB) {
      const k = pairing(g);
      if (k !== null && !byKey.has(k)) byKey.set(k, g);
    }
    const used = new Set<GpuSnapshot>();
    const restA: GpuSnapshot[] = [];
    for (const g of leftA) {
      const k = pairing(g);
      const match = k === null ? undefined : byKey.get(k);
      if (match && !used.has(match)) {
        used.add(match);
        rows.push(row(g, match));
      } else restA.push(g);
    }
    leftA = restA;
    leftB = leftB.filter((g) => !used.has(g));
  }
  for (const g of leftA) rows.push(row(g, null));
  for (const g of leftB) rows.push(row(null, g));
  return rows.sort((x, y) => compareGpuOrder((x.a ?? x.b)!, (y.a ?? y.b)!) || naturalCompare(x.key, y.key));
}

function nodeCount(gpus: GpuSnapshot[]): number {
  return new Set(gpus.map((g) => g.node)).size;
}

function row(a: GpuSnapshot | null, b: GpuSnapshot | null): InspectionComparisonRow {
  const first = (a ?? b)!;
  const key = a && b && a.key !== b.key ? `${a.key} ↔ ${b.key}` : first.key;
  return { key, node: first.node, gpuIndex: first.gpuIndex, a, b };
}
