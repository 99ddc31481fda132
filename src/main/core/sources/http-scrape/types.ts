// The scrape's contract: what a caller asks for, what it gets back, and the one failure type
// the other parts throw to end a scrape with a state, a message and a remedy.

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export type ScrapeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

export interface ScrapeTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
}

export interface ScrapeRequest {
  url: string;
  timeoutMs: number;
  /** Default 64 MiB; applies to the decompressed size too. */
  maxBytes?: number;
  auth?: ScrapeAuth;
  tls?: ScrapeTls;
  headers?: Record<string, string>;
  accept?: string;
}

export type ScrapeFailureState = 'down' | 'unauthorized' | 'tls-error' | 'too-large' | 'timeout';

export type ScrapeResult =
  | {
      ok: true;
      status: number;
      /** Decompressed. */
      body: Buffer;
      contentType: string | null;
      durationMs: number;
      /** Bytes of the decompressed body. */
      bytes: number;
    }
  | {
      ok: false;
      state: ScrapeFailureState;
      message: string;
      remedy: string;
      durationMs: number;
      status?: number;
    };

export interface Scraper {
  scrape(req: ScrapeRequest): Promise<ScrapeResult>;
  close(): Promise<void>;
}

export type ScrapeFailureResult = Extract<ScrapeResult, { ok: false }>;

/** Thrown inside a scrape to end it with a specific failure; never escapes `scrape()`. */
export class ScrapeFailure extends Error {
  constructor(
    readonly state: ScrapeFailureState,
    message: string,
    readonly remedy: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** How far a scrape got, for naming a timeout: still connecting, or reading the body. */
export interface ScrapeProgress {
  phase: 'connect' | 'body';
  /** Bytes received off the wire so far (compressed when the body is compressed). */
  received: number;
}
