import type { Settings } from './schema';

/** Where settings live: electron-store in the app, a JSON file in serve mode. */
export interface SettingsStore {
  load(): Settings;
  update(change: (current: Settings) => Settings): Settings;
  /** Set when loading found a problem the user should hear about (e.g. a corrupt file kept aside). */
  readonly notice: string | null;
}

/** In-memory store for tests and for runs that must not persist anything. */
export function memorySettingsStore(initial: Settings): SettingsStore {
  let current = initial;
  return {
    notice: null,
    load: () => current,
    update(change) {
      current = change(current);
      return current;
    },
  };
}
