// Display conventions from DCGM.md §9: percent with no decimals, °C, W, GiB.
export function pct(ratio: number | null | undefined): string {
  return typeof ratio === 'number' ? `${Math.round(ratio * 100)}%` : '–';
}

export function percentValue(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value)}%` : '–';
}

export function watts(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value)}W` : '–';
}

export function celsius(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value)}°C` : '–';
}

export function gib(bytes: number | null | undefined): string {
  return typeof bytes === 'number' ? `${gibNumber(bytes)} GiB` : '–';
}

/** GiB without the unit, for "used / total GiB" where one unit is enough (a card column is narrow). */
export function gibNumber(bytes: number | null | undefined): string {
  return typeof bytes === 'number' ? (bytes / 2 ** 30).toFixed(1) : '–';
}

export function age(ms: number): string {
  if (ms < 1000) return 'now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

/** Usage colour bands: ≥90 red, ≥75 yellow, ≥40 green, ≥10 cyan, else dim. */
export function usageClass(percent: number | null | undefined): string {
  if (typeof percent !== 'number') return 'dim';
  if (percent >= 90) return 'red';
  if (percent >= 75) return 'yellow';
  if (percent >= 40) return 'green';
  if (percent >= 10) return 'cyan';
  return 'dim';
}
