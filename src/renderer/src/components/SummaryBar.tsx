import type { FleetSummary } from '../state/fleet-filter';
import { percentValue } from './format';

export function SummaryBar({ summary }: { summary: FleetSummary }) {
  const kw = summary.totalPowerWatts / 1000;
  return (
    <div className="summary-bar" data-testid="summary-bar" role="status" aria-label="Fleet summary">
      <Stat label="GPUs" value={String(summary.gpus)} testId="summary-gpus" />
      <Stat label="Active" value={String(summary.active)} testId="summary-active" />
      <Stat label="Avg real util" value={percentValue(summary.avgRealUtil)} testId="summary-util" />
      <Stat label="Power" value={kw >= 10 ? `${kw.toFixed(1)} kW` : `${Math.round(summary.totalPowerWatts)} W`} testId="summary-power" />
      <Stat label="Health" value={`${summary.health.OK} OK · ${summary.health.WARN} WARN · ${summary.health.HOT} HOT · ${summary.health.CRIT} CRIT`} testId="summary-health" />
      <Stat label="Targets down" value={String(summary.targetsDown)} testId="summary-down" alert={summary.targetsDown > 0} />
    </div>
  );
}

function Stat({ label, value, testId, alert }: { label: string; value: string; testId: string; alert?: boolean }) {
  return (
    <div className={`stat${alert ? ' alert' : ''}`}>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}
