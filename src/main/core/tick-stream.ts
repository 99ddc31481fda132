// One front end's share of the live ticks (issue #5, "the renderer subscribes to the GPUs it
// shows"): full snapshots for the GPUs it watches, summary rows for every other GPU. The fleet
// view needs every GPU for its summary bar, filters and sort, but only a card's worth of each;
// the focus and plot views need everything, for a handful of GPUs. Both transports (IPC, SSE)
// open one stream per page.
import type { PulseBackend, Tick } from '../../shared/api';
import { summarizeGpu, type GpuSnapshot } from '../../shared/gpu';

export interface TickStream {
  /** Replace the watched set; a newly watched GPU is sent in full at once, changed or not. */
  watch(keys: readonly string[]): Promise<void>;
  close(): void;
}

// A snapshot is one object shared by every stream in a tick, so its summary row is made once.
const summaries = new WeakMap<GpuSnapshot, GpuSnapshot>();

function summaryOf(gpu: GpuSnapshot): GpuSnapshot {
  let summary = summaries.get(gpu);
  if (!summary) {
    summary = summarizeGpu(gpu);
    summaries.set(gpu, summary);
  }
  return summary;
}

/** The tick as a stream watching `watched` receives it. */
export function narrowTick(tick: Tick, watched: ReadonlySet<string>): Tick {
  if (tick.gpus.length === 0) return tick;
  return { ...tick, gpus: tick.gpus.map((gpu) => (watched.has(gpu.key) ? gpu : summaryOf(gpu))) };
}

export function openTickStream(backend: Pick<PulseBackend, 'onTick' | 'getGpus'>, send: (tick: Tick) => void): TickStream {
  let watched: ReadonlySet<string> = new Set();
  let closed = false;
  const unsubscribe = backend.onTick((tick) => send(narrowTick(tick, watched)));
  return {
    async watch(keys) {
      const previous = watched;
      watched = new Set(keys);
      const added = new Set(keys.filter((key) => !previous.has(key)));
      if (added.size === 0 || closed) return;
      // The in-process service answers in a microtask, before any other tick can be sent.
      const gpus = (await backend.getGpus()).filter((gpu) => added.has(gpu.key) && watched.has(gpu.key));
      if (gpus.length > 0 && !closed) send({ at: Date.now(), gpus, removedGpus: [], targets: [], removedTargets: [] });
    },
    close() {
      closed = true;
      unsubscribe();
    },
  };
}
