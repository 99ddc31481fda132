// What the accountant consumes: one GPU's readings at one moment, reduced to what accounting
// needs. Every source (recording file, Prometheus raw samples, the live history) produces these;
// the definitions themselves live once, in ./accountant.
import type { Attribution } from '../../../shared/gpu';

/** A GPU or MIG instance: keyed by node, UUID and MIG instance (gpuKey), never counted twice. */
export interface AccountedGpu {
  key: string;
  node: string;
  model: string | null;
}

export interface AccountingSample {
  /** Unix ms. */
  t: number;
  attribution: Attribution;
  /** Real utilization in percent (compute/realutil), or null when no input was present. */
  realUtil: number | null;
  /** True when an input of the formula was missing: `realUtil` is then a lower bound. */
  realUtilMissing: boolean;
  /** The GPU's cumulative energy counter in J (canonical), or null without one. */
  energyJoules: number | null;
  powerWatts: number | null;
  /**
   * The part of the board's energy and power this entity accounts for: 1 for a whole GPU,
   * 1/n for each of n MIG instances (they all repeat the board's counter and power).
   */
  energyShare: number;
}
