// The per-sample label reader names its labels directly (for speed); the tables stay the
// documented list (and the Prometheus source reads them). These tests hold the two together.
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_LABELS,
  ENTITY_LABELS,
  LABEL_ALIASES,
  SeriesLabels,
  readSeriesLabels,
} from '../../src/main/core/dcgm/labels';
import type { Labels } from '../../src/main/core/exposition/types';

/** Which field of SeriesLabels each LABEL_ALIASES row fills. */
const FIELDS: Record<keyof typeof LABEL_ALIASES, keyof SeriesLabels> = {
  uuid: 'uuid',
  node: 'node',
  model: 'model',
  gpuIndex: 'gpuIndex',
  migInstanceId: 'migInstanceId',
  migProfile: 'migProfile',
  job: 'job',
};

const read = (field: keyof SeriesLabels) => (labels: Labels) => readSeriesLabels(labels, new SeriesLabels())[field];

/** Every name in order: each one wins over the later ones, and an empty value counts as absent. */
function expectReadsInOrder(get: (labels: Labels) => unknown, names: readonly string[], base: Labels = {}): void {
  for (let i = 0; i < names.length; i++) {
    const labels: Labels = { ...base };
    for (const name of names.slice(i)) labels[name] = `value of ${name}`;
    expect(get(labels), names[i]).toBe(`value of ${names[i]}`);
    expect(get({ ...labels, [names[i]]: '' }), `${names[i]} empty`).toBe(i + 1 < names.length ? `value of ${names[i + 1]}` : undefined);
  }
  expect(get({ ...base })).toBeUndefined();
}

describe('readSeriesLabels against the label tables', () => {
  it('fills a field for every LABEL_ALIASES row', () => {
    expect(Object.keys(FIELDS).sort()).toEqual(Object.keys(LABEL_ALIASES).sort());
  });

  it.each(Object.keys(LABEL_ALIASES) as (keyof typeof LABEL_ALIASES)[])('reads %s by every alias, in order', (row) => {
    expectReadsInOrder(read(FIELDS[row]), LABEL_ALIASES[row]);
  });

  it('reads the Prometheus target label, empty counting as absent', () => {
    expect(read('target')({ instance: '10.0.0.5:9400' })).toBe('10.0.0.5:9400');
    expect(read('target')({ instance: '' })).toBeUndefined();
  });

  it('reads the workload pod and namespace directly, or the exported_ ones through Prometheus', () => {
    expectReadsInOrder(read('pod'), ATTRIBUTION_LABELS.pod.direct);
    expectReadsInOrder(read('namespace'), ATTRIBUTION_LABELS.namespace.direct);
    // Any instance label, even an empty one, means the plain names are the exporter's own.
    for (const instance of ['10.0.0.5:9400', '']) {
      expectReadsInOrder(read('pod'), ATTRIBUTION_LABELS.pod.viaPrometheus, { instance, pod: 'exporter-pod' });
      expectReadsInOrder(read('namespace'), ATTRIBUTION_LABELS.namespace.viaPrometheus, { instance, namespace: 'gpu-operator' });
    }
  });

  it('finds every entity label, the most specific first', () => {
    for (let i = 0; i < ENTITY_LABELS.length; i++) {
      const labels: Labels = {};
      for (const e of ENTITY_LABELS.slice(i)) labels[e.label] = '1';
      expect(read('entity')(labels)).toBe(ENTITY_LABELS[i]);
      expect(read('entity')({ [ENTITY_LABELS[i].label]: '' })).toBeUndefined();
    }
    expect(read('entity')({ gpu: '0' })).toBeUndefined();
  });

  it('leaves nothing from the previous series in the reused record', () => {
    const out = readSeriesLabels({ Hostname: 'h', UUID: 'u', gpu: '0', GPU_I_ID: '1', GPU_I_PROFILE: 'p', modelName: 'm', hpc_job: 'j', pod: 'p', namespace: 'n', nvlink: '1', instance: 'i' }, new SeriesLabels());
    expect(readSeriesLabels({}, out)).toEqual(new SeriesLabels());
  });
});
