// Messages between the inspector (main) and its parse worker.
import type { InspectionPhase } from '../../../shared/api';
import type { Analysis, AnalyzeInput } from './analyze';

export type WorkerInput = AnalyzeInput;

export type WorkerMessage =
  | { type: 'progress'; phase: InspectionPhase; progress: number }
  | { type: 'done'; analysis: Analysis }
  | { type: 'error'; message: string };
