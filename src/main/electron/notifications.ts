// Desktop notifications for GPUs turning CRIT or HOT or showing a new XID; muted in settings.
import { Notification } from 'electron';
import type { PulseBackend } from '../../shared/api';
import { GpuAlertTracker } from '../core/gpu-alerts';
import { HeldIdleAlertTracker } from '../core/accounting/held-idle-alerts';

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

const HELD_IDLE_CHECK_MS = 30_000;

/** A notification when a GPU has been held idle longer than the set time (see HeldIdleAlertTracker). */
export function notifyHeldIdle(service: PulseBackend, settings: () => { enabled: boolean; afterMinutes: number }, onClick: (gpuKey: string) => void): () => void {
  const tracker = new HeldIdleAlertTracker();
  const check = async () => {
    const { enabled, afterMinutes } = settings();
    if (!enabled || afterMinutes <= 0 || !Notification.isSupported()) return;
    const alerts = tracker.update(await service.getHeldIdleGpus(), afterMinutes * 60_000);
    if (alerts.length > 3) {
      new Notification({ title: `GPU Pulse: ${alerts.length} GPUs held idle`, body: alerts.map((a) => a.title).slice(0, 5).join('\n') }).show();
      return;
    }
    for (const alert of alerts) {
      const n = new Notification({ title: alert.title, body: alert.body });
      n.on('click', () => onClick(alert.key));
      n.show();
    }
  };
  const timer = setInterval(() => void check().catch(() => undefined), HELD_IDLE_CHECK_MS);
  return () => clearInterval(timer);
}
