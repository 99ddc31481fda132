import { describe, expect, it } from 'vitest';
import { assessHealth, describeXid, temperaturesFor } from '../../src/main/core/compute';

const model = 'NVIDIA H100 80GB HBM3';

describe('assessHealth (DCGM.md §7)', () => {
  it('is OK with no reasons on a healthy reading', () => {
    expect(assessHealth({ readings: { gpuTempC: 40, remappedRowsUncorrectable: 0, rowRemapFailure: 0, pcieReplayPerSec: 0 }, model })).toEqual({
      state: 'OK',
      reasons: [],
    });
  });

  it('is CRIT on a row-remap failure or uncorrectable remapped rows', () => {
    expect(assessHealth({ readings: { rowRemapFailure: 1 }, model }).state).toBe('CRIT');
    const rows = assessHealth({ readings: { remappedRowsUncorrectable: 2 }, model });
    expect(rows.state).toBe('CRIT');
    expect(rows.reasons[0].code).toBe('remapped-rows-uncorrectable');
    expect(rows.reasons[0].message).toMatch(/2 row/);
  });

  it('is WARN on any PCIe replay rate above 0/s, and not on an unknown rate', () => {
    expect(assessHealth({ readings: { pcieReplayPerSec: 0.1 }, model }).state).toBe('WARN');
    expect(assessHealth({ readings: { pcieReplayPerSec: null }, model }).state).toBe('OK');
  });

  it('uses the model warning temperature: H100 95°C, A100 93°C, default 93°C', () => {
    expect(assessHealth({ readings: { gpuTempC: 94 }, model }).state).toBe('OK');
    expect(assessHealth({ readings: { gpuTempC: 95 }, model }).state).toBe('HOT');
    expect(assessHealth({ readings: { gpuTempC: 93 }, model: 'NVIDIA A100-SXM4-80GB' }).state).toBe('HOT');
    expect(assessHealth({ readings: { gpuTempC: 92 }, model: 'NVIDIA A100-SXM4-80GB' }).state).toBe('OK');
    expect(assessHealth({ readings: { memTempC: 93 }, model: 'Tesla T4' }).state).toBe('HOT');
    expect(temperaturesFor('GRID A100-40C').warningC).toBe(93);
    expect(temperaturesFor('NVIDIA H200').normalC).toBe(80);
    expect(temperaturesFor('NVIDIA RTX 6000 Ada Generation').warningC).toBe(92);
    expect(temperaturesFor(null).criticalC).toBe(105);
  });

  it('is CRIT at the model critical temperature (A100 95°C)', () => {
    expect(assessHealth({ readings: { gpuTempC: 95 }, model: 'NVIDIA A100-SXM4-40GB' }).state).toBe('CRIT');
  });

  it('orders reasons worst first: CRIT, WARN, HOT', () => {
    const health = assessHealth({ readings: { gpuTempC: 96, pcieReplayPerSec: 3, remappedRowsUncorrectable: 1 }, model });
    expect(health.state).toBe('CRIT');
    expect(health.reasons.map((r) => r.state)).toEqual(['CRIT', 'WARN', 'HOT']);
  });

  it('names a new XID with its meaning; a fatal one is CRIT', () => {
    const xid79 = assessHealth({ readings: { xidLast: 79 }, model, xid: { code: 79, isNew: true } });
    expect(xid79.state).toBe('CRIT');
    expect(xid79.reasons[0].message).toMatch(/new XID 79: GPU has fallen off the bus/);
    const xid13 = assessHealth({ readings: { xidLast: 13 }, model, xid: { code: 13, isNew: true } });
    expect(xid13.state).toBe('WARN');
    expect(xid13.reasons[0].message).toMatch(/Graphics Engine Exception/);
  });

  it('keeps an old application XID as a note that does not change the state', () => {
    const health = assessHealth({ readings: { xidLast: 31 }, model, xid: { code: 31, isNew: false } });
    expect(health.state).toBe('OK');
    expect(health.reasons[0]).toMatchObject({ state: 'OK', code: 'xid' });
    expect(health.reasons[0].message).toMatch(/MMU fault/);
  });

  it('knows the XIDs DCGM.md names and still describes an unknown one', () => {
    expect(describeXid(48).meaning).toMatch(/double-bit ECC/);
    expect(describeXid(63).meaning).toMatch(/row remapping/);
    expect(describeXid(64).meaning).toMatch(/row remapping/);
    expect(describeXid(9999).severity).toBe('hardware');
  });

  it('warns on rising correctable rows, power at the limit and throttling', () => {
    expect(assessHealth({ readings: { remappedRowsCorrectable: 3 }, model, correctableRowsRose: true }).reasons[0].code).toBe(
      'remapped-rows-correctable-rising',
    );
    expect(assessHealth({ readings: { powerWatts: 699, powerLimitWatts: 700 }, model }).reasons[0].code).toBe('power-at-limit');
    expect(assessHealth({ readings: { powerWatts: 600, powerLimitWatts: 700 }, model }).state).toBe('OK');
    expect(assessHealth({ readings: { powerThrottleRatio: 0.2 }, model }).reasons[0]).toMatchObject({ state: 'WARN', code: 'power-throttling' });
    expect(assessHealth({ readings: { thermalThrottleRatio: 0.2 }, model }).reasons[0]).toMatchObject({ state: 'HOT', code: 'thermal-throttling' });
  });
});
