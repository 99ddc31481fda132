import type { ExpositionFormat } from './types';

/**
 * Format of a saved file, which has no Content-Type: OpenMetrics exactly when the last
 * non-empty line is `# EOF`, which every OpenMetrics exposition must end with and 0.0.4 never
 * needs. Only the tail is examined, so this is cheap for large inputs.
 */
export function detectFormat(text: string): ExpositionFormat {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9) break;
    end--;
  }
  if (end < 5 || !text.startsWith('# EOF', end - 5)) return 'prometheus';
  const before = end - 6;
  return before < 0 || text.charCodeAt(before) === 10 || text.charCodeAt(before) === 0xfeff ? 'openmetrics' : 'prometheus';
}
