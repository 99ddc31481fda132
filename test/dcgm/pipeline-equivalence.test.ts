// The optimised pipeline must give exactly what the original gave: the same GpuSnapshot[],
// extras and problems, with the same key order (snapshots are serialised to the renderer and
// to exports, so JSON text is compared too). The original is the frozen copy the pipeline
// bench uses as its baseline (bench/baseline/dcgm-pipeline-v1, a deliberate duplicate).
//
// Semantics changed on purpose since v1 (issue 22), and those parts are compared through
// v1View, which takes out exactly what changed: the class (now exact over missing inputs,
// tested in classify.test.ts), the fields and health reasons v1 had no alias for, memory
// temperature 0 (now unknown), the estimated framebuffer total and the substitution marks.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDcgmPipeline as createBaselinePipeline } from '../../bench/baseline/dcgm-pipeline-v1';
import { METRIC_ALIASES as V1_ALIASES } from '../../bench/baseline/dcgm-pipeline-v1/dcgm/aliases';
import type { GpuSnapshot, HealthState } from '../../src/shared/gpu';
import { PRESETS } from '../../src/main/core/compute';
import { createDcgmPipeline, METRIC_ALIASES } from '../../src/main/core/dcgm';
import { parseExposition } from '../../src/main/core/exposition';
import type { Family, Labels } from '../../src/main/core/exposition/types';
import { parseDmonCapture } from '../../src/main/core/sources/dmon';
import { createDemoSimulation, renderDemoMetrics } from '../../src/main/core/sources/demo';
import { family } from './helpers';

const shared = path.resolve(__dirname, '../../../shared');
const START = 1_700_000_000_000;

type Ctx = { sourceId: string; fallbackNode: string; observedAt: number };

/** Feeds the same inputs through both pipelines and requires identical results, call by call. */
function compareRuns(inputs: [Family[], Ctx][], weights = PRESETS.ai): number {
  const baseline = createBaselinePipeline({ weights });
  const current = createDcgmPipeline({ weights });
  let gpus = 0;
  for (const [families, ctx] of inputs) {
    const v1 = baseline.ingest(families, ctx);
    const now = current.ingest(families, ctx);
    expect(now.gpus.map((g) => g.key)).toEqual(v1.gpus.map((g) => g.key));
    // A bad value of a field v1 kept raw (or dropped) is now reported like any known field's.
    const problems = now.problems.filter((p) => ![...NEW_NAMES].some((name) => p.message.startsWith(`${name} = `)));
    const actual = { ...now, problems, gpus: now.gpus.map((g, i) => v1View(g, v1.gpus[i]).actual) };
    const expected = { ...v1, gpus: v1.gpus.map((g, i) => v1View(now.gpus[i], g).expected) };
    expect(actual).toStrictEqual(expected);
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
    gpus += actual.gpus.length;
  }
  return gpus;
}

function parse(text: string): Family[] {
  const parsed = parseExposition(text, { mode: 'lenient' });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return parsed.families;
}

describe('pipeline equivalence with the original implementation', () => {
  it('over a sequence of 8-GPU demo scrapes: rates, stopped counters, a reset and forgotten entities', () => {
    const sims = [1, 2, 3].map((seed) => createDemoSimulation({ gpus: 8, hostname: `node-${seed}`, seed }));
    // [which node's body, simulation time s, observedAt s]: 5 s scrapes, a repeated instant,
    // 70 s without new values (counters called stopped), the simulation stepping back (counters
    // go down: a reset), and another node's GPUs that are gone for over an hour (forgotten).
    const steps: [number, number, number][] = [
      [0, 0, 0], [0, 5, 5], [0, 10, 10], [0, 10, 10], [0, 15, 15], [1, 15, 15], [0, 20, 20], [0, 20, 90],
      [0, 25, 95], [0, 30, 100], [0, 12, 105], [0, 17, 110], [0, 22, 115], [1, 4000, 4000], [0, 4005, 4005], [0, 4010, 4010],
      [2, 5000, 5000], [2, 5005, 5005], [1, 5010, 5010],
    ];
    const bodies = new Map<string, Family[]>();
    const inputs = steps.map(([node, simS, atS]): [Family[], Ctx] => {
      const key = `${node}/${simS}`;
      if (!bodies.has(key)) bodies.set(key, parse(renderDemoMetrics(sims[node], START + simS * 1000)));
      return [bodies.get(key)!, { sourceId: 'demo', fallbackNode: 'demo:9400', observedAt: START + atS * 1000 }];
    });
    expect(compareRuns(inputs)).toBe(8 * steps.length);
  });

  it('with the hpc and mem weight presets too', () => {
    const sim = createDemoSimulation({ gpus: 8, hostname: 'weights', seed: 7 });
    const inputs = [0, 5, 10].map((s): [Family[], Ctx] => [
      parse(renderDemoMetrics(sim, START + s * 1000)),
      { sourceId: 'w', fallbackNode: 'w:9400', observedAt: START + s * 1000 },
    ]);
    compareRuns(inputs, PRESETS.hpc);
    compareRuns(inputs, PRESETS.mem);
  });

  const captures = [
    ...readdirSync(path.join(shared, 'dcgm-exporter-samples'))
      .filter((f) => f.endsWith('.prom'))
      .map((f) => path.join(shared, 'dcgm-exporter-samples', f)),
    path.join(shared, 'kempnerpulse/prometheus_sample.prom'),
  ];

  it.each(captures.map((file) => [path.basename(file), file]))('on the genuine capture %s, scraped twice', (_name, file) => {
    const families = parse(readFileSync(file, 'utf8'));
    const ctx = { sourceId: file, fallbackNode: 'file:9400', observedAt: START };
    expect(compareRuns([[families, ctx], [families, { ...ctx, observedAt: START + 5_000 }]])).toBeGreaterThan(0);
  });

  it('on the KempnerPulse dcgmi dmon capture, tick by tick', () => {
    const capture = parseDmonCapture(readFileSync(path.join(shared, 'kempnerpulse/dcgmi_dmon_2tick.txt'), 'utf8'));
    const inputs = capture.ticks.map((tick, i): [Family[], Ctx] => [tick.families, { sourceId: 'dmon', fallbackNode: 'dmon-host', observedAt: START + i * 1000 }]);
    expect(compareRuns(inputs)).toBe(4);
  });

  it('on edge cases of identity: NUL inside labels, a host label that looks like a target, hostless series', () => {
    const rows: [string, Labels, number][] = [
      // Two triples that join to the same NUL-separated key were one GPU, and stay one.
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '0', Hostname: 'a\u0000b', UUID: 'c' }, 40],
      ['DCGM_FI_DEV_POWER_USAGE', { gpu: '1', Hostname: 'a', UUID: 'b\u0000c' }, 300],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '2', Hostname: 'a', UUID: 'b', GPU_I_ID: 'x\u0000' }, 41],
      // `target:h1` as a host label and instance h1 without one share a node key.
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '3', Hostname: 'target:h1', UUID: 'GPU-t' }, 42],
      ['DCGM_FI_DEV_POWER_USAGE', { gpu: '3', instance: 'h1', UUID: 'GPU-t' }, 250],
      // Hostless series fold into the one hosted GPU of their UUID, not into two.
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '4', Hostname: 'h1', UUID: 'GPU-m' }, 43],
      ['DCGM_FI_DEV_POWER_USAGE', { gpu: '4', UUID: 'GPU-m' }, 200],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '4', UUID: 'GPU-m' }, 46],
      ['DCGM_FI_DEV_ENFORCED_POWER_LIMIT', { gpu: '4', UUID: 'GPU-m' }, 500],
      ['DCGM_FI_DEV_POWER_MGMT_LIMIT', { gpu: '4', Hostname: 'h1', UUID: 'GPU-m' }, 700],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '5', Hostname: 'h1', UUID: 'GPU-two' }, 44],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '5', Hostname: 'h2', UUID: 'GPU-two' }, 45],
      ['DCGM_FI_DEV_POWER_USAGE', { gpu: '5', UUID: 'GPU-two', instance: 'p:9400' }, 100],
      ['DCGM_FI_DEV_FUTURE_FIELD', { gpu: '5', UUID: 'GPU-two', instance: 'p:9400' }, 1],
      // The same series per pod: the first value stands; a lower-ranked name loses to a higher one.
      ['DCGM_FI_DEV_GPU_UTIL', { gpu: '6', Hostname: 'h1', UUID: 'GPU-p', pod: 'a' }, 10],
      ['DCGM_FI_DEV_GPU_UTIL', { gpu: '6', Hostname: 'h1', UUID: 'GPU-p', pod: 'b' }, 20],
      ['DCGM_FI_DEV_POWER_MGMT_LIMIT', { gpu: '6', Hostname: 'h1', UUID: 'GPU-p' }, 700],
      ['DCGM_FI_DEV_ENFORCED_POWER_LIMIT', { gpu: '6', Hostname: 'h1', UUID: 'GPU-p' }, 500],
      ['DCGM_FI_DEV_BOARD_POWER_LIMIT_ENFORCED_WATTS', { gpu: '6', Hostname: 'h1', UUID: 'GPU-p' }, 400],
      // The same bad value per pod is one problem; a ratio just past 1 is clamped.
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '7', Hostname: 'h1', UUID: 'GPU-q', pod: 'a' }, 500],
      ['DCGM_FI_DEV_GPU_TEMP', { gpu: '7', Hostname: 'h1', UUID: 'GPU-q', pod: 'b' }, 500],
      ['DCGM_FI_PROF_SM_ACTIVE', { gpu: '7', Hostname: 'h1', UUID: 'GPU-q' }, 1.005],
    ];
    for (const grouped of [false, true]) {
      compareRuns([[toFamilies(rows, grouped), { sourceId: 's', fallbackNode: 'f:9400', observedAt: START }]]);
    }
  });

  it('on arbitrary series: identity labels, MIG, attribution, entities, bad values, all name generations', () => {
    // v1's names and the ones for fields it lacked; not the 1.x spellings of fields v1 had
    // (dcgm_fi_prof_*), which v1 kept raw and which would change the score, not just add to it.
    const names = [...V1_ALIASES.keys(), ...NEW_NAMES, 'DCGM_FI_DEV_SOMETHING_NEW', 'dcgm_other', 'node_load1', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_L0'];
    const identityLabels = [
      'gpu', 'UUID', 'uuid', 'Hostname', 'hostname', 'modelName', 'GPU_I_ID', 'GPU_I_PROFILE', 'instance',
      'nvlink', 'nvswitch', 'cpu', 'cpucore', 'gpu_uuid',
    ];
    const attributionLabels = ['pod', 'pod_name', 'exported_pod', 'namespace', 'pod_namespace', 'exported_namespace', 'hpc_job', 'vgpu', 'container'];
    const labelValues = ['', '0', '1', '01', 'GPU-a', 'GPU-b', 'h1', 'h2', 'target:h1', 'x y', '7', 'NVIDIA H100 80GB HBM3', 'A100', 'a\u0000b'];
    const value = fc.oneof(
      fc.double(),
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.constantFrom(NaN, Infinity, -Infinity, 4294967295, 9223372036854775794, -1, 0, 1, 100.5, 1e300, 13, 48, 79, 1e9),
    );
    const labelSet = (names: string[]) => fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...labelValues), { maxKeys: 6 });
    // A few identities shared by many rows, so GPUs get several fields, repeated series per pod
    // or job, and hostless twins; then a few scrapes of the same rows with drifting values, so
    // counters, XIDs and remapped rows change between calls.
    const input = fc.record({
      identities: fc.array(labelSet(identityLabels), { minLength: 1, maxLength: 4 }),
      rows: fc.array(fc.tuple(fc.constantFrom(...names), fc.nat(), labelSet(attributionLabels), value), { maxLength: 50 }),
      steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 120_000 }), fc.array(value, { minLength: 1, maxLength: 60 })), { minLength: 1, maxLength: 4 }),
      grouped: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ identities, rows, steps, grouped }) => {
        let at = START;
        const inputs = steps.map(([dt, drift]): [Family[], Ctx] => {
          at += dt;
          const scraped = rows.map(([name, who, attribution, v], i): [string, Labels, number] => [
            name,
            { ...identities[who % identities.length], ...attribution },
            i % 3 === 0 ? drift[i % drift.length] : v,
          ]);
          return [toFamilies(scraped, grouped), { sourceId: 's', fallbackNode: 'fallback:9400', observedAt: at }];
        });
        compareRuns(inputs);
      }),
      { numRuns: 500 },
    );
  });
});

/** Canonical fields v1 had no alias for, and the exporter names that now map to them. */
const NEW_FIELDS = new Set(['eccSbeVolatileTotal', 'eccDbeVolatileTotal', 'eccSbeAggregateTotal', 'eccDbeAggregateTotal', 'retiredPagesSbe', 'retiredPagesDbe', 'retiredPagesPending', 'clockEventReasons']);
const NEW_NAMES = new Set([...METRIC_ALIASES].filter(([name, a]) => !V1_ALIASES.has(name) && NEW_FIELDS.has(a.field)).map(([name]) => name));
/** Health reason codes from those fields. */
const NEW_REASON = /^(ecc-|page-retirement|retired-pages|clocks-)/;
const HEALTH_ORDER: HealthState[] = ['CRIT', 'WARN', 'HOT', 'OK'];

/** Both snapshots of one GPU with what changed on purpose since v1 taken out (see the header). */
function v1View(now: GpuSnapshot, v1: GpuSnapshot): { actual: GpuSnapshot; expected: GpuSnapshot } {
  const { class: _c, substitutes: _s, approximate, ...actual } = structuredClone(now);
  const { class: _c1, ...expected } = structuredClone(v1);
  for (const field of NEW_FIELDS) delete actual.readings[field as keyof typeof actual.readings];
  if (actual.readings.memTempC === null && expected.readings.memTempC === 0) actual.readings.memTempC = 0;
  if (approximate?.includes('fbTotalBytes') && expected.readings.fbTotalBytes === undefined) delete actual.readings.fbTotalBytes;
  const reasons = actual.health.reasons.filter((r) => !NEW_REASON.test(r.code));
  const state = HEALTH_ORDER.find((s) => reasons.some((r) => r.state === s)) ?? 'OK';
  actual.health = { state: reasons.length > 0 ? state : 'OK', reasons };
  if (expected.raw) {
    for (const name of NEW_NAMES) delete expected.raw[name];
    if (Object.keys(expected.raw).length === 0) delete expected.raw;
  }
  return { actual: actual as GpuSnapshot, expected: expected as GpuSnapshot };
}

/** One family per sample, or grouped by name as a parser gives them (several samples each). */
function toFamilies(rows: [string, Labels, number][], grouped: boolean): Family[] {
  if (!grouped) return rows.map(([n, l, v]) => family(n, [[l, v]]));
  const byName = new Map<string, [Labels, number][]>();
  for (const [n, l, v] of rows) byName.set(n, [...(byName.get(n) ?? []), [l, v]]);
  return [...byName].map(([n, series]) => family(n, series));
}
