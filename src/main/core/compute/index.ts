// Compute is pure (DESIGN.md §3): rates, real utilization, class and health from canonical
// readings. Nothing here knows an exporter name.
export { PRESETS, DEFAULT_WEIGHTS, parseWeights, isPresetName, type Weights, type PresetName } from './weights';
export { realUtilization, scoreOf } from './realutil';
export { classify } from './classify';
export { deriveReadings, type DerivedMarks } from './derive';
export { clockEventHealthReasons, memoryErrorReasons, retiredPagesTotal, DRAIN_AND_RESET, type MemoryErrorEvents } from './health-signals';
export { assessHealth, HEALTH_STATE_ORDER, type HealthInput, type XidObservation } from './health';
export { describeXid, XID_CATALOG, type XidInfo, type XidSeverity } from './xid';
export { temperaturesFor, DEFAULT_TEMPERATURES, type ModelTemperatures } from './model-temps';
export {
  advanceCounter,
  stepCounter,
  RATE_RULES,
  COUNTER_STOPPED_AFTER_MS,
  type CounterTrack,
  type CounterStep,
  type RateRule,
} from './rates';
