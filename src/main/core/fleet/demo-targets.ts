// The built-in demo fleet as targets: simulated exporters on loopback, scraped like real nodes,
// standing in while nothing else is configured (or always, when asked).
import { makeTargetConfig } from './target-input';
import type { TargetRegistry } from './target-registry';

export const DEMO_INTERVAL_MS = 2_000;

/** A running demo fleet (sources/demo's startDemoFleet, or a test's stand-in). */
export interface DemoFleetHandle {
  exporters: Array<{ url: string; hostname: string }>;
  close(): Promise<void>;
}

export class DemoTargets {
  private fleet: DemoFleetHandle | null = null;

  constructor(
    private readonly targets: TargetRegistry,
    private readonly startFleet: (() => Promise<DemoFleetHandle>) | undefined,
  ) {}

  get running(): boolean {
    return this.fleet !== null;
  }

  async start(): Promise<void> {
    if (!this.startFleet || this.fleet) return;
    this.fleet = await this.startFleet();
    for (const exporter of this.fleet.exporters) {
      const config = makeTargetConfig({ url: exporter.url, name: exporter.hostname, intervalMs: DEMO_INTERVAL_MS, id: `demo-${exporter.hostname}` });
      this.targets.add(config, { persisted: false, demo: true });
    }
  }

  async stop(): Promise<void> {
    if (!this.fleet) return;
    for (const runtime of this.targets.all()) if (runtime.demo) this.targets.remove(runtime);
    const fleet = this.fleet;
    this.fleet = null;
    await fleet.close();
  }
}
