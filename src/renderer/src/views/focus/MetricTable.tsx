// Every reading the exporter provides for one GPU: name, current value, a bar where a bar
// means something, and a trend sparkline for the fields kept in history.
import { memo } from 'react';
import { HISTORY_FIELDS, type HistoryField } from '../../../../shared/api';
import { grReading, isApproximate, type GpuSnapshot } from '../../../../shared/gpu';
import { Sparkline } from '../../components/Sparkline';
import { usageClass } from '../../components/format';
import { barFraction, fieldLabel, formatValue, powerClass, readingOf, yRange, type ViewField } from '../field-format';
import type { SeriesBuffer } from '../live-history';
import { FIELD_COLORS } from '../palette';
import { presentGroups, shownValue } from './metric-groups';

/** Points in a table sparkline: the newest two minutes at the demo's 2 s interval. */
const TREND_POINTS = 60;

function isHistoryField(field: ViewField): field is HistoryField {
  return (HISTORY_FIELDS as readonly string[]).includes(field);
}

/** The "now" cell: memory against the total and power against the limit, as DCGM.md §9 asks. */
function nowText(field: ViewField, gpu: GpuSnapshot): string {
  const value = shownValue(gpu, field);
  const text = formatValue(field, value);
  if (field === 'realUtil' && gpu.realUtilMissing.length > 0 && value !== null) return `≥${text}`;
  // ≈: a total estimated as used + free (the exporter serves no reserved size).
  const approx = isApproximate(gpu, 'fbTotalBytes') ? '≈' : '';
  if (field === 'fbTotalBytes') return `${approx}${text}`;
  if (field === 'fbUsedBytes') {
    const total = readingOf(gpu, 'fbTotalBytes');
    const share = barFraction(field, value, gpu.readings);
    if (total !== null && share !== null) return `${text} / ${approx}${formatValue('fbTotalBytes', total)} (${Math.round(share * 100)}%)`;
  }
  if (field === 'powerWatts') {
    const limit = readingOf(gpu, 'powerLimitWatts');
    if (limit !== null) return `${text} / ${formatValue('powerLimitWatts', limit)}`;
  }
  return text;
}

function barColor(field: ViewField, gpu: GpuSnapshot, fraction: number): string {
  return field === 'powerWatts' ? powerClass(readingOf(gpu, field)) : usageClass(fraction * 100);
}

function MetricBar({ label, fraction, tone }: { label: string; fraction: number; tone: string }) {
  const percent = Math.round(fraction * 100);
  return (
    <div className="focus-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className={`focus-bar-fill bar-${tone}`} style={{ width: `${percent}%` }} />
    </div>
  );
}

/** The mark on a row whose value stands in for the field (GR from NVML's GPU utilization). */
function SubstituteMark({ gpu, field }: { gpu: GpuSnapshot; field: ViewField }) {
  const from = field === 'grEngineActive' ? grReading(gpu).from : null;
  if (!from) return null;
  return (
    <span className="substitute-mark" data-testid="substitute-mark" title={`The exporter serves no ${fieldLabel(field).toLowerCase()} counter: this is ${fieldLabel(from)} standing in, as in the score`}>
      {' '}
      ({fieldLabel(from)} standing in)
    </span>
  );
}

function MetricRow({ field, gpu, history }: { field: ViewField; gpu: GpuSnapshot; history: SeriesBuffer | undefined }) {
  const label = fieldLabel(field);
  const fraction = barFraction(field, shownValue(gpu, field), gpu.readings);
  const trend = isHistoryField(field) ? history?.values[field] : undefined;
  const range = isHistoryField(field) ? yRange(field, gpu) : {};
  return (
    <tr data-testid="metric-row" data-field={field}>
      <th scope="row">
        {label}
        <SubstituteMark gpu={gpu} field={field} />
      </th>
      <td className="focus-now" data-testid="metric-now">
        {nowText(field, gpu)}
      </td>
      <td className="focus-bar-cell">{fraction !== null ? <MetricBar label={`${label} ${Math.round(fraction * 100)}%`} fraction={fraction} tone={barColor(field, gpu, fraction)} /> : null}</td>
      <td className="focus-trend-cell">
        {trend && isHistoryField(field) ? (
          <Sparkline label={`${label} trend`} min={range.min} max={range.max} series={[{ values: trend.slice(-TREND_POINTS), color: FIELD_COLORS[field] }]} />
        ) : null}
      </td>
    </tr>
  );
}

export interface MetricTableProps {
  gpu: GpuSnapshot;
  history: SeriesBuffer | undefined;
  /** The history buffer grows in place; its version tells memo when to redraw the trends. */
  historyVersion: number;
}

/** Memoised: the store changes with every GPU's tick, this table only with its own GPU's. */
export const MetricTable = memo(function MetricTable({ gpu, history }: MetricTableProps) {
  const groups = presentGroups(gpu);
  if (groups.length === 0) return <p className="empty">This exporter reports no readings for this GPU.</p>;
  return (
    <table className="focus-metrics" data-testid="metric-table">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Now</th>
          <th scope="col">
            <span className="focus-sr-only">Level</span>
          </th>
          <th scope="col">Trend</th>
        </tr>
      </thead>
      {groups.map((group) => (
        <tbody key={group.title} data-testid="metric-group" data-group={group.title}>
          <tr className="focus-group-row">
            <th colSpan={4} scope="colgroup">
              {group.title}
            </th>
          </tr>
          {group.fields.map((field) => (
            <MetricRow key={field} field={field} gpu={gpu} history={history} />
          ))}
        </tbody>
      ))}
    </table>
  );
});
