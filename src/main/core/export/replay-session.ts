// Replaying a recording (or a dcgmi dmon capture) as if its sources were live: one replay
// target per recorded source, fed frame by frame by the player, with play, pause, seek, speed
// and close. Only one recording plays at a time.
import { basename } from 'node:path';
import type { ReplayControl, ReplayStatus } from '../../../shared/api';
import type { FleetIngest } from '../fleet/ingest';
import { makeTargetConfig } from '../fleet/target-input';
import type { TargetRegistry, TargetRuntime } from '../fleet/target-registry';
import { RecordingPlayer } from './player';
import { readRecording, type Recording } from './recording-reader';

export interface ReplaySessionDeps {
  targets: TargetRegistry;
  ingest: FleetIngest;
  now(): number;
  /** A replay target received a frame. */
  changed(runtime: TargetRuntime): void;
  /** Play state, position or the recording itself changed. */
  statusChanged(): void;
}

/** A recording to replay, read and checked before anything live is stopped for it. */
export async function loadReplay(path: string): Promise<{ name: string; recording: Recording }> {
  const recording = await readRecording(path);
  if (recording.frames.length === 0) throw new Error(`${basename(path)} holds no samples to replay`);
  return { name: basename(path), recording };
}

export class ReplaySession {
  private current: { name: string; player: RecordingPlayer; runtimes: TargetRuntime[]; sources: string[] } | null = null;

  constructor(private readonly deps: ReplaySessionDeps) {}

  start(name: string, recording: Recording): ReplayStatus {
    const { targets } = this.deps;
    const runtimes = new Map<string | null, TargetRuntime>();
    recording.sources.forEach((source, i) => {
      const label = source ?? name;
      const config = makeTargetConfig({ url: `http://replay.invalid/${i}`, id: `replay-${i}`, name: `${label} (replay)` });
      runtimes.set(source, targets.add(config, { persisted: false, demo: false, replay: { fallbackNode: label } }));
    });
    const player = new RecordingPlayer(recording, {
      onFrame: (families, timestampMs, source) => {
        const runtime = runtimes.get(source);
        if (!runtime || !targets.has(runtime.config.id)) return;
        const now = this.deps.now();
        this.deps.ingest.families(runtime, families, timestampMs, now);
        targets.states.recordSuccess(runtime.config.id, 0, now);
        this.deps.changed(runtime);
      },
      onStatus: () => this.deps.statusChanged(),
    });
    this.current = { name, player, runtimes: [...runtimes.values()], sources: recording.sources.map((s) => s ?? name) };
    // Show the first moment at once, then play.
    player.seek(0);
    player.play();
    this.deps.statusChanged();
    return this.status()!;
  }

  /** Applies a control; null once the replay is closed. */
  async control(control: ReplayControl): Promise<ReplayStatus | null> {
    const current = this.current;
    if (!current) throw new Error('no recording is being replayed; open one first');
    if (control.action === 'close') {
      this.close();
      return null;
    }
    const { player } = current;
    if (control.action === 'play') player.play();
    else if (control.action === 'pause') player.pause();
    else if (control.action === 'seek') player.seek(Math.min(control.positionMs, player.durationMs));
    else player.setSpeed(control.speed);
    this.deps.statusChanged();
    return this.status();
  }

  status(): ReplayStatus | null {
    if (!this.current) return null;
    const { name, player, sources } = this.current;
    const status = player.status();
    return { name, state: status.state, speed: status.speed, positionMs: status.positionMs, durationMs: status.durationMs, recordedStartMs: status.startMs, sources };
  }

  close(): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    current.player.dispose();
    for (const runtime of current.runtimes) if (this.deps.targets.has(runtime.config.id)) this.deps.targets.remove(runtime);
    this.deps.statusChanged();
  }
}
