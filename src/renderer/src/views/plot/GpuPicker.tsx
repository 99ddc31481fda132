// Searchable checklist of every GPU in the fleet, grouped by node.
import { useId, useState } from 'react';
import type { GpuSnapshot } from '../../../../shared/gpu';
import { gpuLabel } from '../../navigation';
import { filterByNode } from './gpu-order';

export interface GpuPickerProps {
  sorted: readonly GpuSnapshot[];
  selected: readonly string[];
  onChange: (keys: string[]) => void;
}

function shortName(gpu: GpuSnapshot): string {
  const base = `GPU ${gpu.gpuIndex ?? '?'}`;
  return gpu.migInstance ? `${base} / GI ${gpu.migInstance.id}` : base;
}

export function GpuPicker({ sorted, selected, onChange }: GpuPickerProps) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const groups = filterByNode(sorted, query);
  const chosen = new Set(selected);
  const shown = groups.flatMap((g) => g.gpus.map((gpu) => gpu.key));

  const toggle = (key: string) => onChange(chosen.has(key) ? selected.filter((k) => k !== key) : [...selected, key]);
  const selectShown = () => onChange([...selected, ...shown.filter((k) => !chosen.has(k))]);

  return (
    <section className="plot-picker" aria-label="GPUs to plot">
      <div className="plot-picker-head">
        <label htmlFor={searchId} className="focus-sr-only">
          Filter GPUs
        </label>
        <input id={searchId} type="search" placeholder="Filter GPUs…" title="Matches node, GPU, model and UUID" value={query} onChange={(e) => setQuery(e.target.value)} />
        <div className="plot-picker-actions">
          <button type="button" onClick={selectShown} disabled={shown.every((k) => chosen.has(k))}>
            Select shown
          </button>
          <button type="button" onClick={() => onChange([])} disabled={selected.length === 0}>
            Clear
          </button>
        </div>
        <span className="focus-note" aria-live="polite">
          {selected.length} selected
        </span>
      </div>
      <div className="plot-picker-list">
        {groups.length === 0 ? <p className="focus-note">No GPU matches “{query}”.</p> : null}
        {groups.map((group) => (
          <fieldset key={group.node} className="plot-node" data-testid="plot-node" data-node={group.node}>
            <legend>{group.node}</legend>
            {group.gpus.map((gpu) => (
              <label key={gpu.key} className="plot-gpu-option" title={gpu.uuid}>
                <input type="checkbox" checked={chosen.has(gpu.key)} onChange={() => toggle(gpu.key)} aria-label={gpuLabel(gpu)} data-gpu-key={gpu.key} />
                {shortName(gpu)}
                <span className="plot-gpu-model">{gpu.model ?? ''}</span>
              </label>
            ))}
          </fieldset>
        ))}
      </div>
    </section>
  );
}
