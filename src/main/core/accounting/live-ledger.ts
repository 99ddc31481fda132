// Accounting over what the running engine has seen: every ingested GPU snapshot is noted here
// (one call from the ingest path), and reports over the live window or the last 24 h come from
// it through the same Accountant as files and Prometheus.
//
// Values live in a HistoryStore (the fleet's ring buffers: the raw tier at scrape resolution,
// then 1-minute means up to 24 h), so memory is bounded by the configuration, not by uptime.
// It is a store of its own because accounting needs what the charts do not keep (the energy
// counter, whether an input was missing); owners are a per-GPU log of changes (rare), not a
// value per sample. Float32 rings cannot hold a counter of 5e9 J to the joule, so the energy
// counter is kept as the energy since this GPU was first seen, resets handled on the way in.
//
// Storage (history-encoding.ts): utilization in 1/100 percent, `missing` (0 or 1, a mean in
// the 1-minute tier: only "> 0" matters, and the smallest such mean, 1/60 at a 1 s interval,
// is far above the 1/10,000 step) and power in 1/10 W as 16-bit fixed point; energy float32.
//
// It also keeps, per GPU, since when it has been held idle: the Waste view's "held idle now",
// the gpu_pulse_held_idle_* gauges and the desktop notification all read that.
import { Gauge, Registry } from 'prom-client';
import type { Attribution, GpuSnapshot } from '../../../shared/gpu';
import { DEFAULT_IDLE_BELOW, type HeldIdleGpu, type ReportGroupBy, type WasteReport } from '../../../shared/waste';
import { HistoryStore, type HistoryOptions } from '../fleet/history';
import { fixedPoint, FLOAT32, PERCENT_ENCODING, WATTS_ENCODING } from '../fleet/history-encoding';
import { Accountant, MAX_GAP_MS, intervalState } from './accountant';
import type { AccountedGpu } from './types';

const FIELDS = ['realUtil', 'missing', 'energyJoules', 'powerWatts'] as const;
const DAY_MS = 86_400_000;

interface OwnerChange {
  t: number;
  attribution: Attribution;
}

interface LedgerGpu {
  gpu: AccountedGpu;
  uuid: string;
  gpuIndex: number | null;
  migInstanceId: string | null;
  /** For MIG instances, the board they share energy with. */
  parentKey: string | null;
  owners: OwnerChange[];
  ownerText: string;
  counter: { last: number; total: number } | null;
  idleSince: number | null;
  lastSeen: number;
}

/** The ledger's store: the chart history's windows, its own four fields. */
export function ledgerHistoryOptions(overrides?: Partial<Omit<HistoryOptions, 'fields' | 'encodings'>>): HistoryOptions {
  return {
    rawWindowMs: 3_600_000,
    rawStepMs: 5_000,
    ...overrides,
    fields: [...FIELDS],
    encodings: { realUtil: PERCENT_ENCODING, missing: fixedPoint(10_000), energyJoules: FLOAT32, powerWatts: WATTS_ENCODING },
  };
}

export interface LedgerOptions {
  history?: Partial<Omit<HistoryOptions, 'fields'>>;
  now?: () => number;
}

export class WasteLedger {
  private readonly history: HistoryStore;
  private readonly gpus = new Map<string, LedgerGpu>();
  private readonly now: () => number;
  /** gpu_pulse_held_idle_gpus and gpu_pulse_held_idle_seconds, for `/metrics` and the exporter. */
  readonly registry = new Registry();

  constructor(opts: LedgerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.history = new HistoryStore(ledgerHistoryOptions(opts.history));
    const ledger = this;
    new Gauge({
      name: 'gpu_pulse_held_idle_gpus',
      help: 'GPUs (and MIG instances) a workload holds while their real utilization is idle, per namespace and pod.',
      labelNames: ['namespace', 'pod'],
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = new Map<string, { namespace: string; pod: string; n: number }>();
        for (const gpu of ledger.heldIdle()) {
          const labels = { namespace: gpu.namespace ?? '', pod: gpu.pod ?? '' };
          const key = `${labels.namespace}\u0000${labels.pod}`;
          const entry = counts.get(key) ?? { ...labels, n: 0 };
          entry.n++;
          counts.set(key, entry);
        }
        for (const { namespace, pod, n } of counts.values()) this.set({ namespace, pod }, n);
      },
    });
    new Gauge({
      name: 'gpu_pulse_held_idle_seconds',
      help: 'How long a held GPU has been idle without a break, per GPU with its namespace and pod.',
      labelNames: ['namespace', 'pod', 'node', 'uuid', 'gpu', 'mig_instance'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const gpu of ledger.heldIdle()) {
          this.set(
            { namespace: gpu.namespace ?? '', pod: gpu.pod ?? '', node: gpu.node, uuid: gpu.uuid, gpu: gpu.gpuIndex === null ? '' : String(gpu.gpuIndex), mig_instance: gpu.migInstanceId ?? '' },
            gpu.idleSeconds,
          );
        }
      },
    });
  }

  /** Bytes its rings hold now, and once the GPUs held now have filled both windows. */
  historyBytes(): number {
    return this.history.bytes();
  }

  historyFullBytes(): number {
    return this.history.fullBytes();
  }

  /** Notes what one ingest saw, at wall-clock time `at`. */
  observe(snapshots: readonly GpuSnapshot[], at: number): void {
    for (const snap of snapshots) {
      let gpu = this.gpus.get(snap.key);
      if (!gpu) {
        gpu = {
          gpu: { key: snap.key, node: snap.node, model: snap.model },
          uuid: snap.uuid,
          gpuIndex: snap.gpuIndex,
          migInstanceId: snap.migInstance?.id ?? null,
          parentKey: snap.parentKey ?? null,
          owners: [],
          ownerText: '',
          counter: null,
          idleSince: null,
          lastSeen: at,
        };
        this.gpus.set(snap.key, gpu);
      }
      gpu.lastSeen = at;
      const ownerText = JSON.stringify(snap.attribution);
      const ownerChanged = gpu.owners.length === 0 || ownerText !== gpu.ownerText;
      if (ownerChanged) {
        gpu.owners.push({ t: at, attribution: snap.attribution });
        gpu.ownerText = ownerText;
        // Keep the one change before the 24 h tier's start: it still owns the oldest points.
        while (gpu.owners.length > 1 && gpu.owners[1].t < at - DAY_MS) gpu.owners.shift();
      }
      const missing = snap.realUtilMissing.length > 0;
      const energy = snap.readings.energyJoules;
      let energySoFar: number | null = null;
      if (typeof energy === 'number') {
        if (gpu.counter === null) gpu.counter = { last: energy, total: 0 };
        else {
          gpu.counter.total += energy >= gpu.counter.last ? energy - gpu.counter.last : energy;
          gpu.counter.last = energy;
        }
        energySoFar = gpu.counter.total;
      }
      const power = snap.readings.powerWatts;
      this.history.push(snap.key, at, { realUtil: snap.realUtil, missing: missing ? 1 : 0, energyJoules: energySoFar, powerWatts: typeof power === 'number' ? power : null });
      const held = snap.attribution.namespaces.length > 0 || snap.attribution.pods.length > 0;
      const idle = held && intervalState(snap.realUtil, missing, DEFAULT_IDLE_BELOW) === 'idle';
      gpu.idleSince = idle ? (ownerChanged || gpu.idleSince === null ? at : gpu.idleSince) : null;
    }
  }

  /** A GPU the fleet no longer has: it is not held idle any more; its history stays for reports. */
  forget(key: string): void {
    const gpu = this.gpus.get(key);
    if (gpu) gpu.idleSince = null;
  }

  /** GPUs held idle now, longest first. */
  heldIdle(now = this.now()): HeldIdleGpu[] {
    const out: HeldIdleGpu[] = [];
    for (const [key, gpu] of this.gpus) {
      // Not seen for 5 minutes: no data, so not "idle now".
      if (gpu.idleSince === null || now - gpu.lastSeen > MAX_GAP_MS) continue;
      const { namespaces, pods } = gpu.owners[gpu.owners.length - 1].attribution;
      out.push({
        key,
        node: gpu.gpu.node,
        uuid: gpu.uuid,
        gpuIndex: gpu.gpuIndex,
        migInstanceId: gpu.migInstanceId,
        namespace: namespaces.join(' + ') || null,
        pod: pods.join(' + ') || null,
        idleSince: gpu.idleSince,
        idleSeconds: Math.max(0, Math.round((now - gpu.idleSince) / 1000)),
      });
    }
    return out.sort((a, b) => b.idleSeconds - a.idleSeconds || (a.key < b.key ? -1 : 1));
  }

  /** A report over [startMs, endMs] from what the rings hold (raw, else 1-minute means). */
  report(req: { by: ReportGroupBy; startMs: number; endMs: number; idleBelow?: number; pricePerGpuHour?: number | null }): WasteReport {
    const accountant = new Accountant({ by: req.by, idleBelow: req.idleBelow, pricePerGpuHour: req.pricePerGpuHour, startMs: req.startMs, endMs: req.endMs });
    const instances = new Map<string, number>();
    for (const gpu of this.gpus.values()) if (gpu.parentKey) instances.set(gpu.parentKey, (instances.get(gpu.parentKey) ?? 0) + 1);
    for (const [key, gpu] of this.gpus) {
      if (!this.history.has(key)) continue;
      const points = this.history.query(key, FIELDS, req.startMs - MAX_GAP_MS, req.endMs);
      const { realUtil, missing, energyJoules, powerWatts } = points.series;
      let owner = 0;
      for (let i = 0; i < points.t.length; i++) {
        const t = points.t[i];
        while (owner + 1 < gpu.owners.length && gpu.owners[owner + 1].t <= t) owner++;
        accountant.add(gpu.gpu, {
          t,
          attribution: gpu.owners[owner].attribution,
          realUtil: realUtil[i],
          // A 1-minute mean with any sample missing an input stays a lower bound.
          realUtilMissing: (missing[i] ?? 1) > 0,
          energyJoules: energyJoules[i],
          powerWatts: powerWatts[i],
          energyShare: gpu.parentKey ? 1 / (instances.get(gpu.parentKey) ?? 1) : 1,
        });
      }
    }
    return accountant.finish();
  }
}
