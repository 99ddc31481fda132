// What an XID code means and how bad it is, from NVIDIA's XID catalog (the common ones).
// An XID the table does not know is still shown, as a hardware-level warning.

/**
 * `app`: raised by a faulting application (the GPU itself is fine);
 * `hardware`: a GPU, firmware or link fault worth a look;
 * `fatal`: the GPU needs a reset, a drain or an RMA.
 */
export type XidSeverity = 'app' | 'hardware' | 'fatal';

export interface XidInfo {
  meaning: string;
  severity: XidSeverity;
}

export const XID_CATALOG: Readonly<Record<number, XidInfo>> = {
  13: { meaning: 'Graphics Engine Exception', severity: 'app' },
  31: { meaning: 'GPU memory page fault (MMU fault)', severity: 'app' },
  32: { meaning: 'invalid or corrupted push buffer stream', severity: 'app' },
  38: { meaning: 'driver firmware error', severity: 'hardware' },
  43: { meaning: 'GPU stopped processing (application fault)', severity: 'app' },
  45: { meaning: 'preemptive cleanup after earlier errors', severity: 'app' },
  48: { meaning: 'double-bit ECC error', severity: 'fatal' },
  61: { meaning: 'internal micro-controller breakpoint/warning', severity: 'hardware' },
  62: { meaning: 'internal micro-controller halt', severity: 'hardware' },
  63: { meaning: 'ECC page retirement or row remapping recorded', severity: 'hardware' },
  64: { meaning: 'ECC page retirement or row remapping failure', severity: 'fatal' },
  68: { meaning: 'video processor exception', severity: 'app' },
  69: { meaning: 'graphics engine class error', severity: 'app' },
  74: { meaning: 'NVLink error', severity: 'hardware' },
  79: { meaning: 'GPU has fallen off the bus', severity: 'fatal' },
  92: { meaning: 'high single-bit ECC error rate', severity: 'hardware' },
  94: { meaning: 'contained ECC error (applications affected, GPU usable)', severity: 'hardware' },
  95: { meaning: 'uncontained ECC error (GPU reset required)', severity: 'fatal' },
  109: { meaning: 'context switch timeout', severity: 'app' },
  119: { meaning: 'GSP RPC timeout', severity: 'hardware' },
  120: { meaning: 'GSP error', severity: 'hardware' },
};

export function describeXid(code: number): XidInfo {
  return XID_CATALOG[code] ?? { meaning: "not in GPU Pulse's table; see NVIDIA's XID catalog", severity: 'hardware' };
}
