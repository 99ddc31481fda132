// GPU focus view: one GPU in depth. Live values come from the FleetStore; the charts and the
// table's trends from useLiveHistory (history fetched once, then fed by the same ticks).
import { useState, useSyncExternalStore } from 'react';
import type { PulseApi } from '../../../shared/api';
import type { FleetStore } from '../state/fleet-store';
import { routeHref } from '../navigation';
import { ZOOM_HINT } from './charts/TimeChart';
import { FocusCharts, FOCUS_HISTORY_FIELDS } from './focus/FocusCharts';
import { AttributionPanel, FocusHeader, FocusStatus } from './focus/FocusSummary';
import { MetricTable } from './focus/MetricTable';
import { DEFAULT_WINDOW_MS, useLiveHistory } from './live-history';
import { WindowSelect } from './WindowSelect';
import { useNow } from './use-now';

export function GpuFocusView({ api, store, gpuKey }: { api: PulseApi; store: FleetStore; gpuKey: string }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [windowMs, setWindowMs] = useState(DEFAULT_WINDOW_MS);
  const live = useLiveHistory(api, store, [gpuKey], FOCUS_HISTORY_FIELDS, windowMs);
  const now = useNow();
  const gpu = state.gpus.get(gpuKey);

  if (!gpu) {
    return (
      <div className="empty" data-testid="gpu-focus" role="alert">
        GPU <code>{gpuKey}</code> is not in the fleet: it is gone, or its target has not been scraped yet.{' '}
        <a href={routeHref({ view: 'fleet' })}>Back to the fleet</a>
      </div>
    );
  }

  const history = live.series.get(gpuKey);
  return (
    <div className="focus" data-testid="gpu-focus" data-gpu-key={gpuKey}>
      <FocusHeader gpu={gpu} now={now} parentPresent={gpu.parentKey !== undefined && state.gpus.has(gpu.parentKey)} />
      <FocusStatus gpu={gpu} />
      <div className="focus-body">
        <section className="focus-metrics-panel" aria-label="Metrics">
          <h3>Metrics</h3>
          {gpu.detail === 'summary' ? (
            // Until the watch (useLiveHistory) brings the full snapshot, a table of card fields only would mislead.
            <p className="empty" role="status" data-testid="readings-loading">
              Loading all readings…
            </p>
          ) : (
            <MetricTable gpu={gpu} history={history} historyVersion={live.version} />
          )}
        </section>
        <section className="focus-charts-panel" aria-label="History charts">
          <div className="focus-charts-head">
            <h3>History</h3>
            <WindowSelect windowMs={windowMs} onChange={setWindowMs} />
            <span className="focus-note">{ZOOM_HINT}</span>
          </div>
          {live.status.state === 'loading' ? (
            <p className="empty" role="status" data-testid="history-loading">
              Loading history…
            </p>
          ) : live.status.state === 'error' ? (
            <p className="empty error" role="alert" data-testid="history-error">
              Could not load the history: {live.status.message}
            </p>
          ) : (
            <FocusCharts gpu={gpu} history={history} historyVersion={live.version} windowMs={windowMs} />
          )}
        </section>
      </div>
      <AttributionPanel gpu={gpu} />
    </div>
  );
}
