import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTargetsFile, TargetsFileError } from '../../src/main/core/fleet/targets-file';

const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('parseTargetsFile', () => {
  it('reads one URL per line, with comments, bare host:port and default path', async () => {
    const path = file(
      'targets.txt',
      ['# lab nodes', 'http://node01:9400/metrics', '', 'node02:9400   # bare address', 'https://node03:9400', 'node04:9400/custom', 'http://node01:9400/metrics'].join('\n'),
    );
    const targets = await parseTargetsFile(path);
    expect(targets.map((t) => t.url)).toEqual([
      'http://node01:9400/metrics',
      'http://node02:9400/metrics',
      'https://node03:9400/metrics',
      'http://node04:9400/custom',
    ]);
    expect(targets[0]).toMatchObject({ id: 'http://node01:9400/metrics', intervalMs: 15_000, timeoutMs: 10_000, auth: { kind: 'none' }, pinned: false });
  });

  it('ignores a byte order mark and Windows line endings', async () => {
    const path = file('bom.txt', '\uFEFFhttp://a:9400/metrics\r\nb:9400\r\n');
    expect((await parseTargetsFile(path)).map((t) => t.url)).toEqual(['http://a:9400/metrics', 'http://b:9400/metrics']);
  });

  it('names the line of a bad entry', async () => {
    const path = file('bad.txt', 'http://ok:9400/metrics\nftp://nope/x\n');
    await expect(parseTargetsFile(path)).rejects.toThrow(/bad\.txt:2: not an http\(s\) URL/);
    const spaced = file('spaced.txt', 'http://a:1/metrics http://b:1/metrics\n');
    await expect(parseTargetsFile(spaced)).rejects.toBeInstanceOf(TargetsFileError);
  });

  it('reads file_sd JSON, honouring __scheme__, __metrics_path__ and __param_ labels', async () => {
    const path = file(
      'sd.json',
      JSON.stringify([
        { targets: ['gpu1:9400', 'gpu2:9400'], labels: { job: 'dcgm', __scheme__: 'https' } },
        { targets: ['gpu3:9100'], labels: { __metrics_path__: '/probe', __param_module: 'gpu', instance: 'gpu three' } },
        { targets: ['gpu4:9400'] },
      ]),
    );
    const targets = await parseTargetsFile(path, { intervalMs: 5000 });
    expect(targets.map((t) => [t.url, t.group, t.name, t.intervalMs])).toEqual([
      ['https://gpu1:9400/metrics', 'dcgm', '', 5000],
      ['https://gpu2:9400/metrics', 'dcgm', '', 5000],
      ['http://gpu3:9100/probe?module=gpu', '', 'gpu three', 5000],
      ['http://gpu4:9400/metrics', '', '', 5000],
    ]);
  });

  it('reads file_sd YAML', async () => {
    const path = file('sd.yml', '- targets: [\"a:9400\", \"b:9400\"]\n  labels:\n    group: rack1\n');
    const targets = await parseTargetsFile(path);
    expect(targets.map((t) => [t.url, t.group])).toEqual([
      ['http://a:9400/metrics', 'rack1'],
      ['http://b:9400/metrics', 'rack1'],
    ]);
  });

  it('rejects malformed file_sd with the reason', async () => {
    await expect(parseTargetsFile(file('x.json', '[{"targets": "a:1"}]'))).rejects.toThrow(/not a file_sd target list \(0\.targets/);
    await expect(parseTargetsFile(file('y.json', '[{"targets": ["http://a:1"]}]'))).rejects.toThrow(/host:port/);
    await expect(parseTargetsFile(file('z.yaml', '- targets: [a:1]\n  labels: {__scheme__: ftp}\n'))).rejects.toThrow(/__scheme__ must be http or https/);
    await expect(parseTargetsFile(file('broken.json', '[{'))).rejects.toThrow(/invalid JSON/);
    await expect(parseTargetsFile(join(dir, 'missing.txt'))).rejects.toThrow(/cannot read \(ENOENT\)/);
  });

  it('names the line of the entry at fault in file_sd JSON and YAML', async () => {
    const json = file('lines.json', '[\n  {"targets": ["a:9400"]},\n  {"targets": ["b:9400",\n               "http://c:9400"]}\n]\n');
    await expect(parseTargetsFile(json)).rejects.toThrow(/lines\.json:4: entry 2: file_sd targets are host:port/);
    const shape = file('shape.json', '[\n  {"targets": ["a:9400"]},\n  {"targets": "b:9400"}\n]\n');
    await expect(parseTargetsFile(shape)).rejects.toThrow(/shape\.json:3: not a file_sd target list \(1\.targets/);
    const syntax = file('syntax.json', '[\n  {"targets": ["a:9400"]},\n  {"targets": ["b:9400"],}\n]\n');
    await expect(parseTargetsFile(syntax)).rejects.toThrow(/syntax\.json:3: invalid JSON/);
    const truncated = file('truncated.json', '[\n  {"targets": ["a:9400"]},\n  {"targets": [\n');
    await expect(parseTargetsFile(truncated)).rejects.toThrow(/truncated\.json:3: invalid JSON/);
    const scheme = file('scheme.yml', '- targets: [a:1]\n- targets: [b:1]\n  labels:\n    job: x\n    __scheme__: ftp\n');
    await expect(parseTargetsFile(scheme)).rejects.toThrow(/scheme\.yml:5: entry 2: __scheme__ must be http or https/);
    const yamlSyntax = file('syntax.yaml', '- targets: [a:1]\n- targets: [b:1\n  labels: {job: x}\n');
    const error = await parseTargetsFile(yamlSyntax).catch((e: TargetsFileError) => e);
    expect(error).toBeInstanceOf(TargetsFileError);
    expect((error as TargetsFileError).line).toBeGreaterThanOrEqual(2);
    expect((error as TargetsFileError).message).toMatch(/^.*syntax\.yaml:\d+: invalid YAML/);
  });
});
