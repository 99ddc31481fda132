// The focus view's metric table, grouped as the issue lists them. The table is built from
// CANONICAL_FIELDS and the GPU's readings, so it shows exactly what the exporter provides: a
// group with no reading present is left out, and a canonical field added later that no group
// names lands in "Other" instead of disappearing.
import { CANONICAL_FIELD_NAMES } from '../../../../shared/canonical';
import { grReading, type GpuSnapshot } from '../../../../shared/gpu';
import { readingOf, type ViewField } from '../field-format';

export interface MetricGroup {
  title: string;
  fields: ViewField[];
}

export const METRIC_GROUPS: readonly MetricGroup[] = [
  { title: 'Utilization', fields: ['realUtil', 'gpuUtil', 'grEngineActive', 'memCopyUtil', 'encUtil', 'decUtil'] },
  { title: 'SM', fields: ['smActive', 'smOccupancy'] },
  { title: 'Pipes', fields: ['tensorActive', 'fp64Active', 'fp32Active', 'fp16Active'] },
  { title: 'Tensor-core detail', fields: ['tensorHmmaActive', 'tensorImmaActive', 'tensorDfmaActive', 'tensorDmmaActive', 'tensorQmmaActive'] },
  { title: 'Memory', fields: ['dramActive', 'fbUsedBytes', 'fbFreeBytes', 'fbReservedBytes', 'fbTotalBytes', 'memClockHz'] },
  { title: 'Interconnect', fields: ['pcieTxBytesPerSec', 'pcieRxBytesPerSec', 'nvlinkTxBytesPerSec', 'nvlinkRxBytesPerSec', 'nvlinkTotalBytesPerSec', 'pcieReplayPerSec', 'pcieReplayTotal'] },
  { title: 'Power', fields: ['powerWatts', 'powerLimitWatts', 'avgPowerWatts', 'energyJoules', 'powerThrottleRatio'] },
  { title: 'Thermal and clocks', fields: ['gpuTempC', 'memTempC', 'thermalThrottleRatio', 'smClockHz', 'clockEventReasons'] },
  {
    title: 'Errors',
    fields: [
      'xidLast',
      'remappedRowsUncorrectable',
      'remappedRowsCorrectable',
      'rowRemapFailure',
      'eccDbeVolatileTotal',
      'eccDbeAggregateTotal',
      'eccSbeVolatileTotal',
      'eccSbeAggregateTotal',
      'retiredPagesPending',
      'retiredPagesDbe',
      'retiredPagesSbe',
    ],
  },
];

const GROUPED = new Set<string>(METRIC_GROUPS.flatMap((g) => g.fields));

/** What a row shows: the reading, or for GR the reading standing in for it (marked by the row). */
export function shownValue(gpu: GpuSnapshot, field: ViewField): number | null {
  return field === 'grEngineActive' ? grReading(gpu).value : readingOf(gpu, field);
}

/** The groups with only the fields this GPU has a value for, and "Other" for ungrouped ones. */
export function presentGroups(gpu: GpuSnapshot): MetricGroup[] {
  const other: MetricGroup = { title: 'Other', fields: CANONICAL_FIELD_NAMES.filter((f) => !GROUPED.has(f)) };
  return [...METRIC_GROUPS, other]
    .map((group) => ({ title: group.title, fields: group.fields.filter((f) => shownValue(gpu, f) !== null) }))
    .filter((group) => group.fields.length > 0);
}
