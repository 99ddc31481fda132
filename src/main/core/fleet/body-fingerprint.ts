// dcgm-exporter refreshes its values every 30 s by default (--collect-interval) while GPU Pulse
// polls every 15 s, so about half of all scraped bodies are byte-identical to the one before.
// The exposition text carries no timestamps, so an identical body is identical data: parsing
// and translating it again would only redo work (and, for counters, split one real interval
// into a zero-rate half and a double-rate half). A fingerprint of the decompressed bytes lets
// ingest skip it; the scrape still counts as a success, so the target stays fresh.
import { createHash } from 'node:crypto';

/** Length plus SHA-1 of the bytes: measured 58 µs for the 92 KB 8-GPU bench body, against 486 µs to parse it. */
export function bodyFingerprint(bytes: Uint8Array): string {
  return `${bytes.byteLength}:${createHash('sha1').update(bytes).digest('base64')}`;
}
