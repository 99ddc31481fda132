// `gpu-pulse FILE` / `gpu-pulse open FILE`: the inspector's summary in a terminal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/main/cli/commands/open';
import type { CliIo } from '../../src/main/cli/io';
import { L4, tempDir } from './support';

const tmp = tempDir();
afterAll(() => tmp.remove());

function io(): CliIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    stdout: (s: string) => void (r.out += s),
    stderr: (s: string) => void (r.err += s),
    readStdin: async () => Buffer.alloc(0),
    cwd: tmp.dir,
  };
  return r;
}

describe('gpu-pulse open', () => {
  it('prints the format, the GPUs and the families of a dcgm capture, and exits 0', async () => {
    const t = io();
    expect(await run([L4], t)).toBe(0);
    expect(t.out).toContain('Prometheus text 0.0.4 · 7.7 KiB · 23 families · 23 series · 0 errors · 0 warnings');
    expect(t.out).toMatch(/GPUs: 1 on 1 node\(s\)\n\s+NODE\s+GPU\s+MODEL\s+REAL\s+CLASS\s+HEALTH\s+POWER\s+TEMP\n\s+i-030791dc5a37cd257\s+0\s+NVIDIA L4\s/);
    expect(t.out).toMatch(/\n\s+DCGM_FI_DEV_SM_CLOCK\s+gauge\s+1\s+-\s+SM clock frequency \(in MHz\)\.\n/);
    expect(t.err).toBe('');
  });

  it('prints each problem as file:line:column and exits 1 when a file has errors', async () => {
    const file = join(tmp.dir, 'broken.prom');
    writeFileSync(file, 'up 1\nup{a="1" 2\nok 3\n');
    const t = io();
    expect(await run(['broken.prom'], t)).toBe(1);
    expect(t.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:10: error: .*\\[expected-label-separator\\]$`, 'm'));
  });

  it('prints JSON with --json', async () => {
    const t = io();
    expect(await run(['--json', L4], t)).toBe(0);
    const [info] = JSON.parse(t.out);
    expect(info).toMatchObject({ name: 'cncf-kops-v1.35_nvidia-l4_full-scrape.prom', status: 'done', format: 'prometheus', sampleCount: 23 });
    expect(info.gpus[0].model).toBe('NVIDIA L4');
  });

  it('exits 1 for a file that does not exist and 2 on bad usage', async () => {
    const t = io();
    expect(await run(['nope.prom'], t)).toBe(1);
    expect(t.err).toMatch(/nope\.prom: error: cannot open .*: no such file/);
    expect(await run([], io())).toBe(2);
    expect(await run(['--families', 'x', L4], io())).toBe(2);
  });
});
