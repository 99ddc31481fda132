// `gpu-pulse snapshot --format table`: for a person at a terminal (DCGM.md §9 conventions),
// one row per GPU, then notes on what is missing, health reasons and unknown fields.
import { CANONICAL_FIELDS, type CanonicalField, type Readings } from '../../../shared/canonical';
import { describeClockEventReasons } from '../../../shared/clock-events';
import { grReading } from '../../../shared/gpu';
import type { SnapshotGpu, SnapshotOutput } from './output';

const GIB = 1024 ** 3;

function percent(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value * 100)}%` : '-';
}

function gpuLabel(g: SnapshotGpu): string {
  const index = g.gpuIndex === null ? '?' : String(g.gpuIndex);
  return g.migInstance ? `${index}/mig${g.migInstance.id}` : index;
}

/** `used/total GiB share`; `≈` marks a total estimated as used + free (no reserved size served). */
function memory(g: SnapshotGpu): string {
  const { fbUsedBytes: used, fbTotalBytes: total } = g.readings;
  if (typeof used !== 'number') return '-';
  if (typeof total !== 'number' || total <= 0) return `${(used / GIB).toFixed(1)} GiB`;
  const approx = g.approximate?.includes('fbTotalBytes') ? '≈' : '';
  return `${(used / GIB).toFixed(1)}/${approx}${(total / GIB).toFixed(1)} GiB ${Math.round((used / total) * 100)}%`;
}

/** Clock event reasons by name (`-` when not served). */
function clocks(r: Readings): string {
  return typeof r.clockEventReasons === 'number' ? describeClockEventReasons(r.clockEventReasons) : '-';
}

/** GR, or the reading standing in for it marked with `*` (explained in the notes). */
function grCell(g: SnapshotGpu): string {
  const gr = grReading(g);
  return gr.from ? `${percent(gr.value)}*` : percent(gr.value);
}

function realUtilCell(g: SnapshotGpu): string {
  const { value, missing } = g.realUtil;
  if (value === null) return 'unknown';
  // A score over some inputs only is a lower bound.
  return `${missing.length > 0 ? '>=' : ''}${Math.round(value)}%`;
}

export function toTable(output: SnapshotOutput): string {
  if (output.gpus.length === 0) return 'No GPUs found.\n';
  const header = ['NODE', 'GPU', 'MODEL', 'REAL', 'CLASS', 'HEALTH', 'SM', 'TENSOR', 'DRAM', 'GR', 'POWER', 'TEMP', 'MEMORY', 'CLOCKS'];
  const rows = output.gpus.map((g) => {
    const r = g.readings;
    return [
      g.node,
      gpuLabel(g),
      g.model ?? '-',
      realUtilCell(g),
      g.class.label,
      g.health.state,
      percent(r.smActive),
      percent(r.tensorActive),
      percent(r.dramActive),
      grCell(g),
      typeof r.powerWatts === 'number' ? `${Math.round(r.powerWatts)}W` : '-',
      typeof r.gpuTempC === 'number' ? `${Math.round(r.gpuTempC)}°C` : '-',
      memory(g),
      clocks(r),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];

  const notes: string[] = [];
  if (output.gpus.some((g) => g.substitutes?.grEngineActive)) {
    notes.push('GR marked * is NVML GPU utilization standing in: the exporter serves no graphics-engine-active counter for that GPU.');
  }
  if (output.gpus.some((g) => g.approximate?.includes('fbTotalBytes'))) {
    notes.push('Memory total marked ≈ is used + free: the exporter serves no reserved size, so the board total is a little larger.');
  }
  for (const g of output.gpus) {
    const who = `${g.node} GPU ${gpuLabel(g)}`;
    if (g.realUtil.missing.length > 0) {
      const names = g.realUtil.missing.map((f) => CANONICAL_FIELDS[f as CanonicalField]?.label ?? f).join(', ');
      notes.push(`${who}: ${g.realUtil.value === null ? 'real utilization unknown' : 'real utilization is a lower bound'}, missing ${names}`);
    }
    for (const reason of g.health.reasons) notes.push(`${who}: ${reason.state} ${reason.message}`);
    if (g.raw) {
      const fields = Object.entries(g.raw).map(([name, value]) => `${name}=${value}`);
      notes.push(`${who}: fields GPU Pulse does not know yet, as served: ${fields.join(' ')}`);
    }
  }
  if (notes.length > 0) out.push('', ...notes);
  if (output.extras.length > 0) {
    const byKind = new Map<string, number>();
    for (const e of output.extras) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    out.push('', `Node extras (not GPUs): ${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
