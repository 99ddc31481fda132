// Recording and replay: the public surface. A recording is an OpenMetrics 1.0 file with sample
// timestamps (optionally gzipped) that `promtool tsdb create-blocks-from openmetrics` imports;
// a `dcgmi dmon` capture opens as a recording too.
import type { SecretStore } from '../fleet/secrets';
import type { TargetConfig } from '../fleet/target-config';
import { scrapeRequestFor } from '../fleet/scrape-request';
import { sourceLabels, type RecordingSource } from './recorder';

export { SOURCE_LABEL } from './recording-format';
export { RecordingWriter, RecordingError, finishInterruptedRecording, partsDirFor, wantsGzip, type RecordedScrape, type RecordingSummary } from './recording-writer';
export { startRecorder, sourceLabels, type RecorderOptions, type RecordingSource, type RunningRecorder, type ScrapeEvent } from './recorder';
export { readRecording, parseRecording, RecordingReadError, type Recording, type RecordingFrame, type ReadRecordingOptions } from './recording-reader';
export { RecordingPlayer, MIN_SPEED, MAX_SPEED, type PlayerClock, type PlayerOptions, type PlayerState, type PlayerStatus } from './player';

/** What to scrape for a recording of these targets, credentials resolved from `secrets`. */
export async function recordingSources(targets: TargetConfig[], secrets: SecretStore): Promise<RecordingSource[]> {
  const labels = sourceLabels(targets.map((t) => t.url));
  return Promise.all(
    targets.map(async (t, i) => ({ label: labels[i], request: await scrapeRequestFor(t, secrets) })),
  );
}
