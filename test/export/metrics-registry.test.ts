// The computed-metrics registry: the four gpu_pulse_* families from GPU snapshots, merged
// self-metrics, content negotiation and gzip; both formats checked by promtool and by the
// project's strict parser.
import { gunzipSync } from 'node:zlib';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { parseExposition } from '../../src/main/core/exposition';
import { acceptsGzip, createPulseMetrics, negotiateFormat } from '../../src/main/core/export/metrics-registry';
import { runPromtool } from './support/peers';

function gpu(over: Partial<GpuSnapshot> & { uuid: string }): GpuSnapshot {
  return {
    key: `node-a/${over.uuid}`,
    node: 'node-a',
    gpuIndex: 0,
    migInstance: null,
    model: 'NVIDIA H100 80GB HBM3',
    sourceId: 't1',
    realUtil: 50,
    realUtilMissing: [],
    class: { label: 'Training (tensor-heavy)', bottleneck: 'compute' },
    health: { state: 'OK', reasons: [] },
    attribution: { pods: [], namespaces: [], jobs: [] },
    readings: {},
    observedAt: 0,
    ...over,
  };
}

const GPUS: GpuSnapshot[] = [
  gpu({ uuid: 'GPU-aaa', realUtil: 73.5 }),
  gpu({
    uuid: 'GPU-bbb',
    gpuIndex: 1,
    realUtil: null,
    class: { label: 'Idle', bottleneck: 'idle' },
    health: {
      state: 'CRIT',
      reasons: [
        { state: 'CRIT', code: 'xid', message: 'new XID 79: fallen off the bus' },
        { state: 'HOT', code: 'gpu-temp', message: 'GPU at 91 C "hot"' },
      ],
    },
  }),
  gpu({ uuid: 'GPU-ccc', node: 'node-b', gpuIndex: 2, migInstance: { id: '3', profile: '1g.10gb' }, realUtil: 0, key: 'node-b/GPU-ccc/mig-3' }),
];

function samples(text: string, format: 'prometheus' | 'openmetrics') {
  const parsed = parseExposition(text, { format, mode: 'strict' });
  expect(parsed.problems).toEqual([]);
  return parsed.families.flatMap((f) => f.samples.map((s) => ({ family: f.name, type: f.type, ...s })));
}

describe('gpu_pulse_* families', () => {
  const metrics = createPulseMetrics({ gpus: () => GPUS });

  it('publishes real utilization as a ratio, only where it is known', async () => {
    const util = samples(await metrics.render('prometheus'), 'prometheus').filter((s) => s.name === 'gpu_pulse_real_utilization_ratio');
    expect(util.map((s) => [s.labels.uuid, s.value])).toEqual([
      ['GPU-aaa', 0.735],
      ['GPU-ccc', 0],
    ]);
    expect(util[1].labels).toEqual({ node: 'node-b', uuid: 'GPU-ccc', gpu: '2', mig_instance: '3' });
  });

  it('publishes one class, health and info series per GPU, value 1, with the details as labels', async () => {
    const all = samples(await metrics.render('prometheus'), 'prometheus');
    const of = (name: string) => all.filter((s) => s.name === name);
    expect(of('gpu_pulse_workload_class').map((s) => [s.labels.uuid, s.labels.class, s.labels.bottleneck, s.value])).toEqual([
      ['GPU-aaa', 'Training (tensor-heavy)', 'compute', 1],
      ['GPU-bbb', 'Idle', 'idle', 1],
      ['GPU-ccc', 'Training (tensor-heavy)', 'compute', 1],
    ]);
    expect(of('gpu_pulse_health').map((s) => [s.labels.uuid, s.labels.state, s.labels.reason])).toEqual([
      ['GPU-aaa', 'OK', ''],
      ['GPU-bbb', 'CRIT', 'xid,gpu-temp'],
      ['GPU-ccc', 'OK', ''],
    ]);
    expect(of('gpu_pulse_gpu_info').find((s) => s.labels.uuid === 'GPU-ccc')!.labels).toEqual({
      node: 'node-b',
      uuid: 'GPU-ccc',
      gpu: '2',
      mig_instance: '3',
      model: 'NVIDIA H100 80GB HBM3',
      mig_profile: '1g.10gb',
    });
  });

  it('follows the snapshots: a GPU that is gone has no series at the next scrape', async () => {
    let current = GPUS;
    const live = createPulseMetrics({ gpus: () => current });
    expect(await live.render('prometheus')).toContain('GPU-bbb');
    current = GPUS.filter((g) => g.uuid !== 'GPU-bbb');
    expect(await live.render('prometheus')).not.toContain('GPU-bbb');
  });

  it('passes promtool check metrics and the strict parser in both formats', async () => {
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const text = await metrics.render(format);
      samples(text, format);
      const lint = await runPromtool(['check', 'metrics'], text);
      expect({ format, code: lint.code, out: lint.stdout + lint.stderr }).toEqual({ format, code: 0, out: '' });
    }
    expect((await metrics.render('openmetrics')).endsWith('# EOF\n')).toBe(true);
  });
});

describe('merged registries', () => {
  it('serves another registry (the self-metrics) alongside, and keeps counter names right after an OpenMetrics rendering', async () => {
    const self = new Registry();
    const errors = new Counter({ name: 'gpu_pulse_scrape_errors_total', help: 'Failed scrapes.', labelNames: ['reason'], registers: [self] });
    errors.inc({ reason: 'down' }, 2);
    const metrics = createPulseMetrics({ gpus: () => GPUS, merge: [self] });
    const om = samples(await metrics.render('openmetrics'), 'openmetrics');
    expect(om.find((s) => s.name === 'gpu_pulse_scrape_errors_total')).toMatchObject({ family: 'gpu_pulse_scrape_errors', type: 'counter', value: 2 });
    // prom-client renames counters in place when rendering OpenMetrics; 0.0.4 must still say _total.
    const text = samples(await metrics.render('prometheus'), 'prometheus');
    expect(text.find((s) => s.family === 'gpu_pulse_scrape_errors_total')).toMatchObject({ type: 'counter', value: 2 });
    const [a, b] = await Promise.all([metrics.render('openmetrics'), metrics.render('prometheus')]);
    expect(a).toContain('# TYPE gpu_pulse_scrape_errors counter');
    expect(b).toContain('# TYPE gpu_pulse_scrape_errors_total counter');
  });
});

describe('content negotiation', () => {
  it('picks OpenMetrics only when the Accept header ranks it first', () => {
    const prometheus3 =
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    const prometheus2 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prometheus3)).toBe('openmetrics');
    expect(negotiateFormat(prometheus2)).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text; version=0.0.1')).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;version=2.0.0')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('garbage;;;')).toBe('prometheus');
  });

  it('gzips only when Accept-Encoding allows it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('answers with the matching Content-Type, Vary and a gzip body when asked', async () => {
    const metrics = createPulseMetrics({ gpus: () => GPUS });
    const om = await metrics.metricsResponse('application/openmetrics-text;version=1.0.0', 'gzip');
    expect(om.headers['Content-Type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.headers['Content-Encoding']).toBe('gzip');
    expect(om.headers.Vary).toBe('Accept, Accept-Encoding');
    const text = gunzipSync(om.body).toString('utf8');
    samples(text, 'openmetrics');
    const plain = await metrics.metricsResponse(undefined, undefined);
    expect(plain.headers['Content-Type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.headers['Content-Encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).not.toContain('# EOF');
    expect(Number(plain.headers['Content-Length'])).toBe(plain.body.length);
  });
});
