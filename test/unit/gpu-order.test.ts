// One GPU order for the CLI and every view: natural node order (node2 before node10), index,
// UUID, then MIG instance.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/snapshot';
import type { SnapshotOutput } from '../../src/main/cli/snapshot/output';
import { compareGpuOrder, type GpuOrderKey } from '../../src/shared/gpu-order';

const gpu = (node: string, gpuIndex: number | null, uuid = `GPU-${node}-${gpuIndex}`, mig: string | null = null): GpuOrderKey => ({
  node,
  gpuIndex,
  uuid,
  migInstance: mig === null ? null : { id: mig, profile: null },
});
const label = (g: GpuOrderKey) => `${g.node}/${g.gpuIndex ?? '?'}${g.migInstance ? `/${g.migInstance.id}` : ''}`;

describe('compareGpuOrder', () => {
  it('orders nodes naturally, then index (none last), then UUID, then MIG instance (whole GPU first)', () => {
    const gpus = [
      gpu('node10', 0),
      gpu('node2', null),
      gpu('node2', 10),
      gpu('node2', 2, 'GPU-m', '10'),
      gpu('node2', 2, 'GPU-m', '2'),
      gpu('node2', 2, 'GPU-m'),
      gpu('node1', 1),
    ];
    expect([...gpus].sort(compareGpuOrder).map(label)).toEqual(['node1/1', 'node2/2', 'node2/2/2', 'node2/2/10', 'node2/10', 'node2/?', 'node10/0']);
  });

  it('is the order gpu-pulse snapshot prints: node2 before node10', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gpu-pulse-order-')), 'fleet.prom');
    const lines = ['node10', 'node2', 'node1'].map((node) => `DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-${node}",Hostname="${node}"} 40`);
    writeFileSync(file, `# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n${lines.join('\n')}\n`);
    let stdout = '';
    const code = await run([file, '--format', 'json'], { stdout: (s) => (stdout += s), stderr: () => undefined, readStdin: async () => Buffer.alloc(0), cwd: tmpdir() });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as SnapshotOutput).gpus.map((g) => g.node)).toEqual(['node1', 'node2', 'node10']);
  });
});
