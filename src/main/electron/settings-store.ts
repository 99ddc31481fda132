// The app's settings live in electron-store (same schema and migrations as serve mode's file).
import Store from 'electron-store';
import { defaultSettings, migrateSettings, type Settings } from '../core/settings/schema';
import type { SettingsStore } from '../core/settings/store';
import type { WindowState, WindowStateStore } from './window-state';

interface StoredShape {
  settings?: unknown;
  windowState?: WindowState;
}

export function electronStores(): { settings: SettingsStore; windowState: WindowStateStore } {
  const store = new Store<StoredShape>({ name: 'gpu-pulse' });
  let notice: string | null = null;
  let current: Settings;
  try {
    current = store.has('settings') ? migrateSettings(store.get('settings')) : defaultSettings();
  } catch (err) {
    // Keep the unreadable value aside for inspection and start from defaults.
    store.set('settings-corrupt-' + Date.now(), store.get('settings'));
    notice = `settings could not be read (${(err as Error).message}); defaults are used`;
    current = defaultSettings();
  }
  return {
    settings: {
      get notice() {
        return notice;
      },
      load: () => current,
      update(change) {
        current = change(current);
        store.set('settings', current);
        return current;
      },
    },
    windowState: {
      get: () => store.get('windowState') ?? {},
      set: (state) => store.set('windowState', state),
    },
  };
}
