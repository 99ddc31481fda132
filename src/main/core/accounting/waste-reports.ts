// The service's waste reports: the window and source a request asks for, resolved here so the
// service facade only delegates. The live history covers the last 24 h; any other range needs
// a Prometheus source, read through its own credentials.
import type { HeldIdleGpu, WasteReport, WasteReportRequest } from '../../../shared/waste';
import { scrapeRequestFor } from '../fleet/scrape-request';
import type { SecretStore } from '../fleet/secrets';
import type { TargetConfig } from '../fleet/target-config';
import type { WasteLedger } from './live-ledger';
import type { PrometheusReportConfig } from './prometheus-reader';
import { reportFromPrometheus } from './report';

const LIVE_WINDOW_MS = 3_600_000;
const LIVE_HISTORY_MS = 86_400_000;
const PROMETHEUS_DEFAULT_MS = 86_400_000;

export interface WasteReportsDeps {
  ledger: WasteLedger;
  /** The configuration of a target by id (Prometheus sources are read with it). */
  target(id: string): TargetConfig | undefined;
  secrets: SecretStore;
  now(): number;
}

export class WasteReports {
  constructor(private readonly deps: WasteReportsDeps) {}

  async report(req: WasteReportRequest): Promise<WasteReport> {
    const now = this.deps.now();
    const by = req.by ?? 'namespace';
    const common = { by, idleBelow: req.idleBelow, pricePerGpuHour: req.pricePerGpuHour ?? null };
    if (req.prometheusTargetId !== undefined) {
      const window = req.startMs !== undefined ? { startMs: req.startMs, endMs: req.endMs! } : { startMs: now - (req.sinceMs ?? PROMETHEUS_DEFAULT_MS), endMs: now };
      const config = await this.prometheusConfig(req.prometheusTargetId);
      return (await reportFromPrometheus(config, { ...common, window })).report;
    }
    const startMs = req.startMs ?? now - (req.sinceMs ?? LIVE_WINDOW_MS);
    const endMs = req.endMs ?? now;
    if (startMs < now - LIVE_HISTORY_MS - 60_000) {
      throw new Error('the live history covers the last 24 hours; for an older range, read a Prometheus source (prometheusTargetId)');
    }
    return this.deps.ledger.report({ ...common, startMs, endMs });
  }

  async heldIdle(): Promise<HeldIdleGpu[]> {
    return this.deps.ledger.heldIdle(this.deps.now());
  }

  private async prometheusConfig(id: string): Promise<PrometheusReportConfig> {
    const config = this.deps.target(id);
    if (!config || config.kind !== 'prometheus') throw new Error(`no Prometheus source with id ${id}`);
    const request = await scrapeRequestFor(config, this.deps.secrets);
    return { baseUrl: config.url, selector: config.selector, tls: config.tls, headers: config.headers, auth: request.auth };
  }
}
