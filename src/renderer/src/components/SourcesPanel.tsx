// Where the targets come from (GET /api/sources): each targets file, Prometheus discovery,
// Prometheus source and the static targets, with when it last loaded, how many targets it yields
// and its last error. A bad edit of a targets file shows here as FILE:LINE: reason while the last
// good list stays in force.
import { useEffect, useState } from 'react';
import type { PulseApi, SourceInfo, SourceKind } from '../../../shared/api';
import type { FleetState } from '../state/fleet-store';
import { age } from './format';
import { TableHead } from './TableHead';

const KIND_LABEL: Record<SourceKind, string> = {
  'targets-file': 'Targets file',
  'prometheus-discovery': 'Prometheus discovery',
  prometheus: 'Prometheus server',
  static: 'Static targets',
};

// The last column holds the row's actions.
const COLUMNS = ['Kind', 'Location', 'Targets', 'Last load', 'Status', ''];

export function SourcesPanel({ api, state, now }: { api: PulseApi; state: FleetState; now: number }) {
  const [sources, setSources] = useState<SourceInfo[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // Static and Prometheus rows count targets of the fleet: ask again when its membership changes.
  const membership = [...state.targets.keys()].sort().join('\n');

  useEffect(() => {
    let live = true;
    api.getSources().then(
      (list) => live && setSources(list),
      (err: Error) => live && setMessage(`could not list the sources: ${err.message}`),
    );
    return () => {
      live = false;
    };
  }, [api, membership]);

  useEffect(() => api.onTick((tick) => tick.sources && setSources(tick.sources)), [api]);

  const remove = (source: SourceInfo) => {
    if (!window.confirm(`Remove the source ${source.location} and the targets it lists?`)) return;
    api.removeSource(source.id).catch((err: Error) => setMessage(`could not remove ${source.location}: ${err.message}`));
  };

  if (!sources || sources.length === 0) return message ? <p className="node-error">{message}</p> : null;
  return (
    <section className="sources-panel" data-testid="sources-panel">
      <h3>Sources</h3>
      <table className="data-table sources-table">
        <TableHead columns={COLUMNS} />
        <tbody>
          {sources.map((s) => {
            // A Prometheus source is a target too: its live state is fresher than the last source tick.
            const live = s.kind === 'prometheus' ? state.targets.get(s.id) : undefined;
            const lastLoadAt = live ? live.lastSuccessAt : s.lastLoadAt;
            const error = live ? (live.state === 'up' ? null : live.lastError) : s.lastError;
            return (
              <tr key={s.id} data-testid="source-row" data-source-id={s.id} data-kind={s.kind} data-error={error ? 'true' : 'false'}>
                <td>{KIND_LABEL[s.kind]}</td>
                <td className="mono">
                  {s.location}
                  {s.kind === 'prometheus-discovery' ? <span className="source-chip">{s.detail ? `job ${s.detail}` : 'targets serving DCGM metrics'}</span> : null}
                  {s.kind === 'prometheus' && s.detail ? <span className="source-chip">{s.detail}</span> : null}
                </td>
                <td>{live ? live.nodes.length : s.targetCount}</td>
                <td>{lastLoadAt ? age(now - lastLoadAt) : '–'}</td>
                <td>
                  {error ? (
                    <div className="node-error small" data-testid="source-error">
                      {error}
                      {s.kind === 'targets-file' || s.kind === 'prometheus-discovery' ? <div className="dim">keeping the last good list ({s.targetCount} targets)</div> : null}
                    </div>
                  ) : (
                    <span className="state-chip state-up">ok</span>
                  )}
                </td>
                <td className="row-actions">
                  {s.removable ? (
                    <button type="button" onClick={() => remove(s)}>
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {message ? <p className="node-error">{message}</p> : null}
    </section>
  );
}
