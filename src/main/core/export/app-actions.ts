// What the app's Export menu does: save the computed metrics as a .prom file, push them to a
// Pushgateway, and record live activity to a file that Prometheus can import and GPU Pulse replay.
import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExportedSnapshot, PushRequest, PushResult, RecordingStatus, StartRecordingRequest } from '../../../shared/api';
import type { SecretStore } from '../fleet/secrets';
import type { TargetConfig } from '../fleet/target-config';
import { CONTENT_TYPES, type PulseMetrics } from './metrics-registry';
import { pushToGateway } from './pushgateway';
import { recordingSources, startRecorder, type RunningRecorder } from './recording';

export interface AppActionsDeps {
  /** The service's computed metrics and self-metrics. */
  metrics: PulseMetrics;
  /** Live exporter targets to record (replay and Prometheus sources excluded by the caller). */
  targets(): TargetConfig[];
  secrets: SecretStore;
  /** Where recordings are written: the app's data folder, serve mode's config folder. */
  dataDir: string;
  now?: () => number;
  /** The recording started, stopped, or made progress (every 2 s while it runs). */
  recordingChanged(): void;
}

/** How often a running recording's progress (scrape count) reaches the front ends. */
const PROGRESS_EVERY_MS = 2000;

const RECORDING_NAME = /^gpu-pulse-[0-9TZ-]+\.om(\.gz)?$/;

export class AppActions {
  private progressTimer: NodeJS.Timeout | null = null;
  private recording: { recorder: RunningRecorder; fileName: string; startedAt: number; scrapes: number; targets: number } | null = null;
  private last: RecordingStatus | null = null;

  constructor(private readonly deps: AppActionsDeps) {}

  async snapshot(format: 'prometheus' | 'openmetrics'): Promise<ExportedSnapshot> {
    const stamp = stampOf(this.deps.now?.() ?? Date.now());
    return { fileName: `gpu-pulse-snapshot-${stamp}.${format === 'openmetrics' ? 'om' : 'prom'}`, contentType: CONTENT_TYPES[format], text: await this.deps.metrics.render(format) };
  }

  async push(req: PushRequest): Promise<PushResult> {
    const body = req.method === 'delete' ? undefined : await this.deps.metrics.render('prometheus');
    return pushToGateway(
      {
        gateway: req.gateway,
        job: req.job,
        grouping: req.grouping,
        method: req.method,
        auth: req.username ? { username: req.username, password: req.password ?? '' } : undefined,
        tls: req.insecureSkipVerify ? { insecureSkipVerify: true } : undefined,
      },
      body,
    );
  }

  async startRecording(req: StartRecordingRequest): Promise<RecordingStatus> {
    if (this.recording) throw new Error(`already recording to ${this.recording.fileName}; stop it first`);
    const wanted = req.targetIds ? new Set(req.targetIds) : null;
    const targets = this.deps.targets().filter((t) => !wanted || wanted.has(t.id));
    if (targets.length === 0) throw new Error('no live dcgm-exporter target to record (replays and Prometheus sources are not recorded)');
    const dir = join(this.deps.dataDir, 'recordings');
    await mkdir(dir, { recursive: true });
    const startedAt = this.deps.now?.() ?? Date.now();
    const fileName = `gpu-pulse-${stampOf(startedAt)}.om${req.gzip === false ? '' : '.gz'}`;
    const state = { fileName, startedAt, scrapes: 0, targets: targets.length, recorder: null as unknown as RunningRecorder };
    state.recorder = await startRecorder({
      out: join(dir, fileName),
      gzip: req.gzip !== false,
      sources: await recordingSources(targets, this.deps.secrets),
      intervalMs: req.intervalMs ?? Math.min(...targets.map((t) => t.intervalMs)),
      onScrape: () => {
        state.scrapes += 1;
      },
    });
    this.recording = state;
    const status = this.status()!;
    this.deps.recordingChanged();
    this.progressTimer = setInterval(() => this.deps.recordingChanged(), PROGRESS_EVERY_MS);
    return status;
  }

  async stopRecording(): Promise<RecordingStatus> {
    const status = await this.finishRecording();
    this.deps.recordingChanged();
    return status;
  }

  private async finishRecording(): Promise<RecordingStatus> {
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = null;
    const current = this.recording;
    if (!current) throw new Error('not recording');
    this.recording = null;
    const summary = await current.recorder.stop();
    this.last = { active: false, fileName: current.fileName, startedAt: current.startedAt, targets: current.targets, scrapes: summary.scrapes, bytes: summary.bytes };
    return this.last;
  }

  status(): RecordingStatus | null {
    const r = this.recording;
    return r ? { active: true, fileName: r.fileName, startedAt: r.startedAt, targets: r.targets, scrapes: r.scrapes, bytes: null } : this.last;
  }

  /** A finished recording by file name (only names this class makes; never a path from outside). */
  async recordingPath(fileName: string): Promise<string> {
    if (!RECORDING_NAME.test(fileName) || basename(fileName) !== fileName) throw new Error(`not a recording name: ${fileName}`);
    const path = join(this.deps.dataDir, 'recordings', fileName);
    if (this.recording?.fileName === fileName) throw new Error(`${fileName} is still being recorded; stop it first`);
    await stat(path);
    return path;
  }

  async dispose(): Promise<void> {
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.recording) await this.finishRecording();
  }
}

function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}
