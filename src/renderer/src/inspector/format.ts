// Display helpers of the inspector.
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export const FORMAT_NAMES = { prometheus: 'Prometheus text 0.0.4', openmetrics: 'OpenMetrics 1.0', dmon: 'dcgmi dmon capture' } as const;

/** `name{k="v",…}` as the exposition format writes a series. */
export function seriesText(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
  return parts.length > 0 ? `${name}{${parts.join(',')}}` : name;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Enter and Space activate a focusable row, as a button would. */
export function onActivateKey(activate: () => void) {
  return (e: { key: string; preventDefault(): void }) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate();
    }
  };
}
