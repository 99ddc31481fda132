import type { InspectionInfo, InspectionPhase } from '../../../shared/api';

const PHASES: Record<InspectionPhase, string> = {
  uploading: 'Uploading',
  reading: 'Reading',
  parsing: 'Parsing',
  indexing: 'Indexing series',
  computing: 'Computing GPU readings',
};

export function phaseLabel(info: Pick<InspectionInfo, 'phase'>): string {
  return info.phase ? PHASES[info.phase] : 'Parsing';
}

export function ProgressBar({ info, compact = false }: { info: InspectionInfo; compact?: boolean }) {
  const percent = Math.round(info.progress * 100);
  const label = `${phaseLabel(info)} ${info.name}`;
  return (
    <div className={`inspector-progress${compact ? ' compact' : ''}`}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${phaseLabel(info)}: ${percent}%`}
        data-testid="inspect-progress"
        className="inspector-progress-track"
      >
        <div className="inspector-progress-fill" style={{ width: `${percent}%` }} />
      </div>
      {compact ? null : (
        <span className="inspector-progress-label">
          {phaseLabel(info)}… {percent}%
        </span>
      )}
    </div>
  );
}
