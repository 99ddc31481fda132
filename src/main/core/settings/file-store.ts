// Serve mode's settings: one JSON file in the config directory, written atomically
// (temporary file + rename) so a crash never leaves half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { defaultSettings, migrateSettings, type Settings } from './schema';
import type { SettingsStore } from './store';

export const SETTINGS_FILE_NAME = 'settings.json';

/** The OS's per-user config folder for GPU Pulse. */
export function defaultConfigDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'gpu-pulse');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'gpu-pulse');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'gpu-pulse');
}

export function fileSettingsStore(configDir: string): SettingsStore {
  const path = join(configDir, SETTINGS_FILE_NAME);
  let notice: string | null = null;
  let current: Settings;
  if (!existsSync(path)) {
    current = defaultSettings();
  } else {
    try {
      current = migrateSettings(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      // Keep the broken file for the user to inspect, and start with defaults.
      const aside = `${path}.corrupt-${Date.now()}`;
      renameSync(path, aside);
      notice = `settings file ${path} could not be read (${(err as Error).message}); it was moved to ${aside} and defaults are used`;
      current = defaultSettings();
    }
  }
  return {
    get notice() {
      return notice;
    },
    load: () => current,
    update(change) {
      current = change(current);
      mkdirSync(configDir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(current, null, 2) + '\n', { mode: 0o600 });
      renameSync(tmp, path);
      return current;
    },
  };
}
