// A tiny chart.js line chart. Animation is off and updates use mode 'none' so a tick repaint
// costs one draw per visible sparkline.
import { useEffect, useRef } from 'react';
import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler);

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

export function Sparkline({ series, min, max, label }: SparklineProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<'line'> | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = new Chart(canvas, {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        elements: { point: { radius: 0 }, line: { borderWidth: 1.5, tension: 0.2 } },
        scales: { x: { display: false }, y: { display: false, min, max } },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [min, max]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const length = Math.max(0, ...series.map((s) => s.values.length));
    chart.data.labels = Array.from({ length }, (_, i) => i);
    chart.data.datasets = series.map((s) => ({
      data: s.values,
      borderColor: s.color,
      backgroundColor: s.color + '22',
      fill: series.length === 1,
      spanGaps: false,
    }));
    chart.update('none');
  });

  return <canvas ref={canvasRef} data-testid="sparkline" aria-label={label} role="img" width={120} height={28} />;
}
