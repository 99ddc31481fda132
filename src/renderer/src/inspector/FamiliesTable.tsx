// The families of a file: name, type, help, unit and series count; a row opens its series.
import { useMemo, useState } from 'react';
import type { InspectionFamily } from '../../../shared/api';
import { useFillHeight, VirtualList } from './VirtualList';
import { onActivateKey } from './format';

const ROW = 30;

export function FamiliesTable({ families, onOpen }: { families: InspectionFamily[]; onOpen: (family: string) => void }) {
  const [filter, setFilter] = useState('');
  const height = useFillHeight(250);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? families.filter((f) => f.name.toLowerCase().includes(needle) || (f.help ?? '').toLowerCase().includes(needle)) : families;
  }, [families, filter]);
  if (families.length === 0) return <p className="empty">No metric families in this file.</p>;
  return (
    <div className="inspector-families">
      <div className="inspector-toolbar">
        <input type="search" placeholder="Filter families" aria-label="Filter families" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <span className="dim">
          {shown.length === families.length ? `${families.length} families` : `${shown.length} of ${families.length} families`}
        </span>
      </div>
      <div className="inspector-grid-head inspector-family-cols" aria-hidden="true">
        <span>Name</span>
        <span>Type</span>
        <span>Help</span>
        <span>Unit</span>
        <span className="num">Series</span>
      </div>
      <VirtualList
        count={shown.length}
        rowHeight={ROW}
        height={height}
        role="grid"
        label="Metric families"
        renderRow={(i, placement) => {
          const f = shown[i];
          return (
            <div
              {...placement}
              role="row"
              tabIndex={0}
              className="inspector-row inspector-family-cols"
              data-testid="inspector-family"
              data-name={f.name}
              title="Show this family's series"
              onClick={() => onOpen(f.name)}
              onKeyDown={onActivateKey(() => onOpen(f.name))}
            >
              <span role="gridcell" className="mono">
                {f.name}
              </span>
              <span role="gridcell" className={`inspector-type type-${f.type}`}>
                {f.type}
              </span>
              <span role="gridcell" className="dim ellipsis" title={f.help ?? undefined}>
                {f.help ?? '–'}
              </span>
              <span role="gridcell" className="dim">
                {f.unit ?? '–'}
              </span>
              <span role="gridcell" className="num">
                {f.seriesCount.toLocaleString('en-US')}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}
