import { describe, expect, it } from 'vitest';
import { createTargetRunner, type IngestOutcome } from '../../src/main/core/fleet/scrape-target';
import { createServeSecretStore } from '../../src/main/core/fleet/secrets';
import { TargetStateTracker } from '../../src/main/core/fleet/target-state';
import { TargetConfigSchema } from '../../src/main/core/fleet/target-config';
import type { ScrapeRequest, ScrapeResult, Scraper } from '../../src/main/core/sources/http-scrape/scraper';

/** A scraper that answers from a script, recording the requests it was given. */
function scriptedScraper(answer: (req: ScrapeRequest) => ScrapeResult): Scraper & { requests: ScrapeRequest[] } {
  const requests: ScrapeRequest[] = [];
  return {
    requests,
    scrape: async (req) => {
      requests.push(req);
      return answer(req);
    },
    close: async () => undefined,
  };
}

const ok = (body: string): ScrapeResult => ({ ok: true, status: 200, body: Buffer.from(body), contentType: null, durationMs: 3, bytes: body.length });

function setup(answer: (req: ScrapeRequest) => ScrapeResult, ingest: () => IngestOutcome = () => ({ ok: true })) {
  const scraper = scriptedScraper(answer);
  const tracker = new TargetStateTracker();
  const done: (string | null)[] = [];
  const run = createTargetRunner({
    scraper,
    secrets: createServeSecretStore({ env: { TOKEN: 't0k' } }),
    tracker,
    ingest,
    onScrapeDone: (_target, _ms, failure) => done.push(failure),
  });
  return { scraper, tracker, run, done };
}

describe('createTargetRunner', () => {
  it('resolves secrets into the request, records success and reports it', async () => {
    const { scraper, tracker, run, done } = setup(() => ok('a 1\n'));
    const target = TargetConfigSchema.parse({ id: 'a', url: 'https://n:9400/metrics', auth: { kind: 'bearer', token: { env: 'TOKEN' } }, tls: { caFile: '/ca.pem' }, maxBytes: 1000 });
    tracker.upsert('a', target.intervalMs);
    expect(await run(target)).toBe('ok');
    expect(scraper.requests[0]).toMatchObject({ url: target.url, timeoutMs: 10_000, maxBytes: 1000, auth: { kind: 'bearer', token: 't0k' }, tls: { caFile: '/ca.pem' } });
    expect(tracker.get('a')!.state).toBe('up');
    expect(done).toEqual([null]);
  });

  it('a secret that cannot be resolved is unauthorized, without scraping', async () => {
    const { scraper, tracker, run } = setup(() => ok('a 1\n'));
    const target = TargetConfigSchema.parse({ id: 'a', url: 'http://n:9400/metrics', auth: { kind: 'bearer', token: { env: 'MISSING' } } });
    tracker.upsert('a', target.intervalMs);
    expect(await run(target)).toBe('failed');
    expect(scraper.requests).toHaveLength(0);
    expect(tracker.get('a')).toMatchObject({ state: 'unauthorized', lastError: 'cannot read the credentials: environment variable MISSING is not set' });
  });

  it('a body ingest rejects is a parse-error; one ingest throws on is too', async () => {
    const rejecting = setup(() => ok('\u0000'), () => ({ ok: false, message: 'binary body', remedy: 'check URL' }));
    const target = TargetConfigSchema.parse({ id: 'a', url: 'http://n:9400/metrics' });
    rejecting.tracker.upsert('a', target.intervalMs);
    expect(await rejecting.run(target)).toBe('failed');
    expect(rejecting.tracker.get('a')).toMatchObject({ state: 'parse-error', lastError: 'binary body' });
    expect(rejecting.done).toEqual(['parse-error']);

    const throwing = setup(() => ok('x'), () => {
      throw new Error('boom');
    });
    throwing.tracker.upsert('a', target.intervalMs);
    expect(await throwing.run(target)).toBe('failed');
    expect(throwing.tracker.get('a')).toMatchObject({ state: 'parse-error', lastError: 'could not read the body: boom' });
  });

  it('scrape failures carry their state; a target removed mid-scrape is not recorded', async () => {
    const failure: ScrapeResult = { ok: false, state: 'timeout', message: 'deadline', remedy: 'raise it', durationMs: 10_000 };
    const { tracker, run, done } = setup(() => failure);
    const target = TargetConfigSchema.parse({ id: 'a', url: 'http://n:9400/metrics' });
    expect(await run(target)).toBe('failed');
    expect(tracker.get('a')).toBeUndefined();
    tracker.upsert('a', target.intervalMs);
    expect(await run(target)).toBe('failed');
    expect(tracker.get('a')).toMatchObject({ state: 'timeout', lastError: 'deadline', remedy: 'raise it', lastDurationMs: 10_000 });
    expect(done).toEqual(['timeout', 'timeout']);
  });
});
