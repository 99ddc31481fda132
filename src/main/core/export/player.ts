// Replays a recording in (accelerated) real time: frames are handed to `onFrame` when the
// playback clock reaches their timestamp, so the service can ingest them as if scraped.
// Positions are offsets in ms from the recording's first frame.
import type { Family } from '../exposition/types';
import type { Recording, RecordingFrame } from './recording-reader';

export const MIN_SPEED = 1;
export const MAX_SPEED = 60;

export type PlayerState = 'paused' | 'playing' | 'ended';

export interface PlayerStatus {
  state: PlayerState;
  speed: number;
  /** Offset from the first frame, ms. */
  positionMs: number;
  durationMs: number;
  startMs: number;
}

export interface PlayerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: PlayerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PlayerOptions {
  /** A frame reached by playback or restored by seek: the families, their time, their source. */
  onFrame(families: Family[], timestampMs: number, source: string | null): void;
  onStatus?(status: PlayerStatus): void;
  clock?: PlayerClock;
}

export class RecordingPlayer {
  private readonly frames: RecordingFrame[];
  private readonly clock: PlayerClock;
  /** Index of the next frame to emit. */
  private next = 0;
  private position = 0;
  private state: PlayerState = 'paused';
  private speed = 1;
  /** Playback anchor: position `anchorPosition` at clock time `anchorClock`. */
  private anchorPosition = 0;
  private anchorClock = 0;
  private timer: unknown = null;

  constructor(
    private readonly recording: Recording,
    private readonly opts: PlayerOptions,
  ) {
    this.frames = recording.frames;
    this.clock = opts.clock ?? realClock;
  }

  get durationMs(): number {
    return this.recording.endMs - this.recording.startMs;
  }

  status(): PlayerStatus {
    return { state: this.state, speed: this.speed, positionMs: this.currentPosition(), durationMs: this.durationMs, startMs: this.recording.startMs };
  }

  /** Plays from the current position; at the end, plays again from the start. */
  play(): void {
    if (this.state === 'playing') return;
    if (this.state === 'ended') this.seek(0);
    this.state = 'playing';
    this.anchor(this.position);
    this.emitDue();
    this.schedule();
    this.notify();
  }

  pause(): void {
    if (this.state !== 'playing') return;
    this.position = this.currentPosition();
    this.state = 'paused';
    this.cancel();
    this.notify();
  }

  setSpeed(speed: number): void {
    if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) throw new RangeError(`speed must be from ${MIN_SPEED}x to ${MAX_SPEED}x, got ${speed}`);
    this.position = this.currentPosition();
    this.speed = speed;
    if (this.state === 'playing') {
      this.anchor(this.position);
      this.schedule();
    }
    this.notify();
  }

  /**
   * Jumps to `offsetMs` from the start (clamped). The views must show the values of that
   * moment at once, so the latest frame of each source at or before it is emitted again.
   */
  seek(offsetMs: number): void {
    const target = Math.min(Math.max(0, Number.isFinite(offsetMs) ? offsetMs : 0), this.durationMs);
    const at = this.recording.startMs + target;
    this.position = target;
    // First frame after the target.
    let lo = 0;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid].timestampMs <= at) lo = mid + 1;
      else hi = mid;
    }
    this.next = lo;
    const latest = new Map<string | null, RecordingFrame>();
    for (let i = lo - 1; i >= 0 && latest.size < this.recording.sources.length; i--) {
      if (!latest.has(this.frames[i].source)) latest.set(this.frames[i].source, this.frames[i]);
    }
    for (const frame of [...latest.values()].sort((a, b) => a.timestampMs - b.timestampMs)) this.emit(frame);
    if (this.state === 'ended') this.state = 'paused';
    if (this.state === 'playing') {
      this.anchor(target);
      this.schedule();
    }
    this.notify();
  }

  dispose(): void {
    this.cancel();
    this.state = 'paused';
  }

  private currentPosition(): number {
    if (this.state !== 'playing') return this.position;
    return Math.min(this.durationMs, this.anchorPosition + (this.clock.now() - this.anchorClock) * this.speed);
  }

  private anchor(position: number): void {
    this.anchorPosition = position;
    this.anchorClock = this.clock.now();
  }

  private emit(frame: RecordingFrame): void {
    try {
      this.opts.onFrame(frame.families, frame.timestampMs, frame.source);
    } catch {
      // A failing consumer must not stop playback.
    }
  }

  private emitDue(): void {
    const at = this.recording.startMs + this.currentPosition();
    while (this.next < this.frames.length && this.frames[this.next].timestampMs <= at) this.emit(this.frames[this.next++]);
  }

  private schedule(): void {
    this.cancel();
    if (this.state !== 'playing') return;
    if (this.next >= this.frames.length) {
      this.position = this.durationMs;
      this.state = 'ended';
      this.notify();
      return;
    }
    const dueIn = (this.frames[this.next].timestampMs - this.recording.startMs - this.currentPosition()) / this.speed;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.emitDue();
      this.schedule();
    }, Math.max(0, dueIn));
  }

  private cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private notify(): void {
    this.opts.onStatus?.(this.status());
  }
}
