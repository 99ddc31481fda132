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

type Pending = ReturnType<typeof emptyPending>;

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
    this.note((p) => p.gpus.set(gpu.key, gpu));
  }

  gpuRemoved(key: string): void {
    this.note((p) => {
      p.gpus.delete(key);
      p.removedGpus.add(key);
    });
  }

  targetChanged(id: string): void {
    this.note((p) => p.targets.add(id));
  }

  targetRemoved(id: string): void {
    this.note((p) => {
      p.targets.delete(id);
      p.removedTargets.add(id);
    });
  }

  inspectionChanged(info: InspectionInfo): void {
    this.note((p) => p.inspections.set(info.id, info));
  }

  /** Ask front ends to show an inspection (File > Open, argv, open-with). */
  showInspection(id: string): void {
    this.note((p) => (p.showInspection = id));
  }

  replayChanged(): void {
    this.note((p) => (p.replay = true));
  }

  recordingChanged(): void {
    this.note((p) => (p.recording = true));
  }

  sourcesChanged(): void {
    this.note((p) => (p.sources = true));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Records a change in the pending tick and makes sure a tick goes out. */
  private note(change: (pending: Pending) => unknown): void {
    change(this.pending);
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
