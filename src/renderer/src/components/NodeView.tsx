// Everything about one node: its target's state and timing, every GPU (MIG instances nested
// under their physical GPU) and the node extras (NvLink, NvSwitch, CPU entities).
import { useEffect, useMemo, useState } from 'react';
import type { PulseApi, TargetInfo } from '../../../shared/api';
import type { GpuSnapshot, NodeExtra } from '../../../shared/gpu';
import type { FleetState } from '../state/fleet-store';
import { compareGpus } from '../state/fleet-filter';
import { GpuCard } from './GpuCard';
import { NodeHeader } from './NodeHeader';
import { age } from './format';
import { LabelText } from './LabelText';

export function NodeView({ api, state, node, now }: { api: PulseApi; state: FleetState; node: string; now: number }) {
  // The store keeps each node's GPUs: no pass over the whole fleet (10,000 GPUs) on every tick.
  const gpus = useMemo(() => [...(state.nodes.get(node) ?? [])].sort(compareGpus('name')), [state.nodes, node]);
  const target: TargetInfo | null = useMemo(() => {
    const id = gpus[0]?.sourceId;
    return (id ? state.targets.get(id) : [...state.targets.values()].find((t) => t.nodes.includes(node) || t.name === node)) ?? null;
  }, [gpus, state.targets, node]);
  const [extras, setExtras] = useState<NodeExtra[] | null>(null);
  const [extrasError, setExtrasError] = useState<string | null>(null);
  useEffect(() => {
    api.getNodeExtras(node).then(setExtras, (err: Error) => setExtrasError(err.message));
  }, [api, node, target?.lastSuccessAt]);

  // MIG instances nest under their physical GPU (same UUID on the same node).
  const physical = new Map<string, GpuSnapshot[]>();
  for (const gpu of gpus) {
    const parent = gpu.parentKey ?? (gpu.migInstance ? `${gpu.node}/${gpu.uuid}` : gpu.key);
    physical.set(parent, [...(physical.get(parent) ?? []), gpu]);
  }

  if (gpus.length === 0 && !target) {
    return (
      <div className="empty" data-testid="node-view">
        No node named <LabelText text={node} />. <a href="#/">Back to the fleet</a>
      </div>
    );
  }
  return (
    <div className="node-view" data-testid="node-view">
      <p className="breadcrumbs">
        <a href="#/">Fleet</a> / <LabelText text={node} />
      </p>
      <section className="node-group" data-testid="node-group" data-node={node} data-state={target?.state ?? 'pending'}>
        <NodeHeader node={node} target={target} gpuCount={gpus.length} now={now} onPin={(t) => void api.setPinned(t.id, !t.pinned)} />
        {target ? (
          <dl className="target-timing">
            <dt>State</dt>
            <dd>{target.state}</dd>
            <dt>Interval</dt>
            <dd>{Math.round(target.intervalMs / 1000)} s (dcgm-exporter refreshes every 30 s by default)</dd>
            <dt>Last scrape</dt>
            <dd>{target.lastScrapeAt ? age(now - target.lastScrapeAt) : 'never'}</dd>
            <dt>Last success</dt>
            <dd>{target.lastSuccessAt ? age(now - target.lastSuccessAt) : 'never'}</dd>
            <dt>Duration</dt>
            <dd>{target.lastDurationMs != null ? `${Math.round(target.lastDurationMs)} ms` : '–'}</dd>
          </dl>
        ) : null}
        <div className="card-grid">
          {gpus
            .filter((gpu) => !gpu.migInstance)
            .map((gpu) => (
              <GpuCard key={gpu.key} gpu={gpu} spark={state.sparks.get(gpu.key)} />
            ))}
        </div>
        {[...physical.entries()]
          .filter(([, members]) => members.some((m) => m.migInstance))
          .map(([parent, members]) => (
            <div key={parent} className="mig-parent" data-testid="mig-parent">
              <h4>
                GPU {members[0]!.gpuIndex ?? '?'} · {members[0]!.model ?? ''} · {members.length} MIG instance{members.length === 1 ? '' : 's'} (power and temperature are the whole GPU's)
              </h4>
              <div className="card-grid">
                {members.map((gpu) => (
                  <GpuCard key={gpu.key} gpu={gpu} spark={state.sparks.get(gpu.key)} />
                ))}
              </div>
            </div>
          ))}
      </section>
      <section className="node-extras" data-testid="node-extras">
        <h3>Node extras (NvLink, NvSwitch, CPU)</h3>
        {extrasError ? <p className="node-error">{extrasError}</p> : null}
        {extras === null && !extrasError ? <p className="dim">Loading…</p> : null}
        {extras && extras.length === 0 ? <p className="dim">This exporter serves no NvLink, NvSwitch or CPU entities.</p> : null}
        {extras && extras.length > 0 ? (
          <table className="data-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Entity</th>
                <th>Metric</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {extras.map((x, i) => (
                <tr key={`${x.kind}:${x.id}:${x.metric}:${i}`}>
                  <td>{x.kind}</td>
                  <td>{x.id}</td>
                  <td>{x.metric}</td>
                  <td>{x.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
