// The inspector's part of the PulseApi contract: exposition files opened by the user, their
// problems, series pages, source lines and GPU-by-GPU comparison.
import type { GpuSnapshot } from './gpu';

export interface InspectionProblem {
  line: number;
  column: number;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface InspectionFamily {
  name: string;
  type: string;
  help: string | null;
  unit: string | null;
  seriesCount: number;
}

export interface InspectionInfo {
  id: string;
  /** File name as the user knows it (no directory for uploads). */
  name: string;
  sizeBytes: number;
  status: 'parsing' | 'done' | 'failed';
  /** 0..1 while parsing. */
  progress: number;
  /** What the parse is doing now (the slow steps of a large file take seconds each). */
  phase?: InspectionPhase;
  format: 'prometheus' | 'openmetrics' | 'dmon' | null;
  families: InspectionFamily[];
  sampleCount: number;
  problems: InspectionProblem[];
  /** GPU cards when the file is dcgm output (same computation as live targets). */
  gpus: GpuSnapshot[];
  /** GPUs found in the file; `gpus` lists at most a bounded number of them (unhealthy first). */
  gpuTotal?: number;
  error: string | null;
  openedAt: number;
}

export type InspectionPhase = 'uploading' | 'reading' | 'parsing' | 'indexing' | 'computing';

export interface InspectionSeriesRequest {
  family?: string;
  /** Case-insensitive substring over name and labels. */
  filter?: string;
  offset: number;
  limit: number;
}

export interface InspectionSeriesRow {
  name: string;
  labels: Record<string, string>;
  valueText: string;
  timestampMs: number | null;
  line: number;
}

export interface InspectionSeriesPage {
  total: number;
  rows: InspectionSeriesRow[];
}

export interface InspectionSourceRequest {
  line: number;
  /** Lines before and after. */
  context: number;
}

export interface InspectionSource {
  firstLine: number;
  lines: string[];
}

export interface InspectionComparisonRow {
  key: string;
  node: string;
  gpuIndex: number | null;
  a: GpuSnapshot | null;
  b: GpuSnapshot | null;
}

export interface InspectionComparison {
  a: string;
  b: string;
  rows: InspectionComparisonRow[];
}
