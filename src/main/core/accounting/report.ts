// One report from one source: recordings, a Prometheus server, or (through the service) the
// live history. Every source feeds the same Accountant.
import type { ReportGroupBy, WasteReport } from '../../../shared/waste';
import type { Weights } from '../compute';
import { Accountant } from './accountant';
import { feedFromPrometheus, type PrometheusFeedResult, type PrometheusReportConfig } from './prometheus-reader';
import { feedRecordings } from './recording-reader';

export interface ReportRequest {
  by: ReportGroupBy;
  idleBelow?: number;
  pricePerGpuHour?: number | null;
  /** Unix ms; null for everything the source holds (recordings only). */
  window: { startMs: number; endMs: number } | null;
  weights?: Weights;
}

export async function reportFromRecordings(paths: string[], req: ReportRequest): Promise<WasteReport> {
  const accountant = new Accountant({ by: req.by, idleBelow: req.idleBelow, pricePerGpuHour: req.pricePerGpuHour, ...req.window });
  await feedRecordings(paths, accountant, req.weights);
  return accountant.finish();
}

export async function reportFromPrometheus(
  cfg: PrometheusReportConfig,
  req: ReportRequest & { window: { startMs: number; endMs: number } },
): Promise<{ report: WasteReport; fetch: PrometheusFeedResult }> {
  const accountant = new Accountant({ by: req.by, idleBelow: req.idleBelow, pricePerGpuHour: req.pricePerGpuHour, ...req.window });
  const fetch = await feedFromPrometheus(cfg, req.window, accountant, req.weights);
  return { report: accountant.finish(), fetch };
}
