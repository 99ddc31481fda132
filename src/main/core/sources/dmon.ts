// `dcgmi dmon` captures as a file source. dmon prints a `#Entity` header naming its columns by
// DCGM short name, an `ID` units line, then one row per entity per tick. Columns are mapped by
// the header (never by position, since `-e` picks any fields in any order), `N/A` is missing,
// and a tick ends when an entity id repeats. Each tick becomes the families an exporter would
// have served, so the same alias table and pipeline handle both.
import type { Family, Problem, Sample } from '../exposition/types';

/**
 * dmon short name -> the exporter metric for the same DCGM field. Both DCGM's own short names
 * (TMPTR, MMTMP, DRAMA) and the variants seen in KempnerPulse's fixture (GTMP, MTMP, DRACT).
 */
export const DMON_COLUMNS: Readonly<Record<string, string>> = {
  SMCLK: 'DCGM_FI_DEV_SM_CLOCK',
  MMCLK: 'DCGM_FI_DEV_MEM_CLOCK',
  MMTMP: 'DCGM_FI_DEV_MEMORY_TEMP',
  MTMP: 'DCGM_FI_DEV_MEMORY_TEMP',
  TMPTR: 'DCGM_FI_DEV_GPU_TEMP',
  GTMP: 'DCGM_FI_DEV_GPU_TEMP',
  POWER: 'DCGM_FI_DEV_POWER_USAGE',
  PMLMT: 'DCGM_FI_DEV_POWER_MGMT_LIMIT',
  TOTEC: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  PCIRP: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  GPUTL: 'DCGM_FI_DEV_GPU_UTIL',
  MCUTL: 'DCGM_FI_DEV_MEM_COPY_UTIL',
  FBTTL: 'DCGM_FI_DEV_FB_TOTAL',
  FBFRE: 'DCGM_FI_DEV_FB_FREE',
  FBUSD: 'DCGM_FI_DEV_FB_USED',
  FBRSV: 'DCGM_FI_DEV_FB_RESERVED',
  NVLBW: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  GRACT: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  SMACT: 'DCGM_FI_PROF_SM_ACTIVE',
  SMOCC: 'DCGM_FI_PROF_SM_OCCUPANCY',
  TENSO: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  DRAMA: 'DCGM_FI_PROF_DRAM_ACTIVE',
  DRACT: 'DCGM_FI_PROF_DRAM_ACTIVE',
  FP64A: 'DCGM_FI_PROF_PIPE_FP64_ACTIVE',
  FP32A: 'DCGM_FI_PROF_PIPE_FP32_ACTIVE',
  FP16A: 'DCGM_FI_PROF_PIPE_FP16_ACTIVE',
  PCITX: 'DCGM_FI_PROF_PCIE_TX_BYTES',
  PCIRX: 'DCGM_FI_PROF_PCIE_RX_BYTES',
  NVLTX: 'DCGM_FI_PROF_NVLINK_TX_BYTES',
  NVLRX: 'DCGM_FI_PROF_NVLINK_RX_BYTES',
};

/** A column dmon printed that the table above does not know: kept raw under this name. */
export function unknownColumnMetric(column: string): string {
  return `dcgm_dmon_${column.toLowerCase()}`;
}

export interface DmonTick {
  /** 1-based line of the tick's first row. */
  line: number;
  families: Family[];
}

export interface DmonCapture {
  ticks: DmonTick[];
  problems: Problem[];
}

const ENTITY_ROW = /^(GPU-CI|GPU-I|GPU|Switch|Link|CPU|Core)\s+(\d+)\s+(.*)$/;

/** True when the text starts (after blank lines) with dmon's `#Entity` header. */
export function looksLikeDmonCapture(text: string): boolean {
  const first = text.split(/\r?\n/, 20).find((l) => l.trim() !== '');
  return first !== undefined && /^#\s*Entity\b/.test(first.trim());
}

export function parseDmonCapture(text: string): DmonCapture {
  const problems: Problem[] = [];
  const ticks: DmonTick[] = [];
  let columns: string[] | null = null;
  let current: { line: number; seen: Set<string>; samples: Map<string, Sample[]> } | null = null;

  const finishTick = () => {
    if (current && current.seen.size > 0) ticks.push({ line: current.line, families: toFamilies(current.samples) });
    current = null;
  };

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      // dmon repeats its header every screenful; a header never ends a tick by itself.
      const tokens = line.replace(/^#\s*/, '').split(/\s+/);
      if (tokens[0] === 'Entity') columns = tokens.slice(1);
      return;
    }
    if (/^ID\b/.test(line)) return; // the units line under the header
    const match = ENTITY_ROW.exec(line);
    if (!match) {
      problems.push({ line: lineNo, column: 1, code: 'dmon-unrecognized-line', message: `not a dmon row: "${line.slice(0, 80)}"; expected "GPU <id> <values...>"`, severity: 'warning' });
      return;
    }
    if (columns === null) {
      problems.push({ line: lineNo, column: 1, code: 'dmon-no-header', message: 'dmon row before any "#Entity" header line; capture dmon output from its first line', severity: 'error' });
      return;
    }
    const [, entityType, entityId, rest] = match;
    const values = rest.split(/\s+/);
    if (values.length !== columns.length) {
      problems.push({
        line: lineNo,
        column: 1,
        code: 'dmon-column-count',
        message: `row has ${values.length} values but the header names ${columns.length} columns; row skipped`,
        severity: 'warning',
      });
      return;
    }
    const entity = `${entityType} ${entityId}`;
    if (current === null || current.seen.has(entity)) {
      finishTick();
      current = { line: lineNo, seen: new Set(), samples: new Map() };
    }
    current.seen.add(entity);
    // Only whole GPUs carry GPU identity; other dmon entities become node extras.
    const labels: Record<string, string> = entityType === 'GPU' ? { gpu: entityId } : { dmon_entity: entity };
    columns.forEach((column, c) => {
      const valueText = values[c];
      if (valueText === 'N/A') return; // missing, never 0
      const value = Number(valueText);
      if (!Number.isFinite(value)) {
        problems.push({ line: lineNo, column: 1, code: 'dmon-invalid-value', message: `${column} of ${entity} is "${valueText}", not a number or N/A; ignored`, severity: 'warning' });
        return;
      }
      const name = DMON_COLUMNS[column] ?? unknownColumnMetric(column);
      const samples = current!.samples.get(name) ?? [];
      samples.push({ name, labels, value, valueText, timestampMs: null, exemplar: null, line: lineNo });
      current!.samples.set(name, samples);
    });
  });
  finishTick();
  return { ticks, problems };
}

function toFamilies(samples: Map<string, Sample[]>): Family[] {
  return [...samples].map(([name, list]) => ({ name, type: 'gauge', help: null, unit: null, samples: list }));
}
