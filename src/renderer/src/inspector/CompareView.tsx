// Two files GPU by GPU: real utilization, class, health, power and temperature side by side,
// with the differences that matter marked.
import { useEffect, useState } from 'react';
import type { InspectionComparison, InspectionInfo, PulseApi } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import { celsius, percentValue, watts } from '../components/format';
import { gpuLabel } from '../navigation';
import { LabeledSelect } from '../components/LabeledSelect';

interface Column {
  label: string;
  show: (g: GpuSnapshot) => string;
  /** True when the two readings differ enough to point out. */
  differs: (a: GpuSnapshot, b: GpuSnapshot) => boolean;
}

const numberDiff = (pick: (g: GpuSnapshot) => number | null | undefined, threshold: number) => (a: GpuSnapshot, b: GpuSnapshot) => {
  const x = pick(a);
  const y = pick(b);
  if (typeof x !== 'number' || typeof y !== 'number') return (typeof x === 'number') !== (typeof y === 'number');
  return Math.abs(x - y) >= threshold;
};

// Thresholds: what a person would call a change, not measurement noise.
const COLUMNS: Column[] = [
  { label: 'Real util', show: (g) => percentValue(g.realUtil), differs: numberDiff((g) => g.realUtil, 5) },
  { label: 'Class', show: (g) => g.class.label, differs: (a, b) => a.class.label !== b.class.label },
  { label: 'Health', show: (g) => g.health.state, differs: (a, b) => a.health.state !== b.health.state },
  { label: 'Power', show: (g) => watts(g.readings.powerWatts), differs: numberDiff((g) => g.readings.powerWatts, 10) },
  { label: 'Temp', show: (g) => celsius(g.readings.gpuTempC), differs: numberDiff((g) => g.readings.gpuTempC, 3) },
];

export function CompareView({ api, inspections, initialA }: { api: PulseApi; inspections: InspectionInfo[]; initialA: string | null }) {
  const done = inspections.filter((i) => i.status === 'done');
  const [a, setA] = useState<string>(() => initialA ?? done[0]?.id ?? '');
  const [b, setB] = useState<string>(() => done.find((i) => i.id !== (initialA ?? done[0]?.id))?.id ?? '');
  const [result, setResult] = useState<InspectionComparison | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setResult(null);
    setError(null);
    if (!a || !b) return;
    let live = true;
    api.compareInspections(a, b).then(
      (r) => live && setResult(r),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [api, a, b]);

  if (done.length < 2) return <p className="empty" data-testid="compare-empty">Open two parsed files to compare them GPU by GPU.</p>;
  const name = (id: string) => done.find((i) => i.id === id)?.name ?? id;
  const files = done.map((i) => ({ value: i.id, label: i.name }));
  const picker = (label: string, value: string, set: (v: string) => void) => <LabeledSelect label={label} aria-label={`File ${label}`} value={value} options={files} onChange={set} />;
  const changed = result?.rows.filter((r) => r.a && r.b && COLUMNS.some((c) => c.differs(r.a!, r.b!))).length ?? 0;
  return (
    <section className="inspector-compare" data-testid="inspector-compare">
      <h2 className="inspector-compare-title">Compare two files GPU by GPU</h2>
      <div className="inspector-toolbar">
        {picker('A', a, setA)}
        {picker('B', b, setB)}
        {result ? (
          <span className="dim" data-testid="compare-summary">
            {result.rows.length} GPU{result.rows.length === 1 ? '' : 's'}, {changed} with differences
          </span>
        ) : null}
      </div>
      {error ? (
        <p className="empty error" role="alert">
          {error}
        </p>
      ) : !result ? (
        <p className="empty">Comparing…</p>
      ) : result.rows.length === 0 ? (
        <p className="empty">Neither file has dcgm GPU series.</p>
      ) : (
        <table className="data-table inspector-compare-table">
          <thead>
            <tr>
              <th rowSpan={2}>GPU</th>
              {COLUMNS.map((c) => (
                <th key={c.label} colSpan={2} className="group">
                  {c.label}
                </th>
              ))}
            </tr>
            <tr>
              {COLUMNS.map((c) => [
                <th key={`${c.label}-a`} title={name(a)}>
                  A
                </th>,
                <th key={`${c.label}-b`} title={name(b)}>
                  B
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row) => (
              <tr key={row.key} data-testid="compare-row" data-key={row.key} className={!row.a || !row.b ? 'unpaired' : undefined}>
                <th scope="row" title={row.key}>
                  {gpuLabel(row.a ?? row.b!)}
                  {row.a && row.b && gpuLabel(row.a) !== gpuLabel(row.b) ? <span> ↔ {gpuLabel(row.b)}</span> : null}
                  {!row.a ? <span className="dim"> (only in B)</span> : !row.b ? <span className="dim"> (only in A)</span> : null}
                </th>
                {COLUMNS.map((c) => {
                  const diff = row.a && row.b ? c.differs(row.a, row.b) : false;
                  const cls = diff ? 'inspector-diff' : undefined;
                  return [
                    <td key={`${c.label}-a`} className={cls} data-diff={diff || undefined}>
                      {row.a ? c.show(row.a) : '–'}
                    </td>,
                    <td key={`${c.label}-b`} className={cls} data-diff={diff || undefined}>
                      {row.b ? c.show(row.b) : '–'}
                    </td>,
                  ];
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
