// The shared fake Api plus a controllable getHistory: the focus and plot views need history
// answers (and failures, and hangs) independent of getGpus.
import type { HistoryRequest, HistoryResponse } from '../../../src/shared/api';
import type { GpuSnapshot } from '../../../src/shared/gpu';
import { SPARK_FIELDS } from '../../../src/renderer/src/state/fleet-store';
import { fakeApi, target, type FakeApi } from '../fake-api';

export interface HistoryFake extends FakeApi {
  historyCalls: HistoryRequest[];
}

export type HistoryAnswer = (req: HistoryRequest) => Promise<HistoryResponse>;

/**
 * `viewAnswer` answers the views' requests; the FleetStore's own sparkline backfill (which the
 * App starts before any view shows) always gets synthetic history, so a hanging or failing
 * view request does not stop the App at "Connecting…". historyCalls records the views' calls.
 */
export function historyApi(gpus: GpuSnapshot[], viewAnswer: HistoryAnswer = syntheticHistory(gpus)): HistoryFake {
  const base = fakeApi({ targets: [target()], gpus });
  const historyCalls: HistoryRequest[] = [];
  const storeAnswer = syntheticHistory(gpus);
  return Object.assign(base, {
    historyCalls,
    getHistory(req: HistoryRequest) {
      if (isStoreBackfill(req)) return storeAnswer(req);
      historyCalls.push(req);
      return viewAnswer(req);
    },
  });
}

function isStoreBackfill(req: HistoryRequest): boolean {
  return req.fields.length === SPARK_FIELDS.length && req.fields.every((f, i) => f === SPARK_FIELDS[i]);
}

/** Ten samples 2 s apart ending at each GPU's observedAt; values rise with the sample index. */
export function syntheticHistory(gpus: GpuSnapshot[], points = 10): HistoryAnswer {
  return (req) => {
    const series: HistoryResponse['series'] = {};
    for (const key of req.keys) {
      const gpu = gpus.find((g) => g.key === key);
      if (!gpu) continue;
      const t = Array.from({ length: points }, (_, i) => gpu.observedAt - (points - 1 - i) * 2000);
      const values: HistoryResponse['series'][string]['values'] = {};
      for (const field of req.fields) {
        const now = field === 'realUtil' ? gpu.realUtil : (gpu.readings[field] ?? null);
        values[field] = t.map((_, i) => (typeof now === 'number' ? (now * (i + 1)) / points : null));
      }
      series[key] = { t, values };
    }
    return Promise.resolve({ series });
  };
}

export const never: HistoryAnswer = () => new Promise(() => {});
export const failing = (message: string): HistoryAnswer => () => Promise.reject(new Error(message));
