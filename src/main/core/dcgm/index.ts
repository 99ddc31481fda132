// DCGM semantics: the alias table, identity and translation to canonical GPU readings, and the
// per-source pipeline the app's service calls.
export {
  createDcgmPipeline,
  EVENT_VISIBLE_MS,
  FORGET_ENTITY_AFTER_MS,
  type DcgmPipeline,
  type DcgmPipelineOptions,
  type IngestContext,
  type IngestResult,
} from './pipeline';
export { METRIC_ALIASES, isDcgmMetricName, type MetricAlias, type NameGeneration } from './aliases';
export { LABEL_ALIASES } from './labels';
export { translateFamilies, type GpuEntity, type TranslateResult } from './translate';
export { explainNoGpus, type NoGpuInput } from './no-gpus';
