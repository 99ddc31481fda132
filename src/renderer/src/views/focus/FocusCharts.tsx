// The focus view's larger charts over the history window. A chart appears only when the
// exporter provides at least one of its fields, and within it only the series it provides.
import { memo } from 'react';
import type { HistoryField } from '../../../../shared/api';
import type { GpuSnapshot } from '../../../../shared/gpu';
import { TimeChart, type TimeSeries } from '../charts/TimeChart';
import { decimalRate, fieldLabel, formatTick, formatValue, readingOf, yPrecision, yRange } from '../field-format';
import type { SeriesBuffer } from '../live-history';
import { FIELD_COLORS } from '../palette';

interface FocusChartDef {
  id: string;
  title: string;
  fields: HistoryField[];
  /** Axis ticks; defaults to the first field's formatting. */
  formatY?: (value: number) => string;
  yTitle?: string;
}

export const FOCUS_CHARTS: readonly FocusChartDef[] = [
  { id: 'real-util', title: 'Real utilization', fields: ['realUtil'] },
  { id: 'activity', title: 'SM / Tensor / DRAM activity', fields: ['smActive', 'tensorActive', 'dramActive', 'grEngineActive', 'fp64Active'] },
  { id: 'power', title: 'Power', fields: ['powerWatts'] },
  { id: 'temperature', title: 'GPU temperature', fields: ['gpuTempC'] },
  { id: 'memory', title: 'Framebuffer used', fields: ['fbUsedBytes'] },
  // PCIe (binary units in the table) and NVLink (decimal) share one axis: it is labelled in
  // decimal GB/s, and each tooltip keeps its own field's units.
  { id: 'interconnect', title: 'PCIe / NVLink', fields: ['pcieTxBytesPerSec', 'pcieRxBytesPerSec', 'nvlinkTotalBytesPerSec'], formatY: decimalRate, yTitle: 'decimal units (1 GB = 10⁹ B)' },
];

/** All history fields the focus charts need, for one getHistory request. */
export const FOCUS_HISTORY_FIELDS: readonly HistoryField[] = [...new Set(FOCUS_CHARTS.flatMap((c) => c.fields))];

function provided(field: HistoryField, gpu: GpuSnapshot, history: SeriesBuffer | undefined): boolean {
  return readingOf(gpu, field) !== null || (history?.values[field]?.some((v) => v !== null) ?? false);
}

export interface FocusChartsProps {
  gpu: GpuSnapshot;
  history: SeriesBuffer | undefined;
  /** The history buffer grows in place; its version tells memo when to redraw. */
  historyVersion: number;
  windowMs: number;
}

/** Memoised: the store changes with every GPU's tick, these charts only with their own GPU's. */
export const FocusCharts = memo(function FocusCharts({ gpu, history, windowMs }: FocusChartsProps) {
  const charts = FOCUS_CHARTS.map((def) => ({ def, fields: def.fields.filter((f) => provided(f, gpu, history)) })).filter((c) => c.fields.length > 0);
  if (charts.length === 0) return <p className="empty">The exporter provides none of the charted fields for this GPU.</p>;
  return (
    <div className="focus-chart-grid">
      {charts.map(({ def, fields }) => {
        const first = fields[0]!;
        const series: TimeSeries[] = fields.map((field) => ({
          id: field,
          label: fieldLabel(field),
          color: FIELD_COLORS[field],
          t: history?.t ?? [],
          values: history?.values[field] ?? [],
          format: (v) => formatValue(field, v),
        }));
        const range = yRange(first, gpu);
        return (
          <TimeChart
            key={def.id}
            title={def.title}
            series={series}
            windowMs={windowMs}
            yMin={range.min}
            yMax={range.max}
            formatY={def.formatY ?? ((v) => formatTick(first, v))}
            yStep={range.step}
            yPrecision={yPrecision(first)}
            yTitle={def.yTitle}
            testId="focus-chart"
          />
        );
      })}
    </div>
  );
});
