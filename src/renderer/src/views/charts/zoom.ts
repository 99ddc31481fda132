// The time axis as pure functions: clock ticks, and zoom and pan over an x range, so the interaction layer in
// TimeChart stays a thin mapping from wheel/drag/keys to these and the maths is unit-tested.
// Our own instead of chartjs-plugin-zoom: it needs hammerjs for drag, and these ~60 lines cover
// what the views need (wheel around the cursor, drag, keys) with no new dependency.

export interface XRange {
  min: number;
  max: number;
}

/** Narrowest span a user can zoom to: a few scrapes at the fastest interval. */
export const MIN_SPAN_MS = 10_000;
/** Zoom factor of one wheel notch or one +/- key press. */
export const ZOOM_STEP = 1.25;
/** Fraction of the visible span one arrow key press pans. */
export const PAN_STEP = 0.1;

/**
 * Zoom around `anchor` (the x value under the cursor stays under the cursor): factor > 1 zooms
 * in, < 1 zooms out. The result stays inside `bounds` and no narrower than MIN_SPAN_MS.
 */
export function zoomAt(view: XRange, anchor: number, factor: number, bounds: XRange): XRange {
  const span = view.max - view.min;
  const fullSpan = bounds.max - bounds.min;
  const newSpan = Math.min(fullSpan, Math.max(Math.min(MIN_SPAN_MS, fullSpan), span / factor));
  const ratio = span > 0 ? (anchor - view.min) / span : 0.5;
  const min = anchor - ratio * newSpan;
  return clampInto({ min, max: min + newSpan }, bounds);
}

/** Shift the view by `delta` (x units), stopping at the bounds without changing the span. */
export function panBy(view: XRange, delta: number, bounds: XRange): XRange {
  return clampInto({ min: view.min + delta, max: view.max + delta }, bounds);
}

/** Move a range inside bounds, keeping its span (shrunk to the bounds when wider). */
export function clampInto(view: XRange, bounds: XRange): XRange {
  const span = Math.min(view.max - view.min, bounds.max - bounds.min);
  let min = view.min;
  if (min < bounds.min) min = bounds.min;
  if (min + span > bounds.max) min = bounds.max - span;
  return { min, max: min + span };
}

/** Pixels per wheel line and page, for the deltaMode values of WheelEvent (1 and 2). */
const WHEEL_LINE_PX = 33;
const WHEEL_PAGE_PX = 400;
/** One mouse-wheel notch is about 100 px in Chromium and Firefox. */
const WHEEL_NOTCH_PX = 100;

/**
 * Zoom factor of one wheel event, proportional to the distance scrolled: a mouse notch zooms by
 * ZOOM_STEP, a trackpad's many small deltas add up to the same, and one huge delta is capped.
 */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const px = deltaY * (deltaMode === 1 ? WHEEL_LINE_PX : deltaMode === 2 ? WHEEL_PAGE_PX : 1);
  const notches = Math.max(-3, Math.min(3, -px / WHEEL_NOTCH_PX));
  return ZOOM_STEP ** notches;
}

/** A view that shows the whole window is no zoom at all: the chart follows live data again. */
export function coversBounds(view: XRange, bounds: XRange): boolean {
  return view.min <= bounds.min && view.max >= bounds.max;
}

/** What one key does to the view; null for keys the chart does not handle. */
export function keyAction(key: string): { zoom: number } | { pan: number } | { reset: true } | null {
  switch (key) {
    case '+':
    case '=':
      return { zoom: ZOOM_STEP };
    case '-':
    case '_':
      return { zoom: 1 / ZOOM_STEP };
    case 'ArrowLeft':
      return { pan: -PAN_STEP };
    case 'ArrowRight':
      return { pan: PAN_STEP };
    case '0':
      return { reset: true };
    default:
      return null;
  }
}

/** Wall-clock time of day for the time axis: HH:MM:SS in the viewer's local zone. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

// Round clock steps for the x ticks, so labels land on :00, :15, :30 rather than odd seconds.
const CLOCK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);
const MAX_X_TICKS = 8;

export function clockStep(spanMs: number): number {
  return CLOCK_STEPS_MS.find((step) => spanMs / step <= MAX_X_TICKS) ?? CLOCK_STEPS_MS[CLOCK_STEPS_MS.length - 1]!;
}

/**
 * Tick values on whole multiples of a round step. With an explicit `min` and `max`, chart.js
 * starts its ticks at `min` or spreads them evenly between the two, which puts labels at odd seconds once the range follows live data.
 * Multiples of the step in epoch time fall on whole local minutes; hour-sized steps land on the
 * hour only in zones offset by whole hours, which is fine for a label.
 */
export function clockTicks(min: number, max: number): number[] {
  return stepTicks(min, max, clockStep(max - min));
}

/** Whole multiples of `step` within [min, max]. */
export function stepTicks(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return ticks;
}
