import type { HealthState } from '../../../shared/gpu';
import type { FleetFilter, SortKey } from '../state/fleet-filter';

const HEALTH: HealthState[] = ['OK', 'WARN', 'HOT', 'CRIT'];
const SORTS: Array<[SortKey, string]> = [
  ['name', 'Name'],
  ['realUtil', 'Real utilization'],
  ['power', 'Power'],
  ['temperature', 'Temperature'],
];

export function FleetToolbar({ filter, onFilter, classes, shown, total }: { filter: FleetFilter; onFilter: (f: FleetFilter) => void; classes: string[]; shown: number; total: number }) {
  return (
    <div className="fleet-toolbar" role="search">
      <input
        type="search"
        id="fleet-search"
        data-testid="fleet-search"
        placeholder="Search node, model, pod, job…  (Ctrl+F)"
        aria-label="Search GPUs by node, model, pod or job"
        value={filter.search}
        onChange={(e) => onFilter({ ...filter, search: e.target.value })}
      />
      <label>
        Class{' '}
        <select data-testid="filter-class" value={filter.classLabel ?? ''} onChange={(e) => onFilter({ ...filter, classLabel: e.target.value || null })}>
          <option value="">all</option>
          {classes.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Health{' '}
        <select data-testid="filter-health" value={filter.health ?? ''} onChange={(e) => onFilter({ ...filter, health: (e.target.value || null) as HealthState | null })}>
          <option value="">all</option>
          {HEALTH.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sort{' '}
        <select data-testid="sort-by" value={filter.sort} onChange={(e) => onFilter({ ...filter, sort: e.target.value as SortKey })}>
          {SORTS.map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <span className="toolbar-count">{shown === total ? `${total} GPUs` : `${shown} of ${total} GPUs`}</span>
    </div>
  );
}
