// How a recording writes parsed families as OpenMetrics 1.0 text with sample timestamps. This
// is hand-written rather than prom-client because prom-client renders live metric objects
// only: it cannot write recorded values, timestamps, or families it does not own.
//
// What a scrape becomes so the file stays valid OpenMetrics (and passes
// `promtool tsdb create-blocks-from openmetrics`):
// - timestamps are seconds with exactly three decimals, so milliseconds survive the round trip;
// - counters keep their type only when their samples are named as OpenMetrics requires
//   (`<family>_total`, `_created`); dcgm-exporter's counters have no `_total` (DCGM.md §1), so
//   they are written as `unknown` under their own name, never renamed. GPU Pulse decides
//   semantics by metric name anyway, never by TYPE;
// - 0.0.4 `untyped` is OpenMetrics `unknown`;
// - each sample gets the `gpu_pulse_source` label naming the scrape target, so frames of
//   different targets stay apart on replay (the reader takes it off again).
import type { Family, Labels, MetricType, Sample } from '../exposition/types';

export const SOURCE_LABEL = 'gpu_pulse_source';

const OM_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);
const REAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One family as it will appear in the recording: OpenMetrics name, type and metadata. */
export interface RecordedFamily {
  name: string;
  type: MetricType;
  help: string | null;
  unit: string | null;
  samples: Sample[];
}

function allNamed(samples: Sample[], names: string[]): boolean {
  return samples.every((s) => names.includes(s.name));
}

/**
 * The OpenMetrics families a parsed family becomes. Usually one; a family whose samples do not
 * fit any OpenMetrics naming is split into one `unknown` family per sample name.
 */
export function toRecordedFamilies(family: Family): RecordedFamily[] {
  const { name, samples } = family;
  const meta = { help: family.help, unit: family.unit };
  const keep = (recordedName: string, type: MetricType): RecordedFamily[] => [
    { name: recordedName, type, help: meta.help, unit: meta.unit && recordedName.endsWith(`_${meta.unit}`) ? meta.unit : null, samples },
  ];
  switch (family.type) {
    case 'counter':
      if (allNamed(samples, [`${name}_total`, `${name}_created`])) return keep(name, 'counter');
      if (name.endsWith('_total') && allNamed(samples, [name])) return keep(name.slice(0, -'_total'.length), 'counter');
      break;
    case 'gauge':
    case 'untyped':
    case 'unknown':
      if (allNamed(samples, [name])) return keep(name, family.type === 'gauge' ? 'gauge' : 'unknown');
      break;
    case 'info':
      if (allNamed(samples, [`${name}_info`])) return keep(name, 'info');
      break;
    case 'stateset':
      if (allNamed(samples, [name])) return keep(name, 'stateset');
      break;
    case 'histogram':
      if (allNamed(samples, [`${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`])) return keep(name, 'histogram');
      break;
    case 'gaugehistogram':
      if (allNamed(samples, [`${name}_bucket`, `${name}_gsum`, `${name}_gcount`])) return keep(name, 'gaugehistogram');
      break;
    case 'summary':
      if (allNamed(samples, [name, `${name}_sum`, `${name}_count`, `${name}_created`])) return keep(name, 'summary');
      break;
  }
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  return [...byName].map(([sampleName, list]) => ({ name: sampleName, type: 'unknown' as MetricType, help: meta.help, unit: null, samples: list }));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Quoted (UTF-8) names where the legacy grammar does not fit, as Prometheus 3 accepts them. */
function metricName(name: string): string {
  return LEGACY_NAME.test(name) ? name : `"${escapeLabelValue(name)}"`;
}

function labelName(name: string): string {
  return LABEL_NAME.test(name) ? name : `"${escapeLabelValue(name)}"`;
}

/** `{a="1",b="2"}` (empty string for no labels). */
export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${labelName(k)}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export function formatValue(sample: Pick<Sample, 'value' | 'valueText'>): string {
  if (Number.isNaN(sample.value)) return 'NaN';
  if (sample.value === Infinity) return '+Inf';
  if (sample.value === -Infinity) return '-Inf';
  // The source text keeps uint64 counters exact; anything Go-only (hex, `Inf` spellings) is re-rendered.
  return REAL_NUMBER.test(sample.valueText) ? sample.valueText : String(sample.value);
}

/** Seconds with three decimals: exact milliseconds, no float rounding on the way back. */
export function formatTimestamp(ms: number): string {
  const t = Math.round(ms);
  const sign = t < 0 ? '-' : '';
  const abs = Math.abs(t);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** The `# TYPE`, `# UNIT` and `# HELP` lines of a family. */
export function familyHeader(family: Pick<RecordedFamily, 'name' | 'type' | 'help' | 'unit'>): string {
  const name = metricName(family.name);
  const type = OM_TYPES.has(family.type) ? family.type : 'unknown';
  let text = `# TYPE ${name} ${type}\n`;
  if (family.unit) text += `# UNIT ${name} ${family.unit}\n`;
  if (family.help !== null && family.help !== '') text += `# HELP ${name} ${escapeHelp(family.help)}\n`;
  return text;
}

/**
 * The identity of the Metric a sample belongs to within its family: its labels without the
 * per-bucket/quantile label. OpenMetrics wants all points of one Metric together, each point's
 * lines (all buckets, `_sum`, `_count` of one timestamp) together and in time order.
 */
export function metricKey(labels: Labels): string {
  const { le: _le, quantile: _q, ...rest } = labels;
  return formatLabels(rest);
}

export function sampleLine(sample: Pick<Sample, 'name' | 'labels' | 'value' | 'valueText'>, timestampMs: number): string {
  const labels = formatLabels(sample.labels);
  // A quoted name goes inside the braces: {"my.metric",a="1"}.
  const series = LEGACY_NAME.test(sample.name) ? `${sample.name}${labels}` : `{${metricName(sample.name)}${labels === '' ? '' : `,${labels.slice(1, -1)}`}}`;
  return `${series} ${formatValue(sample)} ${formatTimestamp(timestampMs)}\n`;
}
