import type { TargetInfo } from '../../../shared/api';
import { navigate } from '../navigation';
import { age } from './format';
import { LabelText, escapeControls } from './LabelText';

export function NodeHeader({ node, target, gpuCount, now, onPin }: { node: string; target: TargetInfo | null; gpuCount: number; now: number; onPin: (target: TargetInfo) => void }) {
  const state = target?.state ?? 'pending';
  return (
    <>
      <header className="node-header">
        <h2 title={node}>
          <a href={`#/node/${encodeURIComponent(node)}`} onClick={(e) => (e.preventDefault(), navigate({ view: 'node', node }))}>
            <LabelText text={node} />
          </a>
        </h2>
        <span className={`state-chip state-${state}`}>{state}</span>
        {target?.demo ? <span className="demo-chip" title="Built-in simulated dcgm-exporter">demo</span> : null}
        {target?.replay ? <span className="replay-chip" title="Replayed from a recording, not live">replay</span> : null}
        {target?.kind === 'prometheus' ? (
          <span className="source-chip" data-testid="source-badge" title={`Read through the Prometheus server ${target.url}${target.selector ? ` with ${target.selector}` : ''}`}>
            via Prometheus
          </span>
        ) : null}
        {target && !target.replay ? (
          <button
            type="button"
            className={`pin-button${target.pinned ? ' pinned' : ''}`}
            data-testid="pin-button"
            aria-pressed={target.pinned}
            title={target.pinned ? 'Unpin this node' : 'Pin this node to the top'}
            onClick={() => onPin(target)}
          >
            {target.pinned ? '★' : '☆'}
          </button>
        ) : null}
        {/* Figures stay whole; only the URL (a name) gives way, with an ellipsis and a tooltip. */}
        <span className="node-meta">
          <span>
            {gpuCount} GPU{gpuCount === 1 ? '' : 's'}
          </span>
          {target ? <LabelText text={target.url} /> : null}
          {target?.lastSuccessAt ? <span>data {age(now - target.lastSuccessAt)}</span> : null}
          {target?.lastDurationMs != null ? <span>{Math.round(target.lastDurationMs)} ms</span> : null}
        </span>
      </header>
      {target?.lastError && state !== 'up' ? (
        <p className="node-error" role="alert" data-testid="node-error">
          {escapeControls(target.lastError)}
          {target.remedy ? <span className="remedy"> — {target.remedy}</span> : null}
        </p>
      ) : null}
    </>
  );
}
