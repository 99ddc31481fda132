// dcgm-exporter refreshes its values every 30 s by default (--collect-interval) while GPU Pulse
// polls every 15 s, so about half of all scraped bodies are byte-identical to the one before.
// The exposition text carries no timestamps, so an identical body is identical data: parsing
// and translating it again would only redo work (and, for counters, split one real interval
// into a zero-rate half and a double-rate half). A fingerprint of the decompressed bytes lets
// ingest skip it; the scrape still counts as a success, so the target stays fresh.
import { createHash } from 'node:crypto';

/** Length plus SHA-1 of the bytes: native and about 1 GB/s, so ~40 µs for an 8-GPU body, a fraction of its parse. */
export function bodyFingerprint(bytes: Uint8Array): string {
  return `${bytes.byteLength}:${createHash('sha1').update(bytes).digest('base64')}`;
}
