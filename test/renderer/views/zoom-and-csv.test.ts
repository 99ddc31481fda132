import { describe, expect, it } from 'vitest';
import { clampInto, clockTicks, coversBounds, formatClock, keyAction, MIN_SPAN_MS, panBy, wheelZoomFactor, zoomAt, ZOOM_STEP } from '../../../src/renderer/src/views/charts/zoom';
import { binaryRate, decimalRate, formatValue } from '../../../src/renderer/src/views/field-format';
import { appendSnapshots, buffersFromResponse } from '../../../src/renderer/src/views/live-history';
import type { FleetState } from '../../../src/renderer/src/state/fleet-store';
import { gpu } from '../fake-api';

const bounds = { min: 0, max: 900_000 };

describe('zoom and pan', () => {
  it('keeps the anchor at the same relative place when zooming in', () => {
    const view = zoomAt(bounds, 600_000, 2, bounds);
    expect(view.max - view.min).toBe(450_000);
    expect((600_000 - view.min) / (view.max - view.min)).toBeCloseTo(600_000 / 900_000);
  });

  it('never zooms narrower than the minimum span nor wider than the bounds', () => {
    let view = bounds;
    for (let i = 0; i < 100; i++) view = zoomAt(view, 450_000, 2, bounds);
    expect(view.max - view.min).toBe(MIN_SPAN_MS);
    for (let i = 0; i < 100; i++) view = zoomAt(view, 450_000, 0.5, bounds);
    expect(view).toEqual(bounds);
    expect(coversBounds(view, bounds)).toBe(true);
  });

  it('pans without changing the span and stops at the edges', () => {
    const view = { min: 100_000, max: 200_000 };
    expect(panBy(view, 50_000, bounds)).toEqual({ min: 150_000, max: 250_000 });
    expect(panBy(view, -500_000, bounds)).toEqual({ min: 0, max: 100_000 });
    expect(panBy(view, 5_000_000, bounds)).toEqual({ min: 800_000, max: 900_000 });
    expect(clampInto({ min: -10, max: 2_000_000 }, bounds)).toEqual(bounds);
  });

  it('puts time ticks on round clock steps whatever the range edges', () => {
    const min = Date.UTC(2024, 4, 1, 12, 0, 37);
    const ticks = clockTicks(min, min + 5 * 60_000);
    expect(ticks).toHaveLength(5);
    expect(ticks.every((t) => t % 60_000 === 0)).toBe(true);
    expect(ticks[0]).toBe(Date.UTC(2024, 4, 1, 12, 1, 0));
    const hour = clockTicks(min, min + 3_600_000);
    expect(hour.length).toBeLessThanOrEqual(8);
    expect(hour.every((t) => t % 600_000 === 0)).toBe(true);
    const zoomedIn = clockTicks(min, min + 20_000);
    expect(zoomedIn.every((t) => t % 5_000 === 0 && t >= min && t <= min + 20_000)).toBe(true);
  });

  it('zooms by the distance the wheel scrolled, capped per event', () => {
    expect(wheelZoomFactor(-100, 0)).toBeCloseTo(ZOOM_STEP);
    expect(wheelZoomFactor(100, 0)).toBeCloseTo(1 / ZOOM_STEP);
    // Twenty 5 px trackpad deltas zoom as much as one 100 px notch.
    expect(wheelZoomFactor(-5, 0) ** 20).toBeCloseTo(ZOOM_STEP);
    expect(wheelZoomFactor(-3, 1)).toBeCloseTo(ZOOM_STEP ** 0.99);
    expect(wheelZoomFactor(-10_000, 0)).toBeCloseTo(ZOOM_STEP ** 3);
  });

  it('maps keys to actions and formats clock ticks', () => {
    expect(keyAction('+')).toEqual({ zoom: 1.25 });
    expect(keyAction('-')).toEqual({ zoom: 0.8 });
    expect(keyAction('ArrowRight')).toEqual({ pan: 0.1 });
    expect(keyAction('0')).toEqual({ reset: true });
    expect(keyAction('a')).toBeNull();
    expect(formatClock(new Date(2024, 4, 1, 9, 5, 7).getTime())).toBe('09:05:07');
  });
});

describe('formatting', () => {
  it('uses binary units for PCIe and decimal units for NVLink, labelled', () => {
    expect(binaryRate(3 * 2 ** 30)).toBe('3.0 GiB/s');
    expect(decimalRate(25.6e9)).toBe('25.6 GB/s');
    expect(formatValue('pcieRxBytesPerSec', 512 * 2 ** 20)).toBe('512 MiB/s');
    expect(formatValue('nvlinkTotalBytesPerSec', 230e9)).toBe('230 GB/s');
    expect(formatValue('smClockHz', 1_410_000_000)).toBe('1410 MHz');
    expect(formatValue('xidLast', 0)).toBe('none');
    expect(formatValue('rowRemapFailure', 1)).toBe('yes');
    expect(formatValue('smActive', null)).toBe('–');
  });
});

describe('live history buffers', () => {
  it('appends newer scrapes only and trims to the window', () => {
    const buffers = buffersFromResponse({ series: { 'node-a/GPU-1': { t: [0, 2000, 4000], values: { realUtil: [1, 2, 3] } } } }, ['node-a/GPU-1', 'node-a/GPU-9'], ['realUtil', 'powerWatts']);
    // A field the service did not return is all-missing, aligned with t.
    expect(buffers.get('node-a/GPU-1')!.values.powerWatts).toEqual([null, null, null]);
    expect(buffers.get('node-a/GPU-9')).toEqual({ t: [], values: { realUtil: [], powerWatts: [] } });
    const state = (observedAt: number) => ({ gpus: new Map([['node-a/GPU-1', gpu({ observedAt, realUtil: 7, readings: { powerWatts: 300 } })]]) }) as unknown as FleetState;
    expect(appendSnapshots(buffers, state(4000), ['realUtil', 'powerWatts'], 5000)).toBe(false);
    expect(appendSnapshots(buffers, state(6000), ['realUtil', 'powerWatts'], 5000)).toBe(true);
    expect(buffers.get('node-a/GPU-1')).toEqual({ t: [2000, 4000, 6000], values: { realUtil: [2, 3, 7], powerWatts: [null, null, 300] } });
  });
});
