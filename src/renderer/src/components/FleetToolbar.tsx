import type { HealthState } from '../../../shared/gpu';
import type { FleetFilter, SortKey } from '../state/fleet-filter';
import { LabeledSelect, type SelectOption } from './LabeledSelect';

const ALL: SelectOption<''> = { value: '', label: 'all' };
const HEALTH: HealthState[] = ['OK', 'WARN', 'HOT', 'CRIT'];
const HEALTH_OPTIONS: SelectOption<HealthState | ''>[] = [ALL, ...HEALTH.map((h) => ({ value: h, label: h }))];
const SORTS: SelectOption<SortKey>[] = [
  { value: 'name', label: 'Name' },
  { value: 'realUtil', label: 'Real utilization' },
  { value: 'power', label: 'Power' },
  { value: 'temperature', label: 'Temperature' },
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
      <LabeledSelect
        label="Class"
        data-testid="filter-class"
        value={filter.classLabel ?? ''}
        options={[ALL, ...classes.map((c) => ({ value: c, label: c }))]}
        onChange={(c) => onFilter({ ...filter, classLabel: c || null })}
      />
      <LabeledSelect label="Health" data-testid="filter-health" value={filter.health ?? ''} options={HEALTH_OPTIONS} onChange={(h) => onFilter({ ...filter, health: h || null })} />
      <LabeledSelect label="Sort" data-testid="sort-by" value={filter.sort} options={SORTS} onChange={(sort) => onFilter({ ...filter, sort })} />
      <span className="toolbar-count">{shown === total ? `${total} GPUs` : `${shown} of ${total} GPUs`}</span>
    </div>
  );
}
