// Transport controls for a recording being replayed: play/pause, speed, and a timeline to seek.
import { useEffect, useState } from 'react';
import type { PulseApi, ReplayStatus } from '../../../shared/api';

const SPEEDS = [1, 2, 5, 10, 30, 60];

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function useReplay(api: PulseApi): ReplayStatus | null {
  const [replay, setReplay] = useState<ReplayStatus | null>(null);
  useEffect(() => {
    api.getReplay().then(setReplay, () => setReplay(null));
    return api.onTick((tick) => {
      if (tick.replay !== undefined) setReplay(tick.replay);
    });
  }, [api]);
  return replay;
}

export function ReplayBar({ api, replay }: { api: PulseApi; replay: ReplayStatus }) {
  const [error, setError] = useState<string | null>(null);
  // While the user drags the slider, show the dragged position rather than the live one.
  const [dragging, setDragging] = useState<number | null>(null);
  const control = (c: Parameters<PulseApi['controlReplay']>[0]) => api.controlReplay(c).then(() => setError(null), (err: Error) => setError(err.message));
  const position = dragging ?? replay.positionMs;
  const playing = replay.state === 'playing';
  return (
    <div className="replay-bar" data-testid="replay-bar" role="region" aria-label={`Replay of ${replay.name}`}>
      <span className="replay-chip">replay</span>
      <strong className="replay-name" title={replay.sources.join(', ')}>
        {replay.name}
      </strong>
      <button type="button" data-testid="replay-play" onClick={() => void control({ action: playing ? 'pause' : 'play' })} aria-label={playing ? 'Pause' : 'Play'}>
        {playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <label>
        Speed{' '}
        <select data-testid="replay-speed" value={replay.speed} onChange={(e) => void control({ action: 'speed', speed: Number(e.target.value) })}>
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <input
        type="range"
        className="replay-seek"
        data-testid="replay-seek"
        aria-label="Position in the recording"
        min={0}
        max={Math.max(1, replay.durationMs)}
        step={1000}
        value={position}
        onChange={(e) => setDragging(Number(e.target.value))}
        onMouseUp={() => dragging !== null && void control({ action: 'seek', positionMs: dragging }).finally(() => setDragging(null))}
        onKeyUp={() => dragging !== null && void control({ action: 'seek', positionMs: dragging }).finally(() => setDragging(null))}
      />
      <span className="replay-time" data-testid="replay-time">
        {clock(replay.recordedStartMs + position)} · {duration(position)} / {duration(replay.durationMs)}
      </span>
      <button type="button" onClick={() => void control({ action: 'close' })} aria-label="Close the replay">
        ✕
      </button>
      {error ? (
        <span className="node-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
