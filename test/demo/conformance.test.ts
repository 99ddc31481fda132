// Acceptance: the demo exporter's output is accepted by promtool and by the Python client's
// parser, fetched over real HTTP. Both tools come from Debian packages (CI installs them);
// when they are missing these tests fail, loudly, rather than skip.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_FIELDS, startDemoExporter } from '../../src/main/core/sources/demo';
import { sampleLines } from './helpers';

const PROMTOOL = '/usr/bin/promtool';
// Only the system interpreter has python3-prometheus-client; the python3 first on PATH may not.
const PYTHON = '/usr/bin/python3';

function runTool(cmd: string, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // a tool that exits early must not crash the test
    child.stdin.end(input);
  });
}

// Parses stdin with prometheus_client and prints every sample as JSON, so the test can compare
// what Python read against what was rendered (names, labels in order, values).
const PY_PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(sys.stdin.read()))
print(json.dumps({
  "families": [[f.name, f.type, f.documentation] for f in fams],
  "samples": [[s.name, s.labels, s.value, s.timestamp] for f in fams for s in f.samples],
}))
`;

describe('demo exporter output passes the reference parsers', () => {
  let exp: Awaited<ReturnType<typeof startDemoExporter>>;
  let body: string;

  beforeAll(async () => {
    exp = await startDemoExporter({ port: 0, host: '127.0.0.1', gpus: 8, hostname: 'conformance-node', seed: 5 });
    const res = await fetch(exp.url);
    expect(res.status).toBe(200);
    body = await res.text();
  });
  afterAll(async () => {
    await exp?.close();
  });

  it('promtool check metrics reports no parse errors (lint warnings only)', async () => {
    if (!existsSync(PROMTOOL)) {
      throw new Error(`${PROMTOOL} is missing: install the Debian package "prometheus" (provides promtool) to run this acceptance test`);
    }
    const { code, stdout, stderr } = await runTool(PROMTOOL, ['check', 'metrics'], body);
    const out = stdout + stderr;
    expect(out).not.toMatch(/parsing error|error while linting/i);
    // Exit 0 = clean, 3 = lint problems only; 1 would be a failure to read the text.
    expect([0, 3]).toContain(code);
    // Every line promtool prints is a lint remark about one of our families — the kinds real
    // dcgm-exporter output also gets (camelCase labels, counters without _total, ...).
    const names = new Set(DEMO_FIELDS.map((f) => f.name));
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, ...rest] = line.split(' ');
      expect(names.has(name), line).toBe(true);
      expect(rest.join(' ')).toMatch(/snake_case|_total|should not include type|suffix/);
    }
  });

  it('the Python client parser reads every rendered sample, with the same labels and values', async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3 and python3-prometheus-client`);
    const probe = await runTool(PYTHON, ['-c', 'import prometheus_client.parser'], '');
    if (probe.code !== 0) {
      throw new Error(`${PYTHON} cannot import prometheus_client (install the Debian package python3-prometheus-client): ${probe.stderr.trim()}`);
    }
    const { code, stdout, stderr } = await runTool(PYTHON, ['-c', PY_PARSE], body);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as {
      families: Array<[string, string, string]>;
      samples: Array<[string, Record<string, string>, number, number | null]>;
    };
    const rendered = sampleLines(body);
    expect(parsed.samples).toHaveLength(rendered.length);
    expect(rendered).toHaveLength(DEMO_FIELDS.length * 8);
    expect(parsed.families.map(([name]) => name)).toEqual(DEMO_FIELDS.map((f) => f.name));
    expect(parsed.families.map(([, type]) => type)).toEqual(DEMO_FIELDS.map((f) => f.type));
    const types = new Map(DEMO_FIELDS.map((f) => [f.name, f.type]));
    parsed.samples.forEach(([name, labels, value, ts], i) => {
      const r = rendered[i];
      // The Python client normalises counter samples to OpenMetrics naming (adds `_total`);
      // the family keeps the exporter's name, checked above.
      expect(name).toBe(types.get(r.name) === 'counter' ? `${r.name}_total` : r.name);
      expect(Object.entries(labels)).toEqual(r.labels);
      expect(value).toBeCloseTo(Number(r.value), 6);
      expect(ts).toBeNull();
    });
  });
});
