import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { AppInfo, PulseApi } from '../../shared/api';
import { FleetStore } from './state/fleet-store';
import { FleetView } from './components/FleetView';
import { NodeView } from './components/NodeView';
import { TargetsView } from './components/TargetsView';
import { TargetDialog } from './components/TargetDialog';
import { DEFAULT_FILTER, type FleetFilter } from './state/fleet-filter';
import { GpuFocusView } from './views/GpuFocusView';
import { PlotView } from './views/PlotView';
import { WasteView, fleetSearchFor } from './views/waste/WasteView';
import { InspectorView } from './inspector/InspectorView';
import { FileDrop } from './inspector/FileDrop';
import { navigate, routeHref, useRoute, type Route } from './navigation';
import { useShortcuts } from './shortcuts';
import { ReplayBar, useReplay } from './components/ReplayBar';
import { ExportMenu } from './components/ExportMenu';

const NAV: Array<{ label: string; route: Route; key: string }> = [
  { label: 'Fleet', route: { view: 'fleet' }, key: 'fleet' },
  { label: 'Plot', route: { view: 'plot', field: 'realUtil', keys: [] }, key: 'plot' },
  { label: 'Waste', route: { view: 'waste' }, key: 'waste' },
  { label: 'Inspector', route: { view: 'inspector', id: null }, key: 'inspector' },
  { label: 'Targets', route: { view: 'targets' }, key: 'targets' },
];

export function App({ api }: { api: PulseApi }) {
  const store = useMemo(() => new FleetStore(api), [api]);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const route = useRoute();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [filter, setFilter] = useState<FleetFilter>(DEFAULT_FILTER);
  const [addingTarget, setAddingTarget] = useState(false);
  const openAddTarget = useCallback(() => setAddingTarget(true), []);
  useShortcuts(api, openAddTarget);
  const replay = useReplay(api);

  useEffect(() => {
    void store.start();
    api.getAppInfo().then(setInfo, () => setInfo(null));
    const timer = setInterval(() => setNow(Date.now()), 5000);
    // File > Open, argv and open-with ask main to show an inspection.
    const unsubscribe = api.onTick((tick) => {
      if (tick.showInspection) navigate({ view: 'inspector', id: tick.showInspection });
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
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
        <nav className="tabs" aria-label="Views">
          {NAV.map((item) => (
            <a key={item.key} href={routeHref(item.route)} className={route.view === item.key || (item.key === 'fleet' && (route.view === 'node' || route.view === 'gpu')) ? 'active' : ''}>
              {item.label}
            </a>
          ))}
        </nav>
        {info?.demo ? (
          <span className="demo-chip" title="No targets configured: showing the built-in simulated fleet">
            demo fleet
          </span>
        ) : null}
        <button type="button" className="primary" data-testid="add-target-button" onClick={() => setAddingTarget(true)} title="Add a dcgm-exporter target">
          + Add target
        </button>
        <ExportMenu api={api} info={info} />
        <span className="topbar-meta">
          {gpuCount} GPUs · {targets.length} targets{down > 0 ? ` · ${down} not up` : ''}
        </span>
      </header>
      {replay ? <ReplayBar api={api} replay={replay} /> : null}
      <main>
        {route.view === 'invalid' ? (
          <p className="route-error" role="alert" data-testid="route-error">
            This link cannot be opened: {route.reason}. <a href="#/">Back to the fleet</a>
          </p>
        ) : route.view === 'inspector' ? (
          <InspectorView api={api} inspectionId={route.id} />
        ) : state.status === 'loading' ? (
          <div className="empty">Connecting…</div>
        ) : state.status === 'error' ? (
          <div className="empty error" role="alert">
            Could not reach the GPU Pulse service: {state.error}
          </div>
        ) : route.view === 'gpu' ? (
          <GpuFocusView api={api} store={store} gpuKey={route.key} />
        ) : route.view === 'plot' ? (
          <PlotView api={api} store={store} field={route.field} keys={route.keys} />
        ) : route.view === 'node' ? (
          <NodeView api={api} state={state} node={route.node} now={now} />
        ) : route.view === 'waste' ? (
          <WasteView
            api={api}
            targets={targets}
            onOwner={(by, owner) => {
              setFilter({ ...DEFAULT_FILTER, search: fleetSearchFor(by, owner) });
              navigate({ view: 'fleet' });
            }}
          />
        ) : route.view === 'targets' ? (
          <TargetsView api={api} state={state} now={now} />
        ) : (
          <FleetView api={api} state={state} now={now} filter={filter} onFilter={setFilter} />
        )}
      </main>
      <FileDrop api={api} />
      {addingTarget ? <TargetDialog api={api} target={null} onClose={() => setAddingTarget(false)} /> : null}
    </div>
  );
}
