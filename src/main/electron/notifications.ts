// Desktop notifications for GPUs turning CRIT or HOT or showing a new XID; muted in settings.
import { Notification } from 'electron';
import type { PulseBackend } from '../../shared/api';
import { GpuAlertTracker } from '../core/gpu-alerts';

export function notifyGpuAlerts(service: PulseBackend, isEnabled: () => boolean, onClick: (gpuKey: string) => void): () => void {
  const tracker = new GpuAlertTracker();
  return service.onTick((tick) => {
    for (const key of tick.removedGpus) tracker.forget(key);
    const alerts = tracker.update(tick.gpus);
    if (!isEnabled() || !Notification.isSupported()) return;
    // A burst (e.g. a whole node overheating) becomes one notification, not dozens.
    if (alerts.length > 3) {
      new Notification({ title: `GPU Pulse: ${alerts.length} GPU alerts`, body: alerts.map((a) => a.title).slice(0, 5).join('\n') }).show();
      return;
    }
    for (const alert of alerts) {
      const n = new Notification({ title: alert.title, body: alert.body });
      n.on('click', () => onClick(alert.key));
      n.show();
    }
  });
}
