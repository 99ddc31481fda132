// Coalesces what changed (GPUs, targets, inspections, replay, recording) into one Tick per
// batch window and hands it to every subscriber. The parts of the service report changes
// here; target info, replay and recording status are read only when a tick goes out, so a
// burst of changes costs one projection each.
import type { InspectionInfo, RecordingStatus, ReplayStatus, SourceInfo, TargetInfo, Tick } from '../../shared/api';
import type { GpuSnapshot } from '../../shared/gpu';

export interface TickSources {
  /** The target's info as it is published now, or null when it is gone. */
  publishTarget(id: string): TargetInfo | null;
  replayStatus(): ReplayStatus | null;
  recordingStatus(): RecordingStatus | null;
  sourceInfos(): SourceInfo[];
  now(): number;
}

function emptyPending() {
  return {
    gpus: new Map<string, GpuSnapshot>(),
    removedGpus: new Set<string>(),
    targets: new Set<string>(),
    removedTargets: new Set<string>(),
    inspections: new Map<string, InspectionInfo>(),
    showInspection: null as string | null,
    replay: false,
    recording: false,
    sources: false,
  };
}

export class TickBatcher {
  private pending = emptyPending();
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(tick: Tick) => void>();

  constructor(
    private readonly sources: TickSources,
    /** Delay that coalesces changes into one tick. */
    private readonly batchMs: number,
  ) {}

  onTick(listener: (tick: Tick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  gpuChanged(gpu: GpuSnapshot): void {
    this.pending.gpus.set(gpu.key, gpu);
    this.schedule();
  }

  gpuRemoved(key: string): void {
    this.pending.gpus.delete(key);
    this.pending.removedGpus.add(key);
    this.schedule();
  }

  targetChanged(id: string): void {
    this.pending.targets.add(id);
    this.schedule();
  }

  targetRemoved(id: string): void {
    this.pending.targets.delete(id);
    this.pending.removedTargets.add(id);
    this.schedule();
  }

  inspectionChanged(info: InspectionInfo): void {
    this.pending.inspections.set(info.id, info);
    this.schedule();
  }

  /** Ask front ends to show an inspection (File > Open, argv, open-with). */
  showInspection(id: string): void {
    this.pending.showInspection = id;
    this.schedule();
  }

  replayChanged(): void {
    this.pending.replay = true;
    this.schedule();
  }

  recordingChanged(): void {
    this.pending.recording = true;
    this.schedule();
  }

  sourcesChanged(): void {
    this.pending.sources = true;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.batchMs);
  }

  private flush(): void {
    this.timer = null;
    const pending = this.pending;
    this.pending = emptyPending();
    const tick: Tick = {
      at: this.sources.now(),
      gpus: [...pending.gpus.values()],
      removedGpus: [...pending.removedGpus],
      targets: [...pending.targets].flatMap((id) => this.sources.publishTarget(id) ?? []),
      removedTargets: [...pending.removedTargets],
    };
    if (pending.inspections.size > 0) tick.inspections = [...pending.inspections.values()];
    if (pending.showInspection) tick.showInspection = pending.showInspection;
    if (pending.replay) tick.replay = this.sources.replayStatus();
    if (pending.recording) tick.recording = this.sources.recordingStatus();
    if (pending.sources) tick.sources = this.sources.sourceInfos();
    for (const listener of this.listeners) {
      try {
        listener(tick);
      } catch {
        // A broken subscriber must not stop the others or the pipeline.
      }
    }
  }
}
