// Placeholder: the GPU focus view lands with issue 6.
import type { PulseApi } from '../../../shared/api';
import type { FleetStore } from '../state/fleet-store';

export function GpuFocusView(props: { api: PulseApi; store: FleetStore; gpuKey: string }) {
  return <div className="empty" data-testid="gpu-focus">GPU {props.gpuKey}</div>;
}
