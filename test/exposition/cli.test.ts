// gpu-pulse lint / parse, through run() with a captured io and once through the built CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run as lint } from '../../src/main/cli/commands/lint';
import { run as parse } from '../../src/main/cli/commands/parse';
import type { CliIo } from '../../src/main/cli/io';
import { CONFORMANCE, SHARED } from './helpers';

const ROOT = join(__dirname, '../..');

function capture(stdin = ''): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readStdin: async () => Buffer.from(stdin),
    cwd: SHARED,
    out: () => out,
    err: () => err,
  };
}

const DCGM = 'dcgm-exporter-samples/cncf-kops-v1.35_nvidia-l4_full-scrape.prom';
const BAD00 = 'conformance/expfmt-cases/bad-00.prom';
const OM5 = 'bench-data/alltypes.5mfs.om.txt';

describe('gpu-pulse lint', () => {
  it('prints PATH: ok for a valid file and exits 0', async () => {
    const io = capture();
    expect(await lint([DCGM], io)).toBe(0);
    expect(io.out()).toBe(`${DCGM}: ok\n`);
  });

  it('prints the first error with line and column and exits 1 when any input is invalid', async () => {
    const io = capture();
    expect(await lint([DCGM, BAD00], io)).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toBe(`${DCGM}: ok`);
    expect(lines[1]).toMatch(new RegExp(`^${BAD00}:3:\\d+: error: .*line feed`));
    expect(lines).toHaveLength(2);
  });

  it('passes leniently what Prometheus ingests, with warnings', async () => {
    const strict = capture();
    expect(await lint([OM5], strict)).toBe(1);
    expect(strict.out()).toMatch(/^bench-data\/alltypes\.5mfs\.om\.txt:\d+:1: error: /);
    const lenient = capture();
    expect(await lint(['--lenient', OM5], lenient)).toBe(0);
    const lines = lenient.out().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^bench-data\/alltypes\.5mfs\.om\.txt:\d+:\d+: warning: /);
    expect(lenient.out()).toContain('negative buckets and a _sum');
  });

  it('honours --format and --names', async () => {
    const utf8 = join(CONFORMANCE, 'openmetrics-suite-extra/parsers/pyclient_utf8_good_00/metrics');
    expect(await lint(['--format', 'om', utf8], capture())).toBe(0);
    const legacy = capture();
    expect(await lint(['--format', 'om', '--names', 'legacy', utf8], legacy)).toBe(1);
    expect(legacy.out()).toContain('invalid metric name "my.counter"');
    // A 0.0.4 file read as OpenMetrics fails (no # EOF); read as 0.0.4 it passes.
    expect(await lint(['--format', 'om', DCGM], capture())).toBe(1);
    expect(await lint(['--format', 'prom', DCGM], capture())).toBe(0);
  });

  it('reads standard input for -', async () => {
    const io = capture('a{b="c"} 1\nbroken line\n');
    expect(await lint(['-'], io)).toBe(1);
    expect(io.out()).toMatch(/^-:2:8: error: /);
  });

  it('reports unreadable files and bad usage', async () => {
    const io = capture();
    expect(await lint(['no-such-file.prom'], io)).toBe(1);
    expect(io.out()).toBe('no-such-file.prom: error: cannot read: no such file\n');
    const usage = capture();
    expect(await lint(['--format', 'xml', DCGM], usage)).toBe(2);
    expect(usage.err()).toContain('--format must be prom, om or auto');
    expect(await lint([], capture())).toBe(2);
  });
});

describe('gpu-pulse parse', () => {
  it('prints families and samples as JSON, OpenMetrics seconds as milliseconds', async () => {
    const io = capture('# TYPE a counter\n# HELP a Requests.\na_total{x="y"} 12345678901234567890 1700000000.5 # {t="1"} 0.5 1700000000.25\n# TYPE g gauge\ng NaN\ng{k="v"} -Inf\n# EOF\n');
    expect(await parse(['-'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out())).toEqual({
      format: 'openmetrics',
      families: [
        {
          name: 'a',
          type: 'counter',
          help: 'Requests.',
          unit: null,
          samples: [
            {
              name: 'a_total',
              labels: { x: 'y' },
              value: 12345678901234567000,
              valueText: '12345678901234567890',
              timestampMs: 1700000000500,
              exemplar: { labels: { t: '1' }, value: 0.5, timestampMs: 1700000000250 },
            },
          ],
        },
        {
          name: 'g',
          type: 'gauge',
          help: null,
          unit: null,
          samples: [
            { name: 'g', labels: {}, value: 'NaN', valueText: 'NaN', timestampMs: null, exemplar: null },
            { name: 'g', labels: { k: 'v' }, value: '-Inf', valueText: '-Inf', timestampMs: null, exemplar: null },
          ],
        },
      ],
    });
  });

  it('parses a real file to the same sample count as its sample lines', async () => {
    const io = capture();
    expect(await parse([DCGM], io)).toBe(0);
    const json = JSON.parse(io.out()) as { format: string; families: { samples: unknown[] }[] };
    expect(json.format).toBe('prometheus');
    const sampleLines = readFileSync(join(SHARED, DCGM), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(json.families.reduce((n, f) => n + f.samples.length, 0)).toBe(sampleLines.length);
  });

  it('prints the problems instead and exits 1 for an invalid input', async () => {
    const io = capture();
    expect(await parse([BAD00], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(new RegExp(`^${BAD00}:3:\\d+: error: `));
  });
});

/** The built bundle, when `npm run build` has run since the last change to these sources. */
function freshBuild(): string | null {
  const bundle = join(ROOT, 'out/main/cli.js');
  if (!existsSync(bundle)) return null;
  const built = statSync(bundle).mtimeMs;
  const sources = [
    ...readdirSync(join(ROOT, 'src/main/core/exposition')).map((f) => join(ROOT, 'src/main/core/exposition', f)),
    join(ROOT, 'src/main/cli/commands/lint.ts'),
    join(ROOT, 'src/main/cli/commands/parse.ts'),
  ];
  return sources.every((f) => statSync(f).mtimeMs <= built) ? bundle : null;
}

describe('built CLI', () => {
  const bundle = freshBuild();
  if (!bundle) {
    it.skip('bin/gpu-pulse.js (no build newer than the sources; run npm run build)', () => {});
    return;
  }
  it('lints through bin/gpu-pulse.js with the documented output and exit codes', () => {
    const bin = join(ROOT, 'bin/gpu-pulse.js');
    expect(execFileSync(process.execPath, [bin, 'lint', DCGM], { cwd: SHARED, encoding: 'utf8' })).toBe(`${DCGM}: ok\n`);
    const bad = spawnSync(process.execPath, [bin, 'lint', BAD00], { cwd: SHARED, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`^${BAD00}:3:\\d+: error: `));
    const json = JSON.parse(execFileSync(process.execPath, [bin, 'parse', OM5, '--lenient'], { cwd: SHARED, encoding: 'utf8' }));
    expect(json.format).toBe('openmetrics');
  });
});
