import { LabeledSelect } from '../components/LabeledSelect';
import { HISTORY_WINDOWS } from './live-history';

const WINDOW_OPTIONS = HISTORY_WINDOWS.map((w) => ({ value: w.ms, label: w.label }));

/** The history window both views offer: how far back the charts reach. */
export function WindowSelect({ windowMs, onChange }: { windowMs: number; onChange: (ms: number) => void }) {
  return <LabeledSelect label="Window" labelClassName="focus-control" aria-label="History window" value={windowMs} options={WINDOW_OPTIONS} onChange={onChange} />;
}
