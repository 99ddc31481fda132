// Shared bits of the inspector's core tests: fixture paths and waiting for a parse to finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { InspectionInfo } from '../../src/shared/api';
import { Inspector } from '../../src/main/core/inspect/inspector';

export const SHARED = resolve(__dirname, '../../../shared');
export const SAMPLES = join(SHARED, 'dcgm-exporter-samples');
export const L4 = join(SAMPLES, 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom');
export const L40S = join(SAMPLES, 'cncf-upcloud-v1.35_nvidia-l40s_full-scrape.prom');
export const H100 = join(SAMPLES, 'nvidia-aicr_8x-h100_k8s-pod-labels_subset.prom');
export const DMON = join(SHARED, 'kempnerpulse/dcgmi_dmon_2tick.txt');

/** An Inspector that records every change it publishes. */
export function recordingInspector(): { inspector: Inspector; changes: InspectionInfo[] } {
  const changes: InspectionInfo[] = [];
  return { inspector: new Inspector({ onChange: (info) => changes.push(info) }), changes };
}

export async function untilSettled(inspector: Inspector, id: string, timeoutMs = 60_000): Promise<InspectionInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = inspector.get(id);
    if (info.status !== 'parsing') return info;
    if (Date.now() > deadline) throw new Error(`inspection ${id} still parsing after ${timeoutMs} ms (at ${info.progress})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-inspector-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
