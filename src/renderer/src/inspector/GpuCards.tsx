// The GPUs a dcgm file describes, as the same cards live targets get (no sparklines: a file is
// one moment). Cards come in batches: each carries five small charts.
import { useState } from 'react';
import type { InspectionInfo } from '../../../shared/api';
import { describeClockEventReasons } from '../../../shared/clock-events';
import { grReading, type GpuSnapshot } from '../../../shared/gpu';
import { pct } from '../components/format';
import { GpuCard } from '../components/GpuCard';

const BATCH = 48;

export function GpuCards({ info }: { info: InspectionInfo }) {
  const [shown, setShown] = useState(BATCH);
  const total = info.gpuTotal ?? info.gpus.length;
  const nodes = new Set(info.gpus.map((g) => g.node)).size;
  return (
    <div className="inspector-gpus">
      <p className="hint" data-testid="inspector-gpu-summary">
        {total} GPU{total === 1 ? '' : 's'} on {nodes} node{nodes === 1 ? '' : 's'}, computed as for a live target.
        {total > info.gpus.length ? ` The inspector keeps ${info.gpus.length} of them, the unhealthy ones first.` : ''}
      </p>
      <div className="card-grid">
        {info.gpus.slice(0, shown).map((gpu) => (
          <div key={gpu.key} className="inspector-gpu">
            <div className="inspector-gpu-node dim">{gpu.node}</div>
            <GpuCard gpu={gpu} spark={undefined} />
            <GpuSignals gpu={gpu} />
          </div>
        ))}
      </div>
      {shown < info.gpus.length ? (
        <button type="button" className="inspector-more" onClick={() => setShown((n) => n + BATCH)}>
          Show {Math.min(BATCH, info.gpus.length - shown)} more of {info.gpus.length - shown}
        </button>
      ) : null}
    </div>
  );
}

/**
 * What a file's card needs besides the live card: the clock event reasons by name and the GR
 * figure with its stand-in marked (a file is read once, so there is no focus view to open).
 */
function GpuSignals({ gpu }: { gpu: GpuSnapshot }) {
  const mask = gpu.readings.clockEventReasons;
  const gr = grReading(gpu);
  if (typeof mask !== 'number' && gr.value === null) return null;
  return (
    <dl className="inspector-gpu-signals hint">
      {typeof mask === 'number' ? (
        <>
          <dt>Clock event reasons</dt>
          <dd data-testid="inspector-clock-reasons">{describeClockEventReasons(mask)}</dd>
        </>
      ) : null}
      {gr.value !== null ? (
        <>
          <dt>GR</dt>
          <dd data-testid="inspector-gr">
            {pct(gr.value)}
            {gr.from ? <span className="substitute-mark" data-testid="substitute-mark"> (NVML GPU utilization standing in)</span> : null}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
