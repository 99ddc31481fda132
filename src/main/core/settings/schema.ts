// The settings file: validated on load, migrated by version (DESIGN.md §7). The same schema
// backs electron-store in the app and the JSON file in serve mode.
import { z } from 'zod';
import { TargetConfigSchema } from '../fleet/target-config';
import { SourceConfigSchema } from '../fleet/source-config';

export const SETTINGS_VERSION = 1;

export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  targets: z.array(TargetConfigSchema).default([]),
  /** Targets files and Prometheus discoveries added in the app (command-line ones are not saved). */
  sources: z.array(SourceConfigSchema).default([]),
  notifications: z.boolean().default(true),
  /** Notify when a GPU has been held idle this long (minutes; 0: never). Follows `notifications`. */
  heldIdleNotifyMinutes: z.number().min(0).max(7 * 24 * 60).default(30),
});

export type Settings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, targets: [], sources: [], notifications: true, heldIdleNotifyMinutes: 30 };
}

/** Bring an older settings object up to the current version; unknown versions are rejected. */
export function migrateSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) throw new Error('settings must be a JSON object');
  const data = { ...(raw as Record<string, unknown>) };
  // Version 0 (no version field) stored targets as plain URL strings.
  if (data.version === undefined) {
    const targets = Array.isArray(data.targets) ? data.targets : [];
    data.targets = targets.map((t, i) => (typeof t === 'string' ? { id: `migrated-${i}`, url: t, name: new URL(t).host } : t));
    data.version = SETTINGS_VERSION;
  }
  const parsed = SettingsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid settings at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
