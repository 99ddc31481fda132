// Fleet waste and accounting (issue 19): who held which GPUs over a window, how much they used
// them, what the idle ones cost. Pure and Electron-free; the readers feed it samples.
export { Accountant, intervalState, MAX_GAP_MS, type AccountingOptions, type IntervalState } from './accountant';
export { ownerOf, OWNER_SEPARATOR } from './owner';
export { samplesFromFamilies, type GpuSample } from './from-families';
export type { AccountedGpu, AccountingSample } from './types';
export { feedRecordings } from './recording-reader';
export { feedFromPrometheus, PrometheusReportError, type PrometheusReportConfig, type PrometheusFeedResult } from './prometheus-reader';
export { reportFromRecordings, reportFromPrometheus, type ReportRequest } from './report';
export { parseReportTime, reportWindow } from './window';
export { formatReportTable } from './table';
export { WasteLedger, type LedgerOptions } from './live-ledger';
export { WasteReports, type WasteReportsDeps } from './waste-reports';
export { reportRequestFromQuery } from './report-query';
export { HeldIdleAlertTracker, type HeldIdleAlert } from './held-idle-alerts';
