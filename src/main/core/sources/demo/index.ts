// Built-in demo fleet: a simulated NVIDIA dcgm-exporter (see DCGM.md §1-3).
export {
  startDemoExporter,
  startDemoFleet,
  type DemoExporterOptions,
  type DemoExporterHandle,
  type DemoFleetOptions,
  type DemoFleetHandle,
} from './server';
export { renderDemoMetrics } from './render';
export {
  createDemoSimulation,
  DEFAULT_COLLECT_INTERVAL_MS,
  DEFAULT_DEMO_HOSTNAME,
  DEFAULT_DEMO_SEED,
  DEFAULT_DRIVER_VERSION,
  MAX_DEMO_GPUS,
  type DemoGpu,
  type DemoSimulation,
  type DemoSimulationOptions,
} from './simulation';
export { DEMO_FIELDS, type DemoField } from './fields';
export { DEFAULT_MODEL, modelSpec, type DemoModelSpec } from './models';
export { WORKLOAD_KINDS, type WorkloadKind } from './workloads';
