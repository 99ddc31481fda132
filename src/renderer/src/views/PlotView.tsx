// Placeholder: the plot view lands with issue 6.
import type { HistoryField, PulseApi } from '../../../shared/api';
import type { FleetStore } from '../state/fleet-store';

export function PlotView(_props: { api: PulseApi; store: FleetStore; field: HistoryField; keys: string[] }) {
  return <div className="empty">Plot</div>;
}
