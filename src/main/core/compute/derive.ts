// Readings derived from others, and the marks that keep them honest (DCGM.md §3, §6): run on
// each GPU's canonical readings before the score, class and health are computed.
import type { CanonicalField, Readings } from '../../../shared/canonical';

export interface DerivedMarks {
  /** See GpuSnapshot.substitutes. */
  substitutes?: Partial<Record<CanonicalField, CanonicalField>>;
  /** See GpuSnapshot.approximate. */
  approximate?: CanonicalField[];
}

const isNumber = (value: number | null | undefined): value is number => typeof value === 'number';

/** Completes `readings` in place and says which readings stand in for others or are estimates. */
export function deriveReadings(readings: Readings): DerivedMarks {
  const marks: DerivedMarks = {};
  // Boards without an HBM sensor (GDDR: RTX, T4, L4, A10) report memory temperature 0, which is
  // DCGM's "not supported", not 0 °C: unknown, like the other blanks.
  if (readings.memTempC === 0) readings.memTempC = null;

  const { fbUsedBytes: used, fbFreeBytes: free, fbReservedBytes: reserved } = readings;
  if (readings.fbTotalBytes === undefined && isNumber(used) && isNumber(free)) {
    if (isNumber(reserved)) {
      readings.fbTotalBytes = used + free + reserved;
    } else {
      // Older exporters serve no reserved size: used + free is the total the driver leaves to
      // programs, a few hundred MiB short of the board's, so it is marked as an estimate.
      readings.fbTotalBytes = used + free;
      marks.approximate = ['fbTotalBytes'];
    }
  }

  // NVLink rule (DCGM.md §3): field 449 wins, even a real 0 (an idle link); otherwise TX+RX,
  // and only when both directions are present.
  const { nvlinkTxBytesPerSec: tx, nvlinkRxBytesPerSec: rx } = readings;
  if (readings.nvlinkTotalBytesPerSec === undefined && isNumber(tx) && isNumber(rx)) {
    readings.nvlinkTotalBytesPerSec = Math.max(0, tx + rx);
  }

  // GR falls back to NVML's GPU utilization (see realutil.grPercent): say so wherever GR shows.
  if (!isNumber(readings.grEngineActive) && isNumber(readings.gpuUtil)) marks.substitutes = { grEngineActive: 'gpuUtil' };
  return marks;
}
