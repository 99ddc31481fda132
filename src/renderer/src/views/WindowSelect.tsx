import { HISTORY_WINDOWS } from './live-history';

/** The history window both views offer: how far back the charts reach. */
export function WindowSelect({ windowMs, onChange }: { windowMs: number; onChange: (ms: number) => void }) {
  return (
    <label className="focus-control">
      Window{' '}
      <select aria-label="History window" value={windowMs} onChange={(e) => onChange(Number(e.target.value))}>
        {HISTORY_WINDOWS.map((w) => (
          <option key={w.ms} value={w.ms}>
            {w.label}
          </option>
        ))}
      </select>
    </label>
  );
}
