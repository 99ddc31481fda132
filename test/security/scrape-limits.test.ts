// Sample and GPU limits on one scraped body.
import { describe, expect, it } from 'vitest';
import { parseScrapeBody } from '../../src/main/core/fleet/scrape-limits';

const body = (gpus: number, fieldsPerGpu: number) => {
  const lines = ['# TYPE DCGM_FI_DEV_GPU_TEMP gauge'];
  for (let g = 0; g < gpus; g++) for (let f = 0; f < fieldsPerGpu; f++) lines.push(`DCGM_FI_DEV_GPU_TEMP{gpu="${g}",UUID="GPU-${g}",Hostname="n",f="${f}"} 40`);
  return Buffer.from(lines.join('\n') + '\n');
};

describe('parseScrapeBody', () => {
  it('parses a body within the limits like the one-shot parser', async () => {
    const out = await parseScrapeBody(body(8, 10), { format: 'prometheus' });
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.result.families[0]!.samples).toHaveLength(80);
  });

  it('reads its input as the one-shot parser does: a body that does not inflate is a problem, not a throw', async () => {
    const bounded = await parseScrapeBody(Uint8Array.from([0x1f, 0x8b]), { format: 'prometheus' });
    expect(bounded.ok).toBe(true);
    if (bounded.ok) expect(bounded.result.problems[0]).toMatchObject({ line: 1, column: 1, code: 'invalid-gzip' });
  });

  it('stops at the sample limit and names the figure and the limit', async () => {
    const out = await parseScrapeBody(body(8, 100), { format: 'prometheus', sampleLimit: 500 });
    expect(out).toMatchObject({ ok: false, outcome: { state: 'too-large' } });
    if (!out.ok) expect(out.outcome.message).toBe("800 samples in one scrape, over this target's limit of 500");
  });

  it('counts comments, blank and CRLF lines as no samples', async () => {
    const text = Buffer.from('# HELP x y\r\n# TYPE x gauge\r\n\r\n  \nx 1\r\nx{a="b"} 2\n');
    const out = await parseScrapeBody(text, { format: 'prometheus', sampleLimit: 2 });
    expect(out.ok).toBe(true);
  });

  it('refuses more GPUs than the GPU limit', async () => {
    const out = await parseScrapeBody(body(300, 1), { format: 'prometheus' });
    expect(out).toMatchObject({ ok: false, outcome: { state: 'too-large', message: "300 GPUs in one scrape, over this target's limit of 256" } });
  });

  it('counts GPUs as translation names them: 1.x lowercase names, and NvSwitch series as no GPU', async () => {
    const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n') + '\n';
    const old = Buffer.from(lines(300, (i) => `dcgm_gpu_temp{gpu="${i}",uuid="GPU-${i}",hostname="n"} 40`));
    expect(await parseScrapeBody(old, { format: 'prometheus' })).toMatchObject({ ok: false, outcome: { state: 'too-large' } });
    const switches = Buffer.from(lines(300, (i) => `DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT{nvswitch="${i}",gpu="${i}",Hostname="n"} 40`));
    expect((await parseScrapeBody(switches, { format: 'prometheus' })).ok).toBe(true);
  });

  it('slices a multi-megabyte body on line boundaries without losing or splitting samples', async () => {
    const out = await parseScrapeBody(body(40, 1000), { format: 'prometheus', sampleLimit: 100_000 });
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.result.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(out.result.families[0]!.samples).toHaveLength(40_000);
    }
  });
});
