// Delta-encoded ticks (`/api/events?delta=1`) must decode to exactly what the plain stream
// carries, as JSON, for any sequence of ticks: rows new and repeated, fields changed, added and
// removed (undefined ones included), GPUs and targets removed and back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tick } from '../../src/shared/api';
import { createTickDecoder, createTickEncoder, DELTA_MARK, ROW_NUMBER } from '../../src/shared/tick-delta';

const value = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(null, undefined, 'OK', 'HOT'),
  fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
  fc.record({ state: fc.constantFrom('OK', 'WARN'), reasons: fc.array(fc.record({ code: fc.constantFrom('x', 'y') }), { maxLength: 2 }) }),
  fc.dictionary(fc.constantFrom('smActive', 'powerWatts'), fc.option(fc.integer(), { nil: undefined })),
);
const row = (id: string, keys: string[]) => fc.record({ [id]: fc.constantFrom(...keys), ...Object.fromEntries(['realUtil', 'health', 'readings', 'detail', 'raw'].map((f) => [f, fc.option(value, { nil: undefined })])) });

const tickArb: fc.Arbitrary<Tick> = fc.record({
  at: fc.nat(),
  gpus: fc.array(row('key', ['n/a', 'n/b', 'n/c']), { maxLength: 4 }),
  removedGpus: fc.array(fc.constantFrom('n/a', 'n/b'), { maxLength: 1 }),
  targets: fc.array(row('id', ['t1', 't2']), { maxLength: 2 }),
  removedTargets: fc.array(fc.constantFrom('t1'), { maxLength: 1 }),
}) as unknown as fc.Arbitrary<Tick>;

const asJson = <T,>(x: T): T => JSON.parse(JSON.stringify(x));

describe('tick delta', () => {
  it('decodes to the plain tick, as JSON, after any sequence of ticks', () => {
    fc.assert(
      fc.property(fc.array(tickArb, { minLength: 1, maxLength: 30 }), (ticks) => {
        const encode = createTickEncoder();
        const decode = createTickDecoder();
        for (const tick of ticks) expect(decode(asJson(encode(tick)))).toEqual(asJson(tick));
      }),
      { numRuns: 500 },
    );
  });

  it('sends a repeated row as its number on the stream and what changed, objects member by member', () => {
    const encode = createTickEncoder();
    const base = { key: 'n/a', node: 'n', model: 'H100', realUtil: 50, readings: { powerWatts: 300, fbTotalBytes: 80e9, gpuTempC: 60 }, detail: 'summary' };
    const other = { ...base, key: 'n/b' };
    const tick = (...gpus: object[]): Tick => ({ at: 0, gpus: gpus as never[], removedGpus: [], targets: [], removedTargets: [] });
    expect(encode(tick(base, other)).gpus).toEqual([base, other]);
    const { detail: _detail, ...full } = base;
    expect(encode(tick({ ...full, realUtil: 51, readings: { powerWatts: 310, fbTotalBytes: 80e9 } }, other)).gpus).toEqual([
      { [ROW_NUMBER]: 0, [DELTA_MARK]: ['detail'], realUtil: 51, readings: { powerWatts: 310, [DELTA_MARK]: ['gpuTempC'] } },
      { [ROW_NUMBER]: 1 },
    ]);
    // Once removed, a GPU is sent whole again, and numbered anew.
    expect(encode({ ...tick(), removedGpus: ['n/a'] }).gpus).toEqual([]);
    expect(encode(tick(base, base)).gpus).toEqual([base, { [ROW_NUMBER]: 2 }]);
  });

  it('refuses a delta for a row its stream never sent', () => {
    const decode = createTickDecoder();
    expect(() => decode({ at: 0, gpus: [{ [ROW_NUMBER]: 0 } as never], removedGpus: [], targets: [], removedTargets: [] })).toThrow(/never sent/);
  });
});
