// Which held-idle GPUs deserve a desktop notification: one that has been held idle longer than
// the set time, once per idle stretch (a GPU that gets busy and idles again is a new stretch).
// Pure, so the rule is tested without Electron.
import type { HeldIdleGpu } from '../../../shared/waste';

export interface HeldIdleAlert {
  key: string;
  title: string;
  body: string;
}

export class HeldIdleAlertTracker {
  /** GPU key -> the idleSince of the stretch already notified. */
  private readonly notified = new Map<string, number>();

  update(held: readonly HeldIdleGpu[], afterMs: number): HeldIdleAlert[] {
    const alerts: HeldIdleAlert[] = [];
    const current = new Set<string>();
    for (const gpu of held) {
      current.add(gpu.key);
      if (gpu.idleSeconds * 1000 < afterMs || this.notified.get(gpu.key) === gpu.idleSince) continue;
      this.notified.set(gpu.key, gpu.idleSince);
      const name = `${gpu.node} / GPU ${gpu.gpuIndex ?? '?'}${gpu.migInstanceId ? ` / GI ${gpu.migInstanceId}` : ''}`;
      const owner = [gpu.namespace, gpu.pod].filter(Boolean).join('/');
      alerts.push({ key: gpu.key, title: `${name} held idle for ${Math.floor(gpu.idleSeconds / 60)} min`, body: `${owner} holds it with real utilization below 5 %` });
    }
    for (const key of this.notified.keys()) if (!current.has(key)) this.notified.delete(key);
    return alerts;
  }
}
