// PulseApi: the one contract every front end talks to (DESIGN.md §4). PulseService implements
// it in main; the preload (IPC) and the HTTP bridge (serve mode) carry it to the renderer.
// No zod here: the sandboxed preload imports this file and must stay small.
import type { GpuSnapshot, NodeExtra } from './gpu';

export type TargetState =
  | 'pending'
  | 'up'
  | 'stale'
  | 'down'
  | 'unauthorized'
  | 'tls-error'
  | 'parse-error'
  | 'too-large'
  | 'timeout';

export interface TargetInfo {
  id: string;
  url: string;
  name: string;
  group: string | null;
  state: TargetState;
  /** Unix ms of the last finished scrape (success or failure), null before the first. */
  lastScrapeAt: number | null;
  /** Unix ms of the last successful scrape: the age of the data shown. */
  lastSuccessAt: number | null;
  lastError: string | null;
  /** What the user can do about lastError. */
  remedy: string | null;
  lastDurationMs: number | null;
  gpuCount: number;
  intervalMs: number;
  pinned: boolean;
  /** Started by the app itself as part of the built-in demo fleet. */
  demo: boolean;
  /** Node names (hostname labels) seen in the last successful scrape. */
  nodes: string[];
}

export const HISTORY_FIELDS = [
  'realUtil',
  'smActive',
  'tensorActive',
  'dramActive',
  'powerWatts',
  'gpuTempC',
  'fbUsedBytes',
] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

export interface HistoryRequest {
  keys: string[];
  fields: HistoryField[];
  /** How far back from now, default 15 minutes. */
  windowMs?: number;
}

export interface HistorySeries {
  t: number[];
  values: Partial<Record<HistoryField, (number | null)[]>>;
}

export interface HistoryResponse {
  series: Record<string, HistorySeries>;
}

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'serve';
  demo: boolean;
}

export interface AddTargetRequest {
  url: string;
  name?: string;
  group?: string;
  intervalMs?: number;
}

/** One batch of changes: only GPUs and targets that changed since the previous tick. */
export interface Tick {
  at: number;
  gpus: GpuSnapshot[];
  removedGpus: string[];
  targets: TargetInfo[];
  removedTargets: string[];
  extras?: NodeExtra[];
}

export interface PulseRequests {
  getAppInfo(): Promise<AppInfo>;
  getTargets(): Promise<TargetInfo[]>;
  getGpus(): Promise<GpuSnapshot[]>;
  getHistory(req: HistoryRequest): Promise<HistoryResponse>;
  addTarget(req: AddTargetRequest): Promise<TargetInfo>;
  removeTarget(id: string): Promise<void>;
  setPinned(targetId: string, pinned: boolean): Promise<TargetInfo>;
}

export interface PulseApi extends PulseRequests {
  /** Live ticks; returns the unsubscribe function. */
  onTick(listener: (tick: Tick) => void): () => void;
}

export type PulseRequestMethod = keyof PulseRequests;

/** Every request method, in one list the transports iterate (IPC channels, HTTP routes). */
export const PULSE_REQUEST_METHODS = [
  'getAppInfo',
  'getTargets',
  'getGpus',
  'getHistory',
  'addTarget',
  'removeTarget',
  'setPinned',
] as const satisfies readonly PulseRequestMethod[];

export const IPC_REQUEST_PREFIX = 'pulse:';
export const IPC_TICK_CHANNEL = 'pulse:tick';
