import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { AppInfo, PulseApi } from '../../shared/api';
import { FleetStore } from './state/fleet-store';
import { FleetView } from './components/FleetView';

export function App({ api }: { api: PulseApi }) {
  const store = useMemo(() => new FleetStore(api), [api]);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    void store.start();
    api.getAppInfo().then(setInfo, () => setInfo(null));
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => {
      clearInterval(timer);
      store.stop();
    };
  }, [api, store]);

  const gpuCount = state.gpus.size;
  const targets = [...state.targets.values()];
  const down = targets.filter((t) => t.state !== 'up' && t.state !== 'pending').length;

  return (
    <div className="app">
      <header className="topbar">
        <h1>GPU Pulse</h1>
        {info?.demo ? (
          <span className="demo-chip" title="No targets configured: showing the built-in simulated fleet">
            demo fleet
          </span>
        ) : null}
        <span className="topbar-meta">
          {gpuCount} GPUs · {targets.length} targets{down > 0 ? ` · ${down} not up` : ''}
        </span>
      </header>
      <main>
        {state.status === 'loading' ? <div className="empty">Connecting…</div> : null}
        {state.status === 'error' ? (
          <div className="empty error" role="alert">
            Could not reach the GPU Pulse service: {state.error}
          </div>
        ) : null}
        {state.status === 'ready' ? <FleetView state={state} now={now} /> : null}
      </main>
    </div>
  );
}
