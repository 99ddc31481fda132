// Target + secrets -> the request one scrape sends. The one place a stored secret reference
// (or a secret typed a moment ago for "Test connection") becomes a password or token, so
// every path that talks to an exporter or a Prometheus server authenticates the same way.
import type { ScrapeRequest, ScrapeTls } from '../sources/http-scrape/types';
import type { SecretRef, SecretStore } from './secrets';
import type { TargetAuthInput } from './target-config';

/** What a request is built from: a stored target, or the unstored input of a connection test. */
export interface ScrapeRequestSource {
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Headers that carry credentials, as references (or typed values, for a connection test). */
  secretHeaders?: Record<string, string | SecretRef>;
  maxBytes?: number;
  tls?: ScrapeTls;
  auth?: TargetAuthInput;
}

export async function scrapeRequestFor(target: ScrapeRequestSource, secrets: SecretStore): Promise<ScrapeRequest> {
  const reveal = (secret: string | SecretRef) => (typeof secret === 'string' ? secret : secrets.get(secret));
  const request: ScrapeRequest = { url: target.url, timeoutMs: target.timeoutMs, headers: { ...target.headers } };
  for (const [name, secret] of Object.entries(target.secretHeaders ?? {})) request.headers![name] = await reveal(secret);
  if (target.maxBytes !== undefined) request.maxBytes = target.maxBytes;
  if (target.tls) request.tls = target.tls;
  const auth = target.auth;
  if (auth?.kind === 'basic') request.auth = { kind: 'basic', username: auth.username, password: await reveal(auth.password) };
  else if (auth?.kind === 'bearer') request.auth = { kind: 'bearer', token: await reveal(auth.token) };
  return request;
}
