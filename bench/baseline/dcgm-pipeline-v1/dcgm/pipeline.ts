// The one entry point a source's service calls per scrape: translate, then compute, keeping
// per-entity counter state between calls (rates, resets, XID and remap changes).
import { CANONICAL_FIELDS, type CanonicalField, type Readings } from '../../../../src/shared/canonical';
import { gpuKey, type GpuSnapshot, type NodeExtra } from '../../../../src/shared/gpu';
import {
  DEFAULT_WEIGHTS,
  RATE_RULES,
  advanceCounter,
  assessHealth,
  classify,
  realUtilization,
  type CounterTrack,
  type Weights,
  type XidObservation,
} from '../compute';
import type { Family, Problem } from '../../../../src/main/core/exposition/types';
import type { TranslatedField } from './aliases';
import { checkRange } from './ranges';
import { translateFamilies, type GpuEntity } from './translate';

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

/** A new XID or rising correctable rows stays a reason this long, so a glance later sees it. */
export const EVENT_VISIBLE_MS = 15 * 60_000;
/** State of an entity not seen for this long is dropped: memory is bounded by the fleet. */
export const FORGET_ENTITY_AFTER_MS = 60 * 60_000;

interface EntityState {
  counters: Map<string, CounterTrack>;
  lastSeen: number;
  xid: number | undefined;
  xidChangedAt: number | undefined;
  correctableRows: number | undefined;
  correctableRoseAt: number | undefined;
}

export function createDcgmPipeline(opts: DcgmPipelineOptions = {}): DcgmPipeline {
  const weights = opts.weights ?? DEFAULT_WEIGHTS;
  const states = new Map<string, EntityState>();

  return {
    ingest(families, ctx) {
      const translated = translateFamilies(families, { fallbackNode: ctx.fallbackNode });
      const problems = [...translated.problems];
      const gpus = translated.gpus.map((entity) => {
        const key = gpuKey(entity.node, entity.uuid, entity.migInstance?.id ?? null);
        let state = states.get(key);
        if (!state) {
          state = {
            counters: new Map(),
            lastSeen: ctx.observedAt,
            xid: undefined,
            xidChangedAt: undefined,
            correctableRows: undefined,
            correctableRoseAt: undefined,
          };
          states.set(key, state);
        }
        state.lastSeen = ctx.observedAt;
        return snapshotOf(entity, key, state, ctx, weights, problems);
      });
      for (const [key, state] of states) {
        if (ctx.observedAt - state.lastSeen > FORGET_ENTITY_AFTER_MS) states.delete(key);
      }
      return { gpus, extras: translated.extras, problems };
    },
  };
}

function isCanonical(field: TranslatedField): field is CanonicalField {
  return field in CANONICAL_FIELDS;
}

function snapshotOf(
  entity: GpuEntity,
  key: string,
  state: EntityState,
  ctx: IngestContext,
  weights: Weights,
  problems: Problem[],
): GpuSnapshot {
  const readings: Readings = {};
  for (const [field, value] of Object.entries(entity.values) as [TranslatedField, number][]) {
    if (isCanonical(field)) readings[field] = value;
  }
  deriveTotals(readings);
  deriveRates(entity, readings, state, ctx, problems);

  const xid = observeXid(readings, state, ctx.observedAt);
  const correctableRowsRose = observeCorrectableRows(readings, state, ctx.observedAt);
  const realUtil = realUtilization(readings, weights);
  const snapshot: GpuSnapshot = {
    key,
    node: entity.node,
    uuid: entity.uuid,
    gpuIndex: entity.gpuIndex,
    migInstance: entity.migInstance,
    model: entity.model,
    sourceId: ctx.sourceId,
    realUtil: realUtil.value,
    realUtilMissing: realUtil.missing,
    class: classify(readings, realUtil),
    health: assessHealth({ readings, model: entity.model, xid, correctableRowsRose }),
    attribution: entity.attribution,
    readings,
    observedAt: ctx.observedAt,
  };
  if (entity.migInstance) snapshot.parentKey = gpuKey(entity.node, entity.uuid, null);
  if (Object.keys(entity.raw).length > 0) snapshot.raw = entity.raw;
  return snapshot;
}

function deriveTotals(readings: Readings): void {
  const { fbUsedBytes: used, fbFreeBytes: free, fbReservedBytes: reserved } = readings;
  if (readings.fbTotalBytes === undefined && typeof used === 'number' && typeof free === 'number' && typeof reserved === 'number') {
    readings.fbTotalBytes = used + free + reserved;
  }
  // NVLink rule (DCGM.md §3): field 449 wins, even a real 0 (an idle link); otherwise TX+RX,
  // and only when both directions are present.
  const { nvlinkTxBytesPerSec: tx, nvlinkRxBytesPerSec: rx } = readings;
  if (readings.nvlinkTotalBytesPerSec === undefined && typeof tx === 'number' && typeof rx === 'number') {
    readings.nvlinkTotalBytesPerSec = Math.max(0, tx + rx);
  }
}

function deriveRates(entity: GpuEntity, readings: Readings, state: EntityState, ctx: IngestContext, problems: Problem[]): void {
  for (const rule of RATE_RULES) {
    const value = entity.values[rule.counter as TranslatedField];
    if (value === undefined) continue;
    const step = advanceCounter(state.counters.get(rule.counter), value, ctx.observedAt);
    state.counters.set(rule.counter, step.track);
    if (step.perSecond === null) {
      readings[rule.rate] = null;
      continue;
    }
    const rate = step.perSecond * rule.perSecondScale;
    const checked = checkRange(CANONICAL_FIELDS[rule.rate].unit, rate);
    if (checked.ok) {
      readings[rule.rate] = checked.value;
    } else {
      readings[rule.rate] = null;
      problems.push({
        line: 0,
        column: 0,
        code: 'out-of-range',
        message: `${CANONICAL_FIELDS[rule.rate].label} of ${rate} derived for ${entity.uuid} on ${entity.node} is not ${checked.range.describe}; ignored (is the counter's unit right?)`,
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

function observeCorrectableRows(readings: Readings, state: EntityState, now: number): boolean {
  const rows = readings.remappedRowsCorrectable;
  if (typeof rows !== 'number') return false;
  if (state.correctableRows !== undefined && rows > state.correctableRows) state.correctableRoseAt = now;
  state.correctableRows = rows;
  return state.correctableRoseAt !== undefined && now - state.correctableRoseAt <= EVENT_VISIBLE_MS;
}
