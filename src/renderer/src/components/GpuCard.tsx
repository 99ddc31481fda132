import { memo } from 'react';
import { isApproximate, type GpuSnapshot } from '../../../shared/gpu';
import type { Spark } from '../state/fleet-store';
import { navigate } from '../navigation';
import { Sparkline } from './Sparkline';
import { celsius, gib, gibNumber, pct, percentValue, usageClass, watts } from './format';
import { escapeControls } from './LabelText';

/** DCGM.md §9: power is drawn against the limit, 700 W when the exporter does not say. */
const DEFAULT_POWER_SCALE_W = 700;

const COLORS = { util: '#4ade80', sm: '#60a5fa', tensor: '#f472b6', dram: '#fbbf24', power: '#f97316', temp: '#f87171', mem: '#a78bfa' };

export interface GpuCardProps {
  gpu: GpuSnapshot;
  spark: Spark | undefined;
}

function GpuCardView({ gpu, spark }: GpuCardProps) {
  const r = gpu.readings;
  const lowerBound = gpu.realUtil !== null && gpu.realUtilMissing.length > 0;
  const name = gpu.migInstance ? `GPU ${gpu.gpuIndex ?? '?'} / GI ${gpu.migInstance.id}` : `GPU ${gpu.gpuIndex ?? '?'}`;
  const total = typeof r.fbTotalBytes === 'number' ? r.fbTotalBytes : null;
  const reasons = gpu.health.reasons.map((x) => `${x.state}: ${x.message}`).join('\n');
  // The score's GR input is NVML's GPU utilization when the exporter serves no GR counter.
  const grStandIn = gpu.substitutes?.grEngineActive !== undefined;
  const utilTitle = [
    lowerBound ? `Lower bound: missing ${gpu.realUtilMissing.join(', ')}` : 'Real utilization (ai preset)',
    grStandIn ? 'GR input: NVML GPU utilization standing in (no graphics-engine-active counter)' : null,
  ]
    .filter(Boolean)
    .join('\n');
  const approxTotal = isApproximate(gpu, 'fbTotalBytes') ? '≈' : '';
  const v = spark?.values;
  return (
    <article
      className="gpu-card"
      data-testid="gpu-card"
      data-gpu-key={gpu.key}
      data-class={gpu.class.label}
      data-health={gpu.health.state}
      tabIndex={0}
      aria-label={`${gpu.node} ${name}: open details`}
      onClick={() => navigate({ view: 'gpu', key: gpu.key })}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          navigate({ view: 'gpu', key: gpu.key });
        }
      }}
    >
      <header>
        <span className="gpu-name">{name}</span>
        <span className="gpu-model" title={`${gpu.model ? escapeControls(gpu.model) : 'unknown model'}\n${gpu.uuid}`}>
          {gpu.model ? escapeControls(gpu.model) : 'unknown model'}
        </span>
      </header>
      <div className="gpu-headline">
        <span
          className={`real-util ${usageClass(gpu.realUtil)}`}
          data-testid="real-util"
          title={utilTitle}
        >
          {lowerBound ? '≥' : ''}
          {percentValue(gpu.realUtil)}
          {grStandIn ? (
            <sup className="substitute-mark" data-testid="gr-substitute" aria-label="GR from NVML GPU utilization">
              *
            </sup>
          ) : null}
        </span>
        <span className={`class-chip bottleneck-${gpu.class.bottleneck}`} data-testid="gpu-class" title={gpu.class.label}>
          {gpu.class.label}
        </span>
        <span className={`health-chip health-${gpu.health.state}`} data-testid="gpu-health" title={reasons || 'No health findings'}>
          {gpu.health.state}
        </span>
      </div>
      <div className="spark-grid">
        <Metric label="Real util" value={percentValue(gpu.realUtil)}>
          <Sparkline label="real utilization" min={0} max={100} series={[{ values: v?.realUtil ?? [], color: COLORS.util }]} />
        </Metric>
        <Metric label="SM·TC·DRAM" value={`${pct(r.smActive)}·${pct(r.tensorActive)}·${pct(r.dramActive)}`}>
          <Sparkline
            label="SM, tensor and DRAM activity"
            min={0}
            max={1}
            series={[
              { values: v?.smActive ?? [], color: COLORS.sm },
              { values: v?.tensorActive ?? [], color: COLORS.tensor },
              { values: v?.dramActive ?? [], color: COLORS.dram },
            ]}
          />
        </Metric>
        <Metric label="Power" value={watts(r.powerWatts)}>
          <Sparkline label="power" min={0} max={typeof r.powerLimitWatts === 'number' ? r.powerLimitWatts : DEFAULT_POWER_SCALE_W} series={[{ values: v?.powerWatts ?? [], color: COLORS.power }]} />
        </Metric>
        <Metric label="Temp" value={celsius(r.gpuTempC)}>
          <Sparkline label="temperature" min={20} max={110} series={[{ values: v?.gpuTempC ?? [], color: COLORS.temp }]} />
        </Metric>
        <Metric label="Memory" value={total ? `${gibNumber(r.fbUsedBytes)} / ${approxTotal}${gib(total)}` : gib(r.fbUsedBytes)}>
          <Sparkline label="memory used" min={0} max={total ?? undefined} series={[{ values: v?.fbUsedBytes ?? [], color: COLORS.mem }]} />
        </Metric>
      </div>
    </article>
  );
}

/** One row of the card: label, value, sparkline. The value column is as wide as its widest value. */
function Metric({ label, value, children }: { label: string; value: string; children: React.ReactNode }) {
  return (
    <div className="metric">
      <span className="metric-label">{label}</span>
      <span className="metric-value">{value}</span>
      {children}
    </div>
  );
}

export const GpuCard = memo(GpuCardView);
