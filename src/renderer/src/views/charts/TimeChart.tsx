// A chart.js line chart over a time axis, with zoom and pan, a legend and PNG export.
//
// Time axis: a `linear` x scale over Unix milliseconds whose ticks print HH:MM:SS. chart.js's
// `time` scale needs a date adapter package (luxon, date-fns, ...); the views only need clock
// labels, so a linear scale with a tick step picked from round clock intervals does the job
// without a dependency.
//
// Live data: with no zoom the x range follows the newest sample over the history window. Once
// the user zooms or pans, the range is theirs: new samples are appended but the view stays put
// until they reset (double-click, 0, or the Reset button) or zoom back out to the full window.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { Chart, Filler, LineController, LineElement, LinearScale, PointElement, Tooltip, type Plugin } from 'chart.js';
import { clockTicks, coversBounds, stepTicks, formatClock, keyAction, panBy, wheelZoomFactor, zoomAt, type XRange } from './zoom';
import { downloadUrl, fileStamp, slug } from '../download';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Filler);

export interface TimeSeries {
  id: string;
  label: string;
  color: string;
  t: number[];
  values: (number | null)[];
  /** Tooltip text of one value (units differ per series, e.g. PCIe vs NVLink). */
  format: (value: number) => string;
}

export interface TimeChartProps {
  title: string;
  series: TimeSeries[];
  windowMs: number;
  yMin?: number;
  yMax?: number;
  formatY: (value: number) => string;
  /** Y ticks on multiples of this step (round GiB for memory); otherwise chart.js picks them. */
  yStep?: number;
  /** Decimal places of y tick steps: 0 for values shown rounded (W, °C, %) so labels never repeat. */
  yPrecision?: number;
  /** Axis title, for a unit convention the ticks alone do not make clear. */
  yTitle?: string;
  /** data-testid of the canvas (the e2e and component tests find charts by it). */
  testId: string;
  /** data-testid of each legend item; also forces a legend for a single series. */
  legendTestId?: string;
  height?: number;
}

export const ZOOM_HINT = 'Wheel or +/− zooms · drag or ←/→ pans · double-click or 0 resets';

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Chart colours from the app's CSS variables, so charts follow the dark and light themes. */
function themeColors() {
  return { grid: cssVar('--border', '#262c35'), text: cssVar('--muted', '#8b95a5'), panel: cssVar('--panel', '#171b21') };
}

/** Paint the panel colour under the chart so an exported PNG is readable outside the app. */
function backgroundPlugin(colors: { panel: string }): Plugin<'line'> {
  return {
    id: 'panelBackground',
    beforeDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = colors.panel;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

/** The x range that shows the whole window up to the newest sample. */
export function liveBounds(series: TimeSeries[], windowMs: number, now: number): XRange {
  let newest = -Infinity;
  for (const s of series) if (s.t.length > 0) newest = Math.max(newest, s.t[s.t.length - 1]!);
  const max = Number.isFinite(newest) ? newest : now;
  return { min: max - windowMs, max };
}

export function TimeChart({ title, series, windowMs, yMin, yMax, formatY, yStep, yPrecision, yTitle, testId, legendTestId, height = 220 }: TimeChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<'line', { x: number; y: number | null }[]> | null>(null);
  const [zoomed, setZoomed] = useState<XRange | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const dragRef = useRef<{ pointerId: number; startX: number; startView: XRange } | null>(null);

  const bounds = liveBounds(series, windowMs, Date.now());
  const view = zoomed ?? bounds;
  const pointCount = series.reduce((n, s) => n + s.t.length, 0);

  // Event handlers registered once read the latest values through refs.
  const latest = useRef({ bounds, view, formatY, series, yStep });
  latest.current = { bounds, view, formatY, series, yStep };

  const applyView = (next: XRange | null) => setZoomed(next && !coversBounds(next, latest.current.bounds) ? next : null);

  // A layout effect, declared before the one that feeds data: on mount the chart must exist
  // when the data effect runs (passive effects run after layout effects), or a new chart would
  // stay blank until the next tick.
  useLayoutEffect(() => {
    const canvas = canvasRef.current!;
    // Read through functions (chart.js scriptable options) so a theme switch can recolour.
    const colors = themeColors();
    const grid = () => colors.grid;
    const text = () => colors.text;
    const chart = new Chart<'line', { x: number; y: number | null }[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        // jsdom has no ResizeObserver; the app's renderers all do.
        responsive: typeof ResizeObserver !== 'undefined',
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5, tension: 0 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? formatClock(items[0].parsed.x ?? 0) : ''),
              label: (item) => {
                const s = latest.current.series[item.datasetIndex];
                const y = item.parsed.y;
                return s && typeof y === 'number' ? `${s.label}: ${s.format(y)}` : '';
              },
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            grid: { color: grid },
            ticks: { color: text, maxRotation: 0, autoSkipPadding: 12, callback: (value) => formatClock(Number(value)) },
            afterBuildTicks: (scale) => {
              scale.ticks = clockTicks(scale.min, scale.max).map((value) => ({ value }));
            },
          },
          y: {
            grid: { color: grid },
            afterBuildTicks: (scale) => {
              const step = latest.current.yStep;
              if (step) scale.ticks = stepTicks(scale.min, scale.max, step).map((value) => ({ value }));
            },
            title: { display: false, color: colors.text },
            ticks: { color: text, callback: (value) => latest.current.formatY(Number(value)) },
          },
        },
      },
      plugins: [backgroundPlugin(colors)],
    });
    chartRef.current = chart;

    // React registers wheel listeners as passive; zooming must stop the page from scrolling.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const { view: current, bounds: limits } = latest.current;
      const underCursor = chart.scales.x?.getValueForPixel(event.offsetX);
      const anchor = typeof underCursor === 'number' && Number.isFinite(underCursor) ? Math.min(current.max, Math.max(current.min, underCursor)) : (current.min + current.max) / 2;
      applyView(zoomAt(current, anchor, wheelZoomFactor(event.deltaY, event.deltaMode), limits));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });

    const scheme = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    const recolour = () => {
      Object.assign(colors, themeColors());
      const title = chart.options.scales?.y?.title;
      if (title) title.color = colors.text;
      chart.update('none');
    };
    scheme?.addEventListener('change', recolour);
    return () => {
      scheme?.removeEventListener('change', recolour);
      canvas.removeEventListener('wheel', onWheel);
      chart.destroy();
      chartRef.current = null;
    };
    // Created once: everything that changes is applied by the layout effect below.
  }, []);

  useLayoutEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.data.datasets = series.map((s) => ({
      label: s.label,
      data: s.t.map((x, i) => ({ x, y: s.values[i] ?? null })),
      borderColor: s.color,
      backgroundColor: s.color + '22',
      fill: series.length === 1,
      spanGaps: false,
      hidden: hidden.has(s.id),
    }));
    const x = chart.options.scales!.x!;
    x.min = view.min;
    x.max = view.max;
    const y = chart.options.scales!.y!;
    y.min = yMin;
    y.max = yMax;
    (y.ticks as { precision?: number }).precision = yPrecision;
    if (y.title) {
      y.title.display = yTitle !== undefined;
      y.title.text = yTitle ?? '';
    }
    chart.update('none');
  });

  const zoomByKey = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const action = keyAction(event.key);
    if (!action) return;
    event.preventDefault();
    if ('reset' in action) return applyView(null);
    if ('zoom' in action) return applyView(zoomAt(view, (view.min + view.max) / 2, action.zoom, bounds));
    applyView(panBy(view, action.pan * (view.max - view.min), bounds));
  };

  const startDrag = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    dragRef.current = { pointerId: event.pointerId, startX: event.clientX, startView: view };
  };

  const drag = (event: PointerEvent<HTMLCanvasElement>) => {
    const state = dragRef.current;
    const area = chartRef.current?.chartArea;
    if (!state || state.pointerId !== event.pointerId || !area || area.width <= 0) return;
    const span = state.startView.max - state.startView.min;
    // Dragging right shows earlier data, like moving a sheet of paper.
    const delta = (-(event.clientX - state.startX) * span) / area.width;
    if (delta !== 0) applyView(panBy(state.startView, delta, bounds));
  };

  const endDrag = () => {
    dragRef.current = null;
  };

  const exportPng = () => {
    const chart = chartRef.current;
    if (!chart) return;
    downloadUrl(chart.toBase64Image('image/png', 1), `gpu-pulse-${slug(title)}-${fileStamp(Date.now())}.png`);
  };

  const toggle = (id: string) =>
    setHidden((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const showLegend = series.length > 1 || legendTestId !== undefined;
  return (
    <figure className="focus-chart-card">
      <figcaption className="focus-chart-head">
        <span className="focus-chart-title">{title}</span>
        <span className="focus-chart-tools">
          <button type="button" onClick={() => applyView(null)} disabled={zoomed === null} aria-label={`Reset zoom of ${title}`}>
            Reset
          </button>
          <button type="button" onClick={exportPng} aria-label={`Export PNG of ${title}`}>
            Export PNG
          </button>
        </span>
      </figcaption>
      {showLegend ? (
        <ul className="focus-legend" aria-label={`${title} legend`}>
          {series.map((s) => (
            <li key={s.id} data-testid={legendTestId}>
              <button type="button" aria-pressed={!hidden.has(s.id)} onClick={() => toggle(s.id)} title={hidden.has(s.id) ? 'Show this series' : 'Hide this series'}>
                <span className="focus-swatch" style={{ background: s.color }} aria-hidden="true" />
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="focus-chart-canvas" style={{ height }}>
        <canvas
          ref={canvasRef}
          data-testid={testId}
          data-x-min={Math.round(view.min)}
          data-x-max={Math.round(view.max)}
          data-points={pointCount}
          data-zoomed={zoomed !== null}
          role="img"
          tabIndex={0}
          aria-label={`${title} over time. Plus and minus zoom, arrow keys pan, 0 resets.`}
          title={ZOOM_HINT}
          onKeyDown={zoomByKey}
          onPointerDown={startDrag}
          onPointerMove={drag}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
          onDoubleClick={() => applyView(null)}
        />
        {pointCount === 0 ? <div className="focus-chart-empty">No samples in this window yet</div> : null}
      </div>
    </figure>
  );
}
