import type { TargetInfo } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import type { FleetState } from '../state/fleet-store';
import { GpuCard } from './GpuCard';
import { age } from './format';

export interface NodeGroupModel {
  node: string;
  target: TargetInfo | null;
  gpus: GpuSnapshot[];
}

/** Group GPUs by node; nodes of a target that has no data yet still get a group with its state. */
export function groupByNode(state: FleetState): NodeGroupModel[] {
  const groups = new Map<string, NodeGroupModel>();
  const targetBySource = state.targets;
  for (const gpu of state.gpus.values()) {
    let group = groups.get(gpu.node);
    if (!group) {
      group = { node: gpu.node, target: targetBySource.get(gpu.sourceId) ?? null, gpus: [] };
      groups.set(gpu.node, group);
    }
    group.gpus.push(gpu);
  }
  for (const target of state.targets.values()) {
    const hasGroup = [...groups.values()].some((g) => g.target?.id === target.id);
    if (!hasGroup) groups.set(`target:${target.id}`, { node: target.nodes[0] ?? target.name, target, gpus: [] });
  }
  const list = [...groups.values()];
  for (const g of list) g.gpus.sort(compareGpus);
  return list.sort((a, b) => Number(b.target?.pinned ?? false) - Number(a.target?.pinned ?? false) || a.node.localeCompare(b.node, undefined, { numeric: true }));
}

function compareGpus(a: GpuSnapshot, b: GpuSnapshot): number {
  return (a.gpuIndex ?? 0) - (b.gpuIndex ?? 0) || (a.migInstance?.id ?? '').localeCompare(b.migInstance?.id ?? '', undefined, { numeric: true });
}

export function FleetView({ state, now }: { state: FleetState; now: number }) {
  const groups = groupByNode(state);
  if (groups.length === 0) {
    return (
      <div className="empty" data-testid="fleet-empty">
        No targets yet. Add a dcgm-exporter URL (for example <code>http://node:9400/metrics</code>) to start.
      </div>
    );
  }
  return (
    <div className="fleet">
      {groups.map((group) => (
        <NodeGroup key={group.node + (group.target?.id ?? '')} group={group} sparks={state.sparks} now={now} />
      ))}
    </div>
  );
}

function NodeGroup({ group, sparks, now }: { group: NodeGroupModel; sparks: FleetState['sparks']; now: number }) {
  const target = group.target;
  const state = target?.state ?? 'pending';
  return (
    <section className={`node-group state-${state}`} data-testid="node-group" data-node={group.node} data-state={state}>
      <header className="node-header">
        <h2>{group.node}</h2>
        <span className={`state-chip state-${state}`}>{state}</span>
        {target?.demo ? <span className="demo-chip" title="Built-in simulated dcgm-exporter">demo</span> : null}
        <span className="node-meta">
          {target ? target.url : ''}
          {target?.lastSuccessAt ? ` · data ${age(now - target.lastSuccessAt)}` : ''}
          {target?.lastDurationMs != null ? ` · ${Math.round(target.lastDurationMs)} ms` : ''}
        </span>
      </header>
      {target?.lastError && state !== 'up' ? (
        <p className="node-error" role="alert" data-testid="node-error">
          {target.lastError}
          {target.remedy ? <span className="remedy"> — {target.remedy}</span> : null}
        </p>
      ) : null}
      <div className="card-grid">
        {group.gpus.map((gpu) => (
          <GpuCard key={gpu.key} gpu={gpu} spark={sparks.get(gpu.key)} />
        ))}
      </div>
    </section>
  );
}
