// Series colours. Mid-saturation hues that read on both the dark and the light panel; the
// first five match the fleet cards' sparklines so a metric keeps its colour across views.
import type { HistoryField } from '../../../shared/api';

export const FIELD_COLORS: Record<HistoryField, string> = {
  realUtil: '#4ade80',
  smActive: '#60a5fa',
  tensorActive: '#f472b6',
  dramActive: '#fbbf24',
  grEngineActive: '#2dd4bf',
  fp64Active: '#a3e635',
  pcieTxBytesPerSec: '#38bdf8',
  pcieRxBytesPerSec: '#818cf8',
  nvlinkTotalBytesPerSec: '#e879f9',
  powerWatts: '#f97316',
  gpuTempC: '#f87171',
  fbUsedBytes: '#a78bfa',
};

/** One colour per GPU in the plot view, in selection order (repeats after twelve). */
export const GPU_PALETTE = ['#60a5fa', '#f97316', '#4ade80', '#f472b6', '#facc15', '#a78bfa', '#2dd4bf', '#f87171', '#94a3b8', '#a3e635', '#38bdf8', '#e879f9'];

export function gpuColor(index: number): string {
  return GPU_PALETTE[index % GPU_PALETTE.length]!;
}
