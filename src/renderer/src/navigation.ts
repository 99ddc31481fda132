// Hash-based routes: they survive reloads, work in Electron's file:// and serve mode alike, and
// give Back/Forward for free.
import { useSyncExternalStore } from 'react';
import { HISTORY_FIELDS, type HistoryField } from '../../shared/api';
import { escapeControls } from './components/LabelText';

export type Route =
  | { view: 'fleet' }
  | { view: 'node'; node: string }
  | { view: 'gpu'; key: string }
  | { view: 'plot'; field: HistoryField; keys: string[] }
  | { view: 'inspector'; id: string | null }
  | { view: 'targets' }
  | { view: 'waste' }
  /** A link the app cannot read (e.g. a malformed %-escape): shown as an error, never a blank page. */
  | { view: 'invalid'; reason: string };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { view: 'invalid', reason: 'it holds a malformed %-escape' };
  }
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'node':
      return parts[1] ? { view: 'node', node: parts[1] } : { view: 'fleet' };
    case 'gpu':
      return parts[1] ? { view: 'gpu', key: parts.slice(1).join('/') } : { view: 'fleet' };
    case 'plot': {
      const field = params.get('field');
      return {
        view: 'plot',
        field: (HISTORY_FIELDS as readonly string[]).includes(field ?? '') ? (field as HistoryField) : 'realUtil',
        keys: (params.get('keys') ?? '').split(',').filter(Boolean),
      };
    }
    case 'inspector':
      return { view: 'inspector', id: parts[1] ?? null };
    case 'targets':
      return { view: 'targets' };
    case 'waste':
      return { view: 'waste' };
    default:
      return { view: 'fleet' };
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'fleet':
      return '#/';
    case 'node':
      return `#/node/${encodeURIComponent(route.node)}`;
    case 'gpu':
      return `#/gpu/${route.key.split('/').map(encodeURIComponent).join('/')}`;
    case 'plot':
      return `#/plot?field=${route.field}&keys=${route.keys.map(encodeURIComponent).join(',')}`;
    case 'inspector':
      return route.id ? `#/inspector/${encodeURIComponent(route.id)}` : '#/inspector';
    case 'targets':
      return '#/targets';
    case 'invalid':
      return '#/';
    case 'waste':
      return '#/waste';
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** GPU display name used by legends and titles: `node / GPU n [/ GI m]`. */
export function gpuLabel(gpu: { node: string; gpuIndex: number | null; migInstance: { id: string } | null }): string {
  const base = `${escapeControls(gpu.node)} / GPU ${gpu.gpuIndex ?? '?'}`;
  return gpu.migInstance ? `${base} / GI ${gpu.migInstance.id}` : base;
}
