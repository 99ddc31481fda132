// Fleet waste (issue 19): owners sorted by idle GPU-hours with busy / idle / unknown bars, the
// GPUs held idle right now, a window picker (live window, 24 h, any range on a Prometheus
// source), CSV export, and a click from an owner to its GPUs in the fleet view.
import { useCallback, useEffect, useState } from 'react';
import type { PulseApi, TargetInfo } from '../../../../shared/api';
import { REPORT_GROUPS, type HeldIdleGpu, type ReportGroupBy, type WasteReport, type WasteReportRequest, type WasteRow } from '../../../../shared/waste';
import { wasteReportToCsv } from '../../../../shared/waste-csv';
import { downloadText } from '../download';
import { LabeledSelect } from '../../components/LabeledSelect';
import { TableHead, type Column } from '../../components/TableHead';

export type WasteWindow = { kind: 'live' } | { kind: 'day' } | { kind: 'range'; targetId: string; startMs: number; endMs: number };

const REFRESH_MS = 15_000;
const HELD_REFRESH_MS = 5_000;
const NUM = 'num';
/** After the owner column, whose title is the grouping. */
const OWNER_COLUMNS: Column[] = [
  { label: 'GPUs', className: NUM },
  { label: 'busy / idle / unknown' },
  { label: 'GPU-h', className: NUM },
  { label: 'idle GPU-h', className: NUM },
  { label: 'mean util', className: NUM },
  { label: 'kWh', className: NUM },
  { label: 'longest idle' },
];
const HELD_COLUMNS: Column[] = [{ label: 'GPU' }, { label: 'namespace' }, { label: 'pod' }, { label: 'idle for', className: NUM }];
const GROUP_OPTIONS = REPORT_GROUPS.map((g) => ({ value: g, label: g }));

export function requestFor(window: WasteWindow, by: ReportGroupBy): WasteReportRequest {
  switch (window.kind) {
    case 'live':
      return { by, sinceMs: 3_600_000 };
    case 'day':
      return { by, sinceMs: 86_400_000 };
    case 'range':
      return { by, startMs: window.startMs, endMs: window.endMs, prometheusTargetId: window.targetId };
  }
}

/** Text the fleet filter matches for an owner: the pod of namespace/pod, else the owner itself. */
export function fleetSearchFor(by: ReportGroupBy, owner: string): string {
  return by === 'pod' && owner.includes('/') ? owner.slice(owner.indexOf('/') + 1) : owner;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function hours(value: number): string {
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function StateBar({ row, scale }: { row: WasteRow; scale: number }) {
  const busy = Math.max(0, row.gpuHours - row.idleGpuHours - row.unknownGpuHours);
  const pct = (h: number) => `${scale > 0 ? (h / scale) * 100 : 0}%`;
  return (
    <div className="waste-bar" title={`busy ${hours(busy)} · idle ${hours(row.idleGpuHours)} · unknown ${hours(row.unknownGpuHours)} GPU-h`}>
      <span className="busy" style={{ width: pct(busy) }} />
      <span className="idle" style={{ width: pct(row.idleGpuHours) }} />
      <span className="unknown" style={{ width: pct(row.unknownGpuHours) }} />
    </div>
  );
}

function Row({ row, scale, onOwner }: { row: WasteRow; scale: number; onOwner?: (owner: string) => void }) {
  return (
    <tr className={row.owner === null ? 'unallocated' : undefined}>
      <td className="owner">
        {row.owner !== null && onOwner ? (
          <button type="button" className="link" onClick={() => onOwner(row.owner!)} title="Show its GPUs in the fleet view">
            {row.owner}
          </button>
        ) : (
          'unallocated'
        )}
      </td>
      <td className="num">{row.gpus}</td>
      <td className="bar-cell">
        <StateBar row={row} scale={scale} />
      </td>
      <td className="num">{hours(row.gpuHours)}</td>
      <td className="num idle-hours">{hours(row.idleGpuHours)}</td>
      <td className="num">{row.meanRealUtil === null ? '–' : `${Math.round(row.meanRealUtil * 100)}%`}</td>
      <td className="num">{row.energyKWh === null ? '–' : `${row.energyKWh.toFixed(2)}${row.energySource === 'counter' ? '' : '*'}`}</td>
      <td className="muted">{row.longestIdle ? `${formatDuration(Math.round(row.longestIdle.hours * 3600))} on ${row.longestIdle.gpu}` : '–'}</td>
    </tr>
  );
}

export function WasteView({ api, targets, onOwner }: { api: PulseApi; targets: TargetInfo[]; onOwner: (by: ReportGroupBy, owner: string) => void }) {
  const [by, setBy] = useState<ReportGroupBy>('namespace');
  const [window, setWindow] = useState<WasteWindow>({ kind: 'live' });
  const [report, setReport] = useState<WasteReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [held, setHeld] = useState<HeldIdleGpu[]>([]);
  const prometheusTargets = targets.filter((t) => t.kind === 'prometheus');

  const load = useCallback(() => {
    api.getWasteReport(requestFor(window, by)).then(
      (r) => {
        setReport(r);
        setError(null);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [api, window, by]);

  useEffect(() => {
    load();
    if (window.kind === 'range') return;
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, window.kind]);

  useEffect(() => {
    const poll = () => void api.getHeldIdleGpus().then(setHeld, () => undefined);
    poll();
    const timer = setInterval(poll, HELD_REFRESH_MS);
    return () => clearInterval(timer);
  }, [api]);

  const rows = report ? report.rows : [];
  const scale = Math.max(0, ...rows.map((r) => r.gpuHours), report?.unallocated.gpuHours ?? 0);
  const range = window.kind === 'range' ? window : null;

  return (
    <div className="waste-view">
      <div className="toolbar waste-toolbar">
        <label>
          Window{' '}
          <select
            aria-label="Window"
            value={window.kind === 'range' ? `range:${window.targetId}` : window.kind}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'live' || v === 'day') setWindow({ kind: v });
              else {
                const now = Date.now();
                setWindow({ kind: 'range', targetId: v.slice('range:'.length), startMs: now - 7 * 86_400_000, endMs: now });
              }
            }}
          >
            <option value="live">Live window (1 h)</option>
            <option value="day">Last 24 h</option>
            {prometheusTargets.map((t) => (
              <option key={t.id} value={`range:${t.id}`}>
                Range from {t.name}
              </option>
            ))}
          </select>
        </label>
        {range ? (
          <>
            <input type="datetime-local" aria-label="Start" value={toLocalInput(range.startMs)} onChange={(e) => setWindow({ ...range, startMs: new Date(e.target.value).getTime() })} />
            <input type="datetime-local" aria-label="End" value={toLocalInput(range.endMs)} onChange={(e) => setWindow({ ...range, endMs: new Date(e.target.value).getTime() })} />
          </>
        ) : null}
        <LabeledSelect label="By" aria-label="Group by" value={by} options={GROUP_OPTIONS} onChange={setBy} />
        <button type="button" disabled={!report} onClick={() => report && downloadText(wasteReportToCsv(report), `gpu-waste-by-${report.by}.csv`, 'text/csv')}>
          Export CSV
        </button>
        {report ? <span className="toolbar-count">{`${new Date(report.start).toLocaleString()} – ${new Date(report.end).toLocaleString()}`}</span> : null}
      </div>
      {error ? <div className="empty error">{error}</div> : null}
      <section className="waste-section">
        <h2>Owners by idle GPU-hours</h2>
        {report && rows.length === 0 && report.unallocated.gpuHours === 0 ? (
          <div className="empty">No GPU held in this window yet.</div>
        ) : (
          <table className="waste-table">
            <TableHead columns={[by, ...OWNER_COLUMNS]} />
            <tbody>
              {rows.map((row) => (
                <Row key={row.owner} row={row} scale={scale} onOwner={(owner) => onOwner(by, owner)} />
              ))}
              {report && report.unallocated.gpuHours > 0 ? <Row row={report.unallocated} scale={scale} /> : null}
            </tbody>
          </table>
        )}
        <p className="muted waste-legend">
          <span className="swatch busy" /> busy <span className="swatch idle" /> idle (real utilization below {Math.round((report?.idleBelow ?? 0.05) * 100)}%){' '}
          <span className="swatch unknown" /> unknown (inputs missing). * energy from power × time.
        </p>
      </section>
      <section className="waste-section">
        <h2>Held idle now</h2>
        {held.length === 0 ? (
          <div className="empty">No GPU is held idle right now.</div>
        ) : (
          <table className="waste-table held-idle">
            <TableHead columns={HELD_COLUMNS} />
            <tbody>
              {held.map((gpu) => (
                <tr key={gpu.key}>
                  <td>{`${gpu.node} / GPU ${gpu.gpuIndex ?? '?'}${gpu.migInstanceId ? ` / GI ${gpu.migInstanceId}` : ''}`}</td>
                  <td>{gpu.namespace ?? '–'}</td>
                  <td>{gpu.pod ?? '–'}</td>
                  <td className="num">{formatDuration(gpu.idleSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
