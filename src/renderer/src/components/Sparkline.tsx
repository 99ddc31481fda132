// A card's sparkline as an SVG polyline. chart.js (still used for the focus and plot charts,
// which have axes, tooltips and zoom) built a chart per sparkline, and so did a hand-drawn
// canvas: with five per card and a row of cards mounting every other frame while the fleet
// view scrolls, creating canvases alone held frames at 33 ms with 1,000 GPUs (bench:ui). Paths
// cost no context or backing store, stay sharp at any zoom, and a tick only rewrites `d`.
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

/** `M x y L x y ...` per segment; a lone point between gaps becomes a dot-length line. */
function linePath(segments: Segment[]): string {
  let d = '';
  for (const seg of segments) {
    d += `M${round(seg[0]!)} ${round(seg[1]!)}`;
    if (seg.length === 2) d += `h0.5`;
    for (let i = 2; i < seg.length; i += 2) d += `L${round(seg[i]!)} ${round(seg[i + 1]!)}`;
  }
  return d;
}

/** The area under each segment, down to the bottom edge. */
function areaPath(segments: Segment[]): string {
  let d = '';
  const bottom = HEIGHT - PAD;
  for (const seg of segments) {
    d += `M${round(seg[0]!)} ${bottom}`;
    for (let i = 0; i < seg.length; i += 2) d += `L${round(seg[i]!)} ${round(seg[i + 1]!)}`;
    d += `L${round(seg[seg.length - 2]!)} ${bottom}Z`;
  }
  return d;
}

interface SparkPath {
  color: string;
  line: string;
  area: string | null;
}

function buildPaths(series: SparkSeries[], min?: number, max?: number): SparkPath[] {
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
    return { color: s.color, line: linePath(segments), area: series.length === 1 ? areaPath(segments) : null };
  });
}

interface Built {
  series: SparkSeries[];
  min?: number;
  max?: number;
  paths: SparkPath[];
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
  if (!unchanged(built.current, series, min, max)) built.current = { series, min, max, paths: buildPaths(series, min, max) };
  const paths = built.current.paths;

  // preserveAspectRatio none: a card stretches the line over the width its values leave free;
  // the stroke keeps its width however far the drawing is stretched.
  return (
    <svg data-testid="sparkline" role="img" aria-label={label} width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none">
      {paths.map((p, i) => (
        <g key={i}>
          {p.area ? <path d={p.area} fill={p.color} fillOpacity={0.13} stroke="none" /> : null}
          <path d={p.line} fill="none" stroke={p.color} strokeWidth={LINE_WIDTH} strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke" />
        </g>
      ))}
    </svg>
  );
}

export const Sparkline = memo(SparklineView);
