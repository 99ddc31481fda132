// A card's sparkline as SVG polylines. chart.js (still used for the focus and plot charts,
// which have axes, tooltips and zoom) built a chart per sparkline, and so did a hand-drawn
// canvas: with five per card and a row of cards mounting every other frame while the fleet
// view scrolls, creating canvases alone held frames at 33 ms with 1,000 GPUs (bench:ui). Paths
// cost no context or backing store, stay sharp at any zoom, and a tick only rewrites `points`.
// Polylines rather than <path>s: Chromium maps a path's `d` to a CSS property, so every tick
// that rewrote the `d` of the ~11 paths of each changed card also recalculated their style: with
// 10,000 GPUs the frame after a tick took 2–3 ms of style recalculation for it, and its p95 CPU
// fell from 11.7 to 8.3 ms with polylines (bench:ui trace); `points` is geometry only.
import { memo, useRef } from 'react';
import { sparkScale, sparkSegments, type Segment } from './sparkline-geometry';

export interface SparkSeries {
  values: (number | null)[];
  color: string;
}

export interface SparklineProps {
  series: SparkSeries[];
  /** Fixed y range (e.g. 0-100 for percent); omitted means autoscale. */
  min?: number;
  max?: number;
  label: string;
}

const WIDTH = 120;
const HEIGHT = 28;
const LINE_WIDTH = 1.5;
const PAD = LINE_WIDTH;

const round = (n: number) => Math.round(n * 10) / 10;

/** `x,y x,y ...` of one segment; a lone point between gaps becomes a dot-length line. */
function linePoints(seg: Segment): string {
  let points = `${round(seg[0]!)},${round(seg[1]!)}`;
  if (seg.length === 2) points += ` ${round(seg[0]! + 0.5)},${round(seg[1]!)}`;
  for (let i = 2; i < seg.length; i += 2) points += ` ${round(seg[i]!)},${round(seg[i + 1]!)}`;
  return points;
}

/** The area under a segment, down to the bottom edge. */
function areaPoints(seg: Segment): string {
  const bottom = HEIGHT - PAD;
  return `${round(seg[0]!)},${bottom} ${linePoints(seg)} ${round(seg[seg.length - 2]!)},${bottom}`;
}

interface SparkShape {
  color: string;
  /** One polyline per run of values without a gap. */
  lines: string[];
  /** The area under each run, for a sparkline of one series. */
  areas: string[];
}

function buildShapes(series: SparkSeries[], min?: number, max?: number): SparkShape[] {
  const scale = sparkScale(
    series.map((s) => s.values),
    min,
    max,
  );
  if (scale === null) return [];
  const length = Math.max(0, ...series.map((s) => s.values.length));
  return series.map((s) => {
    const segments = sparkSegments(s.values, length, scale, WIDTH, HEIGHT, PAD);
    // One series: a faint area under the line, as the cards have always shown.
    return { color: s.color, lines: segments.map(linePoints), areas: series.length === 1 ? segments.map(areaPoints) : [] };
  });
}

interface Built {
  series: SparkSeries[];
  min?: number;
  max?: number;
  shapes: SparkShape[];
}

/** Cards re-render for any change of their GPU; the stores replace a value array only when it changes. */
function unchanged(b: Built | null, series: SparkSeries[], min?: number, max?: number): b is Built {
  return (
    b !== null &&
    b.min === min &&
    b.max === max &&
    b.series.length === series.length &&
    b.series.every((s, i) => s.values === series[i]!.values && s.color === series[i]!.color)
  );
}

function SparklineView({ series, min, max, label }: SparklineProps) {
  const built = useRef<Built | null>(null);
  if (!unchanged(built.current, series, min, max)) built.current = { series, min, max, shapes: buildShapes(series, min, max) };
  const shapes = built.current.shapes;

  // preserveAspectRatio none: a card stretches the line over the width its values leave free;
  // the stroke keeps its width however far the drawing is stretched.
  return (
    <svg data-testid="sparkline" role="img" aria-label={label} width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none">
      {shapes.map((p, i) => (
        <g key={i}>
          {p.areas.map((points, j) => (
            <polygon key={`a${j}`} points={points} fill={p.color} fillOpacity={0.13} stroke="none" />
          ))}
          {p.lines.map((points, j) => (
            <polyline key={`l${j}`} points={points} fill="none" stroke={p.color} strokeWidth={LINE_WIDTH} strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke" />
          ))}
        </g>
      ))}
    </svg>
  );
}

export const Sparkline = memo(SparklineView);
