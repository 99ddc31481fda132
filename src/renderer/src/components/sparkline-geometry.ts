// Where a sparkline's points go: pure, so it is tested without a canvas.

/** A run of consecutive non-null values as canvas coordinates (x0, y0, x1, y1, ...). */
export type Segment = number[];

export interface SparkScale {
  lo: number;
  hi: number;
}

/**
 * The y range: the fixed bounds where given, else the data's own (ignoring null, NaN and
 * infinities), widened around a flat line so it sits mid-height instead of on an edge.
 */
export function sparkScale(seriesValues: readonly (readonly (number | null)[])[], min?: number, max?: number): SparkScale | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of seriesValues) {
    for (const v of values) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return min !== undefined && max !== undefined && max > min ? { lo: min, hi: max } : null;
  if (min !== undefined) lo = min;
  if (max !== undefined) hi = max;
  if (!(hi > lo)) {
    // A tenth of the smallest subnormals rounds to 0, which would leave no range at all.
    const pad = Math.abs(lo) * 0.1 || 1;
    return { lo: Math.max(lo - pad, -Number.MAX_VALUE), hi: Math.min(hi + pad, Number.MAX_VALUE) };
  }
  return { lo, hi };
}

/**
 * Line segments for one series on a width x height area inset by `pad` (so a line at the
 * top or bottom is not cut in half). `length` is the longest series' length: all series share
 * the x axis, as chart.js' category axis did. Gaps (null) end a segment, as spanGaps: false.
 */
export function sparkSegments(values: readonly (number | null)[], length: number, scale: SparkScale, width: number, height: number, pad: number): Segment[] {
  const segments: Segment[] = [];
  const dx = length > 1 ? (width - 2 * pad) / (length - 1) : 0;
  // Halved when the range itself overflows (values near ±1.8e308).
  const k = Number.isFinite(scale.hi - scale.lo) ? 1 : 0.5;
  const lo = scale.lo * k;
  const span = scale.hi * k - lo;
  const h = height - 2 * pad;
  let current: Segment | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      current = null;
      continue;
    }
    // Values outside a fixed range are clamped to its edge rather than drawn off the canvas.
    const t = Math.min(1, Math.max(0, (v * k - lo) / span));
    const x = length > 1 ? pad + i * dx : width / 2;
    const y = pad + (1 - t) * h;
    if (current === null) segments.push((current = []));
    current.push(x, y);
  }
  return segments;
}
