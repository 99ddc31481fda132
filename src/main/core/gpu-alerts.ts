// Which GPU changes deserve a desktop notification: a GPU turning CRIT or HOT, or showing an
// XID it did not have before. Pure, so the rule is tested without Electron.
import type { GpuSnapshot } from '../../shared/gpu';

export interface GpuAlert {
  key: string;
  title: string;
  body: string;
}

const ALERT_STATES = new Set(['CRIT', 'HOT']);

export class GpuAlertTracker {
  private readonly last = new Map<string, { state: string; xid: number | null }>();

  /** Alerts for the snapshots of one tick; the first sight of a GPU never alerts. */
  update(gpus: GpuSnapshot[]): GpuAlert[] {
    const alerts: GpuAlert[] = [];
    for (const gpu of gpus) {
      const xid = typeof gpu.readings.xidLast === 'number' && gpu.readings.xidLast > 0 ? gpu.readings.xidLast : null;
      const before = this.last.get(gpu.key);
      this.last.set(gpu.key, { state: gpu.health.state, xid });
      if (!before) continue;
      const name = `${gpu.node} / GPU ${gpu.gpuIndex ?? '?'}${gpu.migInstance ? ` / GI ${gpu.migInstance.id}` : ''}`;
      if (ALERT_STATES.has(gpu.health.state) && before.state !== gpu.health.state) {
        const reason = gpu.health.reasons.find((r) => r.state === gpu.health.state) ?? gpu.health.reasons[0];
        alerts.push({ key: gpu.key, title: `${name} is ${gpu.health.state}`, body: reason?.message ?? gpu.health.state });
      }
      if (xid !== null && xid !== before.xid) {
        const reason = gpu.health.reasons.find((r) => r.code.toLowerCase().includes('xid'));
        alerts.push({ key: gpu.key, title: `${name}: XID ${xid}`, body: reason?.message ?? `new XID error ${xid}` });
      }
    }
    return alerts;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
