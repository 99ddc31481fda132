// The one entry point a source's service calls per scrape: translate, then compute, keeping
// per-entity counter state between calls (rates, resets, XID and remap changes).
import { CANONICAL_FIELDS, type Readings } from '../../../shared/canonical';
import { gpuKey, type GpuSnapshot, type NodeExtra } from '../../../shared/gpu';
import {
  DEFAULT_WEIGHTS,
  RATE_RULES,
  assessHealth,
  classify,
  deriveReadings,
  realUtilization,
  retiredPagesTotal,
  stepCounter,
  type CounterTrack,
  type RateRule,
  type Weights,
  type XidObservation,
} from '../compute';
import type { Family, Problem } from '../exposition/types';
import type { TranslatedField } from './aliases';
import { acceptedValue, rangeFor, type ValueRange } from './ranges';
import { FIELD_INDEX, attributionOf, collectSeries, migInstanceOf, nodeOf, readingsOf, valueOf, type GpuSeries } from './translate';

export interface DcgmPipelineOptions {
  /** Real-utilization weights; the ai preset by default. */
  weights?: Weights;
}

export interface IngestContext {
  /** Id of the target or file the families came from. */
  sourceId: string;
  /** Node name when the series carry no hostname label: usually the scrape target. */
  fallbackNode: string;
  /** Unix ms of the scrape. */
  observedAt: number;
}

export interface IngestResult {
  gpus: GpuSnapshot[];
  extras: NodeExtra[];
  problems: Problem[];
}

export interface DcgmPipeline {
  ingest(families: Family[], ctx: IngestContext): IngestResult;
}

/** A new XID, rising correctable rows or a new memory error stays a reason this long, so a glance later sees it. */
export const EVENT_VISIBLE_MS = 15 * 60_000;
/** State of an entity not seen for this long is dropped: memory is bounded by the fleet. */
export const FORGET_ENTITY_AFTER_MS = 60 * 60_000;

interface EntityState {
  /** Per rate rule (RATE_RULES order): the counter's track. */
  counters: (CounterTrack | undefined)[];
  lastSeen: number;
  xid: number | undefined;
  xidChangedAt: number | undefined;
  correctableRows: RiseTrack;
  doubleBitVolatile: RiseTrack;
  doubleBitAggregate: RiseTrack;
  retiredPages: RiseTrack;
}

/** A count watched for increases: its last value and when it last went up. */
interface RiseTrack {
  last: number | undefined;
  roseAt: number | undefined;
}

const newTrack = (): RiseTrack => ({ last: undefined, roseAt: undefined });

/** A rate rule with its counter's field position and its rate's range, resolved at load. */
interface ResolvedRateRule {
  rule: RateRule;
  /** Position of the counter in GpuSeries.values, or undefined if translate never sets it. */
  counter: number | undefined;
  range: ValueRange;
}

const RESOLVED_RATE_RULES: readonly ResolvedRateRule[] = RATE_RULES.map((rule) => ({
  rule,
  counter: FIELD_INDEX.get(rule.counter as TranslatedField),
  range: rangeFor(CANONICAL_FIELDS[rule.rate].unit),
}));

export function createDcgmPipeline(opts: DcgmPipelineOptions = {}): DcgmPipeline {
  const weights = opts.weights ?? DEFAULT_WEIGHTS;
  const states = new Map<string, EntityState>();

  return {
    ingest(families, ctx) {
      // Translate's problems array is this scrape's own: rate problems are added to it.
      const { series, extras, problems } = collectSeries(families, ctx.fallbackNode);
      const gpus: GpuSnapshot[] = [];
      for (const gpu of series) {
        const node = nodeOf(gpu, ctx.fallbackNode);
        const key = gpuKey(node, gpu.uuid, gpu.migId);
        let state = states.get(key);
        if (!state) {
          state = {
            counters: [],
            lastSeen: ctx.observedAt,
            xid: undefined,
            xidChangedAt: undefined,
            correctableRows: newTrack(),
            doubleBitVolatile: newTrack(),
            doubleBitAggregate: newTrack(),
            retiredPages: newTrack(),
          };
          states.set(key, state);
        }
        state.lastSeen = ctx.observedAt;
        gpus.push(snapshotOf(gpu, node, key, state, ctx, weights, problems));
      }
      for (const [key, state] of states) {
        if (ctx.observedAt - state.lastSeen > FORGET_ENTITY_AFTER_MS) states.delete(key);
      }
      return { gpus, extras, problems };
    },
  };
}

function snapshotOf(
  gpu: GpuSeries,
  node: string,
  key: string,
  state: EntityState,
  ctx: IngestContext,
  weights: Weights,
  problems: Problem[],
): GpuSnapshot {
  const readings = readingsOf(gpu);
  const marks = deriveReadings(readings);
  deriveRates(gpu, node, readings, state, ctx.observedAt, problems);

  const now = ctx.observedAt;
  const xid = observeXid(readings, state, now);
  const correctableRowsRose = observeRise(readings.remappedRowsCorrectable, state.correctableRows, now);
  // Both DBE counts are watched: the volatile one resets with the driver, the aggregate one is
  // not served everywhere.
  const volatileRose = observeRise(readings.eccDbeVolatileTotal, state.doubleBitVolatile, now);
  const aggregateRose = observeRise(readings.eccDbeAggregateTotal, state.doubleBitAggregate, now);
  const memoryEvents = { doubleBitRose: volatileRose || aggregateRose, retiredPagesRose: observeRise(retiredPagesTotal(readings), state.retiredPages, now) };
  const realUtil = realUtilization(readings, weights);
  const snapshot: GpuSnapshot = {
    key,
    node,
    uuid: gpu.uuid,
    gpuIndex: gpu.gpuIndex,
    migInstance: migInstanceOf(gpu),
    model: gpu.model,
    sourceId: ctx.sourceId,
    realUtil: realUtil.value,
    realUtilMissing: realUtil.missing,
    class: classify(readings, weights),
    health: assessHealth({ readings, model: gpu.model, xid, correctableRowsRose, memoryEvents }),
    attribution: attributionOf(gpu),
    readings,
    observedAt: ctx.observedAt,
  };
  if (gpu.migId !== null) snapshot.parentKey = gpuKey(node, gpu.uuid, null);
  if (gpu.hasRaw) snapshot.raw = gpu.raw;
  if (marks.substitutes) snapshot.substitutes = marks.substitutes;
  if (marks.approximate) snapshot.approximate = marks.approximate;
  return snapshot;
}

function deriveRates(gpu: GpuSeries, node: string, readings: Readings, state: EntityState, now: number, problems: Problem[]): void {
  for (let i = 0; i < RESOLVED_RATE_RULES.length; i++) {
    const { rule, counter, range } = RESOLVED_RATE_RULES[i];
    const value = counter === undefined ? undefined : valueOf(gpu, counter);
    if (value === undefined) continue;
    const track = state.counters[i];
    let perSecond: number | null = null;
    if (track === undefined) state.counters[i] = { value, at: now, lastRate: null }; // first sight: no rate yet
    else perSecond = stepCounter(track, value, now);
    if (perSecond === null) {
      readings[rule.rate] = null;
      continue;
    }
    const rate = perSecond * rule.perSecondScale;
    const accepted = acceptedValue(range, rate);
    if (accepted !== undefined) {
      readings[rule.rate] = accepted;
    } else {
      readings[rule.rate] = null;
      problems.push({
        line: 0,
        column: 0,
        code: 'out-of-range',
        message: `${CANONICAL_FIELDS[rule.rate].label} of ${rate} derived for ${gpu.uuid} on ${node} is not ${range.describe}; ignored (is the counter's unit right?)`,
        severity: 'warning',
      });
    }
  }
}

function observeXid(readings: Readings, state: EntityState, now: number): XidObservation | null {
  const code = readings.xidLast;
  if (typeof code !== 'number') return null;
  if (state.xid !== undefined && code !== state.xid) state.xidChangedAt = now;
  state.xid = code;
  if (code === 0) return null;
  const isNew = state.xidChangedAt !== undefined && now - state.xidChangedAt <= EVENT_VISIBLE_MS;
  return { code, isNew };
}

/**
 * Whether a count went up within EVENT_VISIBLE_MS. The first sight is the baseline, not a
 * rise; a drop (driver reload) is a new baseline.
 */
function observeRise(value: number | null | undefined, track: RiseTrack, now: number): boolean {
  if (typeof value !== 'number') return false;
  if (track.last !== undefined && value > track.last) track.roseAt = now;
  track.last = value;
  return track.roseAt !== undefined && now - track.roseAt <= EVENT_VISIBLE_MS;
}
