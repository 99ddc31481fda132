// @vitest-environment jsdom
// The card sparkline's drawing: one polyline per run of values (a gap starts another), a lone
// point drawn as a dot-length line, an area under a single series only, and the same elements
// rewritten (not rebuilt) when a point is added.
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Sparkline } from '../../src/renderer/src/components/Sparkline';

afterEach(() => cleanup());

const pointsOf = (el: Element) => el.getAttribute('points')!.split(' ').map((p) => p.split(',').map(Number));

describe('Sparkline', () => {
  it('draws each run of values as its own polyline, with its area', () => {
    const { container } = render(<Sparkline label="x" min={0} max={10} series={[{ values: [0, 10, null, 5, null, 2, 4], color: '#fff' }]} />);
    const lines = [...container.querySelectorAll('polyline')].map(pointsOf);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.length)).toEqual([2, 2, 2]);
    // The lone 5 is a dot-length line at mid-height (28 px tall, 1.5 px inset).
    expect(lines[1]![1]![0]! - lines[1]![0]![0]!).toBeCloseTo(0.5, 5);
    expect(lines[1]![0]![1]).toBe(14);
    // 0 sits on the bottom edge, 10 on the top one.
    expect(lines[0]!.map(([, y]) => y)).toEqual([26.5, 1.5]);
    const areas = [...container.querySelectorAll('polygon')].map(pointsOf);
    expect(areas).toHaveLength(3);
    expect(areas[0]).toEqual([[lines[0]![0]![0], 26.5], ...lines[0]!, [lines[0]![1]![0], 26.5]]);
  });

  it('draws no area when several series share the sparkline', () => {
    const { container } = render(
      <Sparkline
        label="x"
        min={0}
        max={1}
        series={[
          { values: [0.1, 0.2], color: '#a00' },
          { values: [0.3, 0.4], color: '#0a0' },
        ]}
      />,
    );
    expect(container.querySelectorAll('polyline')).toHaveLength(2);
    expect(container.querySelectorAll('polygon')).toHaveLength(0);
  });

  it('rewrites the points of the same element when a point is added', () => {
    const series = (values: number[]) => [{ values, color: '#fff' }];
    const { container, rerender } = render(<Sparkline label="x" min={0} max={10} series={series([1, 2])} />);
    const line = container.querySelector('polyline')!;
    rerender(<Sparkline label="x" min={0} max={10} series={series([1, 2, 3])} />);
    expect(container.querySelector('polyline')).toBe(line);
    expect(pointsOf(line)).toHaveLength(3);
  });
});
