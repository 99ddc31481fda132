// PulseApi: the one contract every front end talks to (DESIGN.md §4). PulseService implements
// it in main; the preload (IPC) and the HTTP bridge (serve mode) carry it to the renderer.
// No zod here: the sandboxed preload imports this file and must stay small.
import type { HeldIdleGpu, WasteReport, WasteReportRequest } from './waste';
import type { GpuSnapshot, NodeExtra } from './gpu';
import type { InspectionInfo, InspectionSeriesRequest, InspectionSeriesPage, InspectionSourceRequest, InspectionSource, InspectionComparison } from './inspection';

// The inspector's types live in inspection.ts; they are part of this contract.
export type { InspectionProblem, InspectionFamily, InspectionInfo, InspectionPhase, InspectionSeriesRequest, InspectionSeriesRow, InspectionSeriesPage, InspectionSourceRequest, InspectionSource, InspectionComparisonRow, InspectionComparison } from './inspection';

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
  kind: 'exporter' | 'prometheus';
  url: string;
  selector: string | null;
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
  /** A source of the recording being replayed, not a live target. */
  replay?: boolean;
  /** Node names (hostname labels) seen in the last successful scrape. */
  nodes: string[];
  timeoutMs: number;
  authKind: 'none' | 'basic' | 'bearer';
  /** Basic-auth user name (never the password). */
  username: string | null;
  tls: TargetTlsRequest | null;
  /** Id of the source that lists this target (a targets file, a discovery): edit it there. */
  source?: string;
}

/**
 * Where targets come from: a targets file followed as it changes, a Prometheus whose targets are
 * discovered, a Prometheus read as a source, or static targets (added in the app or given on the
 * command line).
 */
export type SourceKind = 'targets-file' | 'prometheus-discovery' | 'prometheus' | 'static';

export interface SourceInfo {
  id: string;
  kind: SourceKind;
  /** The file path, the server URL, or where static targets are kept ("settings", "command line"). */
  location: string;
  /** Discovery: the scrape job adopted, null for every target serving DCGM metrics. Prometheus source: its selector. */
  detail: string | null;
  /** Unix ms of the last successful load (file read, targets API answer, Prometheus poll). */
  lastLoadAt: number | null;
  /** Targets the source yields now (a Prometheus source: the nodes it reads). */
  targetCount: number;
  /** Why the last load failed, `FILE:LINE: reason` when a file is at fault; the last good list stays in force. */
  lastError: string | null;
  /** Added in the app and saved; command-line and built-in sources cannot be removed from the UI. */
  removable: boolean;
}

export type AddSourceRequest =
  | {
      kind: 'targets-file';
      /** Desktop only: a path on this machine. */
      path: string;
      intervalMs?: number;
    }
  | {
      kind: 'prometheus-discovery';
      url: string;
      /** Scrape job whose targets are adopted; absent: every target serving DCGM metrics. */
      job?: string;
      intervalMs?: number;
      timeoutMs?: number;
      auth?: TargetAuthRequest;
      tls?: TargetTlsRequest;
      headers?: Record<string, string>;
    };

/** Fields kept in history (ring buffers cost memory per GPU and field, so not every reading). */
export const HISTORY_FIELDS = [
  'realUtil',
  'smActive',
  'tensorActive',
  'dramActive',
  'grEngineActive',
  'fp64Active',
  'pcieTxBytesPerSec',
  'pcieRxBytesPerSec',
  'nvlinkTotalBytesPerSec',
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
  /** Desktop notifications for CRIT/HOT GPUs and new XIDs. */
  notifications: boolean;
  /** Names of the secrets the operator configured (serve --secret), for `{ secret: NAME }`. */
  secretNames: string[];
}

/**
 * A secret typed by the user (desktop: encrypted with the OS key store; serve refuses it), or
 * the name of one the operator configured (`gpu-pulse serve --secret NAME=env:VAR`). A request
 * never points at an environment variable or a file itself.
 */
export type SecretInput = string | { secret: string };

export type TargetAuthRequest =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password?: SecretInput }
  | { kind: 'bearer'; token?: SecretInput };

export interface TargetTlsRequest {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Unsafe: accepts any certificate. The UI marks it. */
  insecureSkipVerify?: boolean;
}

export interface AddTargetRequest {
  /** `exporter` (default): a dcgm-exporter to scrape; `prometheus`: a Prometheus server to query. */
  kind?: 'exporter' | 'prometheus';
  url: string;
  /** Prometheus sources: label matchers, e.g. {cluster="a100-pool"}. */
  selector?: string;
  name?: string;
  group?: string;
  intervalMs?: number;
  timeoutMs?: number;
  /** On update, a secret left out keeps the stored one. */
  auth?: TargetAuthRequest;
  tls?: TargetTlsRequest;
  headers?: Record<string, string>;
}

/** What "test connection" found, without adding the target. */
export interface TargetTestResult {
  ok: boolean;
  state: TargetState;
  message: string;
  remedy: string | null;
  durationMs: number;
  gpuCount: number;
  nodes: string[];
  models: string[];
  /** E.g. "legacy field names (dcgm-exporter ≤ 4.8)", "driver 570.124.06", "no profiling counters". */
  exporterHints: string[];
  problems: string[];
}

export interface ExportedSnapshot {
  fileName: string;
  contentType: string;
  text: string;
}

export interface PushRequest {
  /** Pushgateway base URL, e.g. http://pushgateway:9091. */
  gateway: string;
  job: string;
  /** Grouping key labels besides job, in path order. */
  grouping: Array<[string, string]>;
  /** replace = PUT (the group's metrics become these), add = POST (same names replaced), delete = DELETE the group. */
  method: 'replace' | 'add' | 'delete';
  username?: string;
  password?: string;
  insecureSkipVerify?: boolean;
}

export interface PushResult {
  status: number;
  url: string;
}

export interface StartRecordingRequest {
  /** Targets to record; all live exporter targets when absent. */
  targetIds?: string[];
  /** Default true. */
  gzip?: boolean;
  intervalMs?: number;
}

export interface RecordingStatus {
  active: boolean;
  fileName: string;
  startedAt: number;
  targets: number;
  scrapes: number;
  /** Size of the finished file; null while recording. */
  bytes: number | null;
}

/** serve mode: GET this + file name to download a finished recording. */
export const HTTP_RECORDINGS_PATH = '/api/recordings/';

/** A recording being replayed through the same views as live data. */
export interface ReplayStatus {
  name: string;
  state: 'paused' | 'playing' | 'ended';
  speed: number;
  /** Offset from the first frame. */
  positionMs: number;
  durationMs: number;
  /** Unix ms of the first recorded frame: recorded time = recordedStartMs + positionMs. */
  recordedStartMs: number;
  sources: string[];
}

export type ReplayControl =
  | { action: 'play' }
  | { action: 'pause' }
  | { action: 'close' }
  | { action: 'seek'; positionMs: number }
  | { action: 'speed'; speed: number };

/** One batch of changes: only GPUs and targets that changed since the previous tick. */
export interface Tick {
  at: number;
  /**
   * Changed GPUs. A front end's stream (IPC, `/api/events`) carries full snapshots only for the
   * GPUs it watches (watchGpus) and summary rows (`detail: 'summary'`) for the rest; a newly
   * watched GPU arrives in full at once, changed or not.
   */
  gpus: GpuSnapshot[];
  removedGpus: string[];
  targets: TargetInfo[];
  removedTargets: string[];
  extras?: NodeExtra[];
  /** Inspections whose progress or status changed. */
  inspections?: InspectionInfo[];
  /** Ask the UI to show this inspection (File > Open, argv, open-with). */
  showInspection?: string;
  /** Present when a recording started, progressed or stopped. */
  recording?: RecordingStatus | null;
  /** Present when the replay changed: its status, or null when it closed. */
  replay?: ReplayStatus | null;
  /** Present when a source loaded, failed or was added or removed: every source. */
  sources?: SourceInfo[];
}

export interface PulseRequests {
  getAppInfo(): Promise<AppInfo>;
  getTargets(): Promise<TargetInfo[]>;
  getGpus(): Promise<GpuSnapshot[]>;
  getHistory(req: HistoryRequest): Promise<HistoryResponse>;
  addTarget(req: AddTargetRequest): Promise<TargetInfo>;
  removeTarget(id: string): Promise<void>;
  setPinned(targetId: string, pinned: boolean): Promise<TargetInfo>;
  updateTarget(id: string, req: AddTargetRequest): Promise<TargetInfo>;
  testTarget(req: AddTargetRequest): Promise<TargetTestResult>;
  /** Every configured source of targets with its last load and error (GET /api/sources). */
  getSources(): Promise<SourceInfo[]>;
  /** Adds and saves a source; rejects when its first load fails (with the reason). */
  addSource(req: AddSourceRequest): Promise<SourceInfo>;
  /** Removes a saved source and the targets it yields. */
  removeSource(id: string): Promise<void>;
  /** NvLink, NvSwitch and CPU entities of a node: shown beside its GPUs, never as GPUs. */
  getNodeExtras(node: string): Promise<NodeExtra[]>;
  setNotifications(enabled: boolean): Promise<void>;
  /** Desktop: replay a recording (`gpu-pulse record` output or a dcgmi dmon capture) from a path the user chose. */
  openReplay(path: string): Promise<ReplayStatus>;
  /** Replay a file already opened in the inspector (works for uploads in serve mode too). */
  replayInspection(id: string): Promise<ReplayStatus>;
  controlReplay(control: ReplayControl): Promise<ReplayStatus | null>;
  getReplay(): Promise<ReplayStatus | null>;
  /** The computed metrics (real utilization, class, health, info) as an exposition file. */
  exportSnapshot(format: 'prometheus' | 'openmetrics'): Promise<ExportedSnapshot>;
  pushToGateway(req: PushRequest): Promise<PushResult>;
  startRecording(req: StartRecordingRequest): Promise<RecordingStatus>;
  stopRecording(): Promise<RecordingStatus>;
  getRecording(): Promise<RecordingStatus | null>;
  /** Replay a finished recording made by startRecording, by its file name. */
  replayRecording(fileName: string): Promise<ReplayStatus>;
  /** Desktop only: a path the user chose (dialog, drop, argv); parsing continues in a worker. */
  inspectPath(path: string): Promise<InspectionInfo>;
  listInspections(): Promise<InspectionInfo[]>;
  getInspection(id: string): Promise<InspectionInfo>;
  getInspectionSeries(id: string, req: InspectionSeriesRequest): Promise<InspectionSeriesPage>;
  getInspectionSource(id: string, req: InspectionSourceRequest): Promise<InspectionSource>;
  compareInspections(a: string, b: string): Promise<InspectionComparison>;
  closeInspection(id: string): Promise<void>;
  /** Fleet waste (issue 19): who held GPUs over a window, from the live history or a Prometheus source. */
  getWasteReport(req: WasteReportRequest): Promise<WasteReport>;
  /** GPUs a workload holds while they are idle, longest first. */
  getHeldIdleGpus(): Promise<HeldIdleGpu[]>;
}

/** What main implements once (PulseService) and every transport carries. */
export interface PulseBackend extends PulseRequests {
  /** Live ticks; returns the unsubscribe function. */
  onTick(listener: (tick: Tick) => void): () => void;
}

/** What the renderer sees: the backend plus what only a page can do. */
export interface PulseApi extends PulseBackend {
  /**
   * Open a file the user dropped or picked in the page. The preload maps it to inspectPath
   * (webUtils.getPathForFile); the HTTP bridge uploads the bytes to serve mode.
   */
  inspectFile(file: File): Promise<InspectionInfo>;
  /**
   * Desktop only: follow a targets file the user picked in the page (the preload sends the path
   * webUtils gives for it; the page itself cannot name a path). Absent in serve mode, where
   * targets files come from the command line.
   */
  addTargetsFile?(file: File, intervalMs?: number): Promise<SourceInfo>;
  /**
   * The GPUs whose full snapshots this page needs (focus, plot); replaces the previous set.
   * Every other GPU arrives as a summary row. Fire and forget: a lost call costs detail, not data.
   */
  watchGpus(keys: string[]): void;
  /** Desktop only: commands from the native menu (Find, Back, …). */
  onMenuCommand?(listener: (command: MenuCommand) => void): () => void;
}

export type MenuCommand = 'find' | 'back' | 'forward' | 'fleet' | 'targets' | 'inspector' | 'add-target';
export const IPC_MENU_CHANNEL = 'pulse:menu';

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
  'updateTarget',
  'testTarget',
  'getSources',
  'addSource',
  'removeSource',
  'getNodeExtras',
  'setNotifications',
  'openReplay',
  'replayInspection',
  'controlReplay',
  'getReplay',
  'exportSnapshot',
  'pushToGateway',
  'startRecording',
  'stopRecording',
  'getRecording',
  'replayRecording',
  'inspectPath',
  'listInspections',
  'getInspection',
  'getInspectionSeries',
  'getInspectionSource',
  'compareInspections',
  'closeInspection',
  'getWasteReport',
  'getHeldIdleGpus',
] as const satisfies readonly PulseRequestMethod[];

/** serve mode: GET the waste report as JSON (`?by=namespace&since=24h`, or `&start=…&end=…`, `&prometheus=<target id>`). */
export const HTTP_REPORT_PATH = '/api/report';

/** serve mode: POST the raw file bytes here with ?name=<file name>; answers the InspectionInfo. */
export const HTTP_INSPECT_UPLOAD_PATH = '/api/inspect-upload';

export const IPC_REQUEST_PREFIX = 'pulse:';
export const IPC_TICK_CHANNEL = 'pulse:tick';
export const IPC_WATCH_CHANNEL = 'pulse:watchGpus';
/** Desktop: a file the user dropped or picked in the page; the preload sends its path (webUtils). */
export const IPC_INSPECT_DROPPED_CHANNEL = 'pulse:inspectDroppedFile';
/** Desktop: a targets file the user picked in the page; the preload sends its path (webUtils). */
export const IPC_ADD_TARGETS_FILE_CHANNEL = 'pulse:addPickedTargetsFile';

/**
 * Requests that name a file path. The desktop renderer never sends them: its files come from
 * native dialogs, drops and the command line (main side), so a compromised page cannot name
 * ~/.ssh/id_rsa. Serve mode accepts them for paths inside --allow-dir folders only.
 */
export const PATH_REQUEST_METHODS: readonly PulseRequestMethod[] = ['inspectPath', 'openReplay'];

/** Whether a request names a file path: the path methods, and addSource of a targets file. */
export function namesFilePath(method: string, args: readonly unknown[]): boolean {
  if ((PATH_REQUEST_METHODS as readonly string[]).includes(method)) return true;
  const first = args[0];
  return method === 'addSource' && typeof first === 'object' && first !== null && (first as { kind?: unknown }).kind === 'targets-file';
}

/**
 * serve mode: POST {"stream": <id>, "keys": [...]} here to choose the GPUs sent in full on the
 * event stream whose `hello` event named that id.
 */
export const HTTP_WATCH_PATH = '/api/watch';
