// Placeholder: the inspector lands with issue 6.
import type { PulseApi } from '../../../shared/api';

export function InspectorView(_props: { api: PulseApi; inspectionId: string | null }) {
  return <div className="empty" data-testid="inspector">Drop a .prom file here</div>;
}
