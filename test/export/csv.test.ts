// CSV export of history: the documented header, and a round trip through the reader that
// gives back exactly the history the service returned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryField } from '../../src/shared/api';
import { historyToCsv, identityFromKey } from '../../src/shared/history-csv';
import { parseHistoryCsv } from './support/history-csv-reader';
import { createHeadlessService, loadTargets } from '../../src/main/cli/headless';
import type { PulseService } from '../../src/main/core/service';
import { startDemoFleet, type DemoFleetHandle } from '../../src/main/core/sources/demo';

let fleet: DemoFleetHandle;
let service: PulseService;

beforeAll(async () => {
  fleet = await startDemoFleet({ instances: 2, basePort: 0, gpus: 4 });
  service = createHeadlessService({ targets: await loadTargets({ urls: fleet.exporters.map((e) => e.url), intervalMs: 1000 }), version: 'test' });
  await service.start();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const keys = (await service.getGpus()).map((g) => g.key);
    const history = await service.getHistory({ keys, fields: ['realUtil'] });
    if (keys.length === 8 && Object.values(history.series).every((s) => s.t.length >= 3)) break;
    if (Date.now() > deadline) throw new Error('the service did not collect 3 points of history in 20 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await fleet?.close();
});

describe('history CSV', () => {
  it('round-trips the history of a selection of GPUs and fields exactly', async () => {
    const gpus = await service.getGpus();
    const keys = gpus.map((g) => g.key).slice(0, 5);
    const fields: HistoryField[] = ['realUtil', 'powerWatts', 'gpuTempC', 'fbUsedBytes', 'nvlinkTotalBytesPerSec'];
    const history = await service.getHistory({ keys, fields });
    const byKey = new Map(gpus.map((g) => [g.key, g]));
    const csv = historyToCsv({
      series: history.series,
      fields,
      keys,
      identity: (key) => {
        const g = byKey.get(key)!;
        return { node: g.node, uuid: g.uuid, gpuIndex: g.gpuIndex, migInstanceId: g.migInstance?.id ?? null };
      },
    });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('time,time_ms,key,node,uuid,gpu,mig_instance,realUtil,powerWatts,gpuTempC,fbUsedBytes,nvlinkTotalBytesPerSec');
    const rows = Object.values(history.series).reduce((n, s) => n + s.t.length, 0);
    expect(lines).toHaveLength(rows + 2); // header + rows + the empty string after the last CRLF
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,\d+,/);

    const back = parseHistoryCsv(csv);
    expect(back.fields).toEqual(fields);
    expect(back.keys).toEqual(keys);
    expect(back.series).toEqual(history.series);
    expect(back.identities[keys[0]]).toEqual({ node: gpus[0].node, uuid: gpus[0].uuid, gpuIndex: gpus[0].gpuIndex, migInstanceId: null });
  });

  it('keeps missing values missing and quotes what needs quoting', () => {
    const series = {
      'rack 1, "a"/GPU-1/mig-3': { t: [1_700_000_000_000, 1_700_000_005_000], values: { realUtil: [12.345678901234567, null], gpuTempC: [null, 0] } },
    };
    const csv = historyToCsv({ series, fields: ['realUtil', 'gpuTempC'] });
    expect(csv).toBe(
      'time,time_ms,key,node,uuid,gpu,mig_instance,realUtil,gpuTempC\r\n' +
        '2023-11-14T22:13:20.000Z,1700000000000,"rack 1, ""a""/GPU-1/mig-3","rack 1, ""a""",GPU-1,,3,12.345678901234567,\r\n' +
        '2023-11-14T22:13:25.000Z,1700000005000,"rack 1, ""a""/GPU-1/mig-3","rack 1, ""a""",GPU-1,,3,,0\r\n',
    );
    const back = parseHistoryCsv(csv);
    expect(back.series).toEqual(series);
    expect(back.identities['rack 1, "a"/GPU-1/mig-3']).toEqual({ node: 'rack 1, "a"', uuid: 'GPU-1', gpuIndex: null, migInstanceId: '3' });
  });

  it('derives identity from a key, and the reader refuses foreign files', () => {
    expect(identityFromKey('node-a/GPU-x')).toEqual({ node: 'node-a', uuid: 'GPU-x', gpuIndex: null, migInstanceId: null });
    expect(() => parseHistoryCsv('a,b\r\n1,2\r\n')).toThrow(/not a GPU Pulse history CSV/);
    expect(() => parseHistoryCsv('time,time_ms,key,node,uuid,gpu,mig_instance,realUtil\r\n1,2,3\r\n')).toThrow(/row 2: 3 cells/);
  });
});
