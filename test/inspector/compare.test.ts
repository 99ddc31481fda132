// GPU-by-GPU pairing of two files.
import { describe, expect, it } from 'vitest';
import { compareGpus } from '../../src/main/core/inspect/compare';
import { gpu } from '../renderer/fake-api';

const at = (node: string, index: number, uuid = `GPU-${node}-${index}`) => gpu({ key: `${node}/${uuid}`, node, uuid, gpuIndex: index });

describe('compareGpus', () => {
  it('pairs the same GPU (node and UUID) with itself, in node and index order', () => {
    const a = [at('n1', 1), at('n1', 0)];
    const b = [at('n1', 0, 'GPU-n1-0'), at('n1', 1)];
    const rows = compareGpus(a, b);
    expect(rows.map((r) => [r.key, r.a?.gpuIndex, r.b?.gpuIndex])).toEqual([
      ['n1/GPU-n1-0', 0, 0],
      ['n1/GPU-n1-1', 1, 1],
    ]);
  });

  it('pairs by node and index when a UUID changed (a swapped board), and keeps the unmatched', () => {
    const rows = compareGpus([at('n1', 0, 'GPU-old'), at('n1', 1)], [at('n1', 0, 'GPU-new'), at('n1', 2)]);
    expect(rows.map((r) => [r.a?.uuid ?? null, r.b?.uuid ?? null])).toEqual([
      ['GPU-old', 'GPU-new'],
      ['GPU-n1-1', null],
      [null, 'GPU-n1-2'],
    ]);
    expect(rows[0]!.key).toBe('n1/GPU-old ↔ n1/GPU-new');
  });

  it('lines up GPU 0 with GPU 0 across two different single-node files, but not across fleets', () => {
    const single = compareGpus([at('host-a', 0), at('host-a', 1)], [at('host-b', 1), at('host-b', 0)]);
    expect(single.map((r) => [r.a?.node, r.a?.gpuIndex, r.b?.node, r.b?.gpuIndex])).toEqual([
      ['host-a', 0, 'host-b', 0],
      ['host-a', 1, 'host-b', 1],
    ]);
    const fleets = compareGpus([at('a1', 0), at('a2', 0)], [at('b1', 0)]);
    expect(fleets.every((r) => r.a === null || r.b === null)).toBe(true);
    expect(fleets).toHaveLength(3);
  });
});
