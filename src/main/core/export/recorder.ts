// Records what the sources serve: its own scrape loop (independent of the service's internals),
// each successful scrape parsed and appended to a RecordingWriter with its timestamp, flushed
// to disk after every round.
import { createScraper, type ScrapeRequest, type Scraper } from '../sources/http-scrape/scraper';
import { currentFamilies, readFamilies, unusableReason } from '../sources/read-families';
import { RecordingWriter, type RecordingSummary } from './recording-writer';

export interface RecordingSource {
  /** Written as the gpu_pulse_source label (host:port of the target). */
  label: string;
  request: ScrapeRequest;
}

export interface ScrapeEvent {
  source: string;
  ok: boolean;
  /** Why the scrape was not recorded. */
  message?: string;
  timestampMs: number;
  samples?: number;
}

export interface RecorderOptions {
  out: string;
  gzip?: boolean;
  sources: RecordingSource[];
  intervalMs: number;
  /** Stop by itself after this long; otherwise only stop() ends it. */
  durationMs?: number;
  scraper?: Scraper;
  onScrape?: (event: ScrapeEvent) => void;
}

export interface RunningRecorder {
  /** Stops now (scrapes in flight are dropped) and finishes the file. */
  stop(): Promise<RecordingSummary>;
  /** Settles when the recording is finished, by duration or by stop(). */
  done: Promise<RecordingSummary>;
}

/** `host:port` per URL, or the whole URL where two sources share a host. */
export function sourceLabels(urls: string[]): string[] {
  const hosts = urls.map((u) => new URL(u).host);
  return urls.map((u, i) => (hosts.filter((h) => h === hosts[i]).length > 1 ? u : hosts[i]));
}

export async function startRecorder(opts: RecorderOptions): Promise<RunningRecorder> {
  if (opts.sources.length === 0) throw new Error('no sources to record');
  const writer = await RecordingWriter.create(opts.out, { gzip: opts.gzip });
  const scraper = opts.scraper ?? createScraper();
  const ownScraper = !opts.scraper;
  const started = Date.now();
  const endAt = opts.durationMs === undefined ? Infinity : started + opts.durationMs;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let round = 0;
  let resolveDone!: (summary: RecordingSummary) => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<RecordingSummary>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);

  const scrapeOne = async (source: RecordingSource): Promise<void> => {
    const result = await scraper.scrape(source.request);
    const timestampMs = Date.now();
    if (stopping) return;
    if (!result.ok) return opts.onScrape?.({ source: source.label, ok: false, message: `${result.message}; ${result.remedy}`, timestampMs });
    const read = readFamilies(result.body, { contentType: result.contentType });
    if (read.empty) return opts.onScrape?.({ source: source.label, ok: false, message: 'empty body', timestampMs });
    const why = unusableReason(read);
    if (why) return opts.onScrape?.({ source: source.label, ok: false, message: `not exposition text (${why})`, timestampMs });
    const families = currentFamilies(read);
    await writer.append({ source: source.label, timestampMs, families });
    opts.onScrape?.({ source: source.label, ok: true, timestampMs, samples: families.reduce((n, f) => n + f.samples.length, 0) });
  };

  const finish = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    try {
      const summary = await writer.close();
      resolveDone(summary);
    } catch (err) {
      rejectDone(err);
    } finally {
      if (ownScraper) await scraper.close();
    }
  };

  let finishing: Promise<void> | null = null;
  const finishOnce = () => (finishing ??= finish());

  const runRound = async (): Promise<void> => {
    timer = null;
    if (stopping) return;
    await Promise.all(opts.sources.map((s) => scrapeOne(s).catch(() => undefined)));
    if (stopping) return;
    await writer.sync().catch(() => undefined);
    round++;
    // Rounds stay on a fixed grid from the start, so a slow scrape does not shift the next ones.
    const next = started + round * opts.intervalMs;
    if (next >= endAt) {
      // No round fits before the end: the file closes when the duration is over, not earlier.
      timer = setTimeout(() => {
        timer = null;
        stopping = true;
        void finishOnce();
      }, Math.max(0, endAt - Date.now()));
      return;
    }
    timer = setTimeout(() => void runRound(), Math.max(0, next - Date.now()));
  };
  void runRound();

  return {
    done,
    async stop() {
      stopping = true;
      await finishOnce();
      return done;
    },
  };
}
