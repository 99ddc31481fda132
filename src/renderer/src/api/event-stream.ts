// Server-Sent Events read with fetch() instead of EventSource. With 10,000 GPUs a tick event is
// 100–400 KB of JSON on one `data:` line, and Chromium's EventSource spent 5–7 ms of the main
// thread framing each one (Resource::appendData in a trace, bench:ui), more than parsing the JSON.
// Here the bytes are decoded by TextDecoder and lines found with indexOf, which costs a fraction
// of that. It also lets the token go in the Authorization header, as the other requests send it,
// instead of the URL. Reconnects after a dropped stream like EventSource does.

/** Splits SSE text (fed in chunks as it arrives) into events. Lines end in LF or CRLF (what serve writes). */
export class SseParser {
  /** The start of a line not ended yet, in the pieces it arrived in (joined once, when it ends). */
  private pending: string[] = [];
  private type = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (type: string, data: string) => void) {}

  push(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      let line = text.slice(start, end);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
      }
      this.line(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      start = end + 1;
    }
    if (start < text.length) this.pending.push(start === 0 ? text : text.slice(start));
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.type || 'message', this.data.length === 1 ? this.data[0]! : this.data.join('\n'));
      this.type = '';
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' starts a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    // `id` and `retry` are not used by serve's streams.
  }
}

export interface EventStream {
  close(): void;
}

const RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

/**
 * Reads `url` as an event stream and dispatches each event on `target` as a MessageEvent of its
 * type, like EventSource; reconnects when the stream ends or fails (1 s, doubling up to 10 s).
 */
export function openEventStream(url: string, headers: Record<string, string>, target: EventTarget): EventStream {
  const abort = new AbortController();
  let retry = RETRY_MS;
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, cache: 'no-store', signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
        retry = RETRY_MS;
        const parser = new SseParser((type, data) => target.dispatchEvent(new MessageEvent(type, { data })));
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        console.warn('event stream failed, reconnecting:', err);
      }
      await new Promise((resolve) => setTimeout(resolve, retry));
      retry = Math.min(MAX_RETRY_MS, retry * 2);
    }
  };
  void run();
  return { close: () => abort.abort() };
}
