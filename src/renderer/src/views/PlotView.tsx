// Plot view: one metric across a chosen set of GPUs, one line per GPU, live. The route holds
// the metric and the GPUs (`#/plot?field=…&keys=…`) so a plot can be bookmarked and Back works.
import { memo, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { HISTORY_FIELDS, type HistoryField, type PulseApi } from '../../../shared/api';
import type { GpuSnapshot } from '../../../shared/gpu';
import type { FleetStore } from '../state/fleet-store';
import { gpuLabel, navigate } from '../navigation';
import { TimeChart, ZOOM_HINT, type TimeSeries } from './charts/TimeChart';
import { fieldLabel, formatTick, formatValue, unitLabel, yPrecision, yRange } from './field-format';
import { DEFAULT_WINDOW_MS, useLiveHistory, type LiveHistory } from './live-history';
import { gpuColor } from './palette';
import { CsvExport } from './plot/CsvExport';
import { GpuPicker } from './plot/GpuPicker';
import { compareGpuOrder } from '../../../shared/gpu-order';
import { defaultPlotKeys } from './plot/gpu-order';
import { WindowSelect } from './WindowSelect';

export interface PlotViewProps {
  api: PulseApi;
  store: FleetStore;
  field: HistoryField;
  keys: string[];
}

export function PlotView({ api, store, field, keys }: PlotViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [windowMs, setWindowMs] = useState(DEFAULT_WINDOW_MS);
  // null until the user (or the route) picks GPUs: the default follows the fleet as it fills.
  const [chosen, setChosen] = useState<string[] | null>(keys.length > 0 ? keys : null);
  const routeKeys = keys.join(',');
  useEffect(() => {
    if (routeKeys) setChosen(routeKeys.split(','));
  }, [routeKeys]);

  const sorted = [...state.gpus.values()].sort(compareGpuOrder);
  const selected = chosen ?? defaultPlotKeys(sorted);
  const present = selected.map((key) => state.gpus.get(key)).filter((g): g is GpuSnapshot => g !== undefined);
  const gone = selected.filter((key) => !state.gpus.has(key));
  const live = useLiveHistory(
    api,
    store,
    present.map((g) => g.key),
    [field],
    windowMs,
  );

  // Stable between ticks unless the plotted GPUs or their labels change (linesKey holds all
  // this memo reads), so the memoised chart skips the ticks of GPUs it does not show.
  const linesKey = present.map((g) => `${g.key}\t${gpuLabel(g)}`).join('\n');
  const lines = useMemo(() => present.map((g) => ({ key: g.key, label: gpuLabel(g) })), [linesKey]);

  const choose = (next: string[]) => {
    setChosen(next);
    navigate({ view: 'plot', field, keys: next });
  };

  return (
    <div className="plot" data-testid="plot-view">
      <header className="plot-controls">
        <label className="focus-control">
          Metric{' '}
          <select aria-label="Metric" value={field} onChange={(e) => navigate({ view: 'plot', field: e.target.value as HistoryField, keys: selected })}>
            {HISTORY_FIELDS.map((f) => (
              <option key={f} value={f}>
                {fieldLabel(f)} ({unitLabel(f)})
              </option>
            ))}
          </select>
        </label>
        <WindowSelect windowMs={windowMs} onChange={setWindowMs} />
        <CsvExport api={api} gpus={present} field={field} windowMs={windowMs} live={live.series} />
        <span className="focus-note">{ZOOM_HINT}</span>
      </header>
      <div className="plot-body">
        <GpuPicker sorted={sorted} selected={selected} onChange={choose} />
        <section className="plot-chart-panel" aria-label="Plot">
          {gone.length > 0 ? (
            <p className="focus-note" data-testid="plot-gone">
              Not in the fleet (gone or not scraped yet): {gone.join(', ')}
            </p>
          ) : null}
          <PlotChart field={field} lines={lines} status={live.status} series={live.series} historyVersion={live.version} windowMs={windowMs} fleetEmpty={sorted.length === 0} />
        </section>
      </div>
    </div>
  );
}

interface PlotChartProps {
  field: HistoryField;
  lines: { key: string; label: string }[];
  status: LiveHistory['status'];
  series: LiveHistory['series'];
  /** The buffers grow in place; the version tells memo when to redraw. */
  historyVersion: number;
  windowMs: number;
  fleetEmpty: boolean;
}

const PlotChart = memo(function PlotChart({ field, lines, status, series, windowMs, fleetEmpty }: PlotChartProps) {
  if (fleetEmpty) return <p className="empty">No GPUs in the fleet yet: add a target first.</p>;
  if (lines.length === 0) return <p className="empty">Select GPUs on the left to plot them.</p>;
  if (status.state === 'loading')
    return (
      <p className="empty" role="status" data-testid="history-loading">
        Loading history…
      </p>
    );
  if (status.state === 'error')
    return (
      <p className="empty error" role="alert" data-testid="history-error">
        Could not load the history: {status.message}
      </p>
    );
  const timeSeries: TimeSeries[] = lines.map((line, i) => {
    const buffer = series.get(line.key);
    return {
      id: line.key,
      label: line.label,
      color: gpuColor(i),
      t: buffer?.t ?? [],
      values: buffer?.values[field] ?? [],
      format: (v) => formatValue(field, v),
    };
  });
  const range = yRange(field);
  return (
    <TimeChart
      title={`${fieldLabel(field)} (${unitLabel(field)})`}
      series={timeSeries}
      windowMs={windowMs}
      yMin={range.min}
      yMax={range.max}
      formatY={(v) => formatTick(field, v)}
      yPrecision={yPrecision(field)}
      testId="plot-chart"
      legendTestId="plot-legend-item"
      height={420}
    />
  );
});
