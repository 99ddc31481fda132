// How a scrape failed, in words a person can act on: HTTP statuses, TLS and socket errors,
// deadlines and size caps each become a state, a message naming the cause and a remedy.
import { STATUS_CODES } from 'node:http';
import { socketBytesRead, tlsAlertFor } from './agents';
import { ScrapeFailure, type ScrapeFailureResult, type ScrapeProgress, type ScrapeRequest } from './types';

type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function statusFailure(status: number, url: string, headers: Headers): ScrapeFailure {
  const reason = STATUS_CODES[status];
  const text = `HTTP ${status}${reason ? ` ${reason}` : ''} from ${url}`;
  if (status === 401) {
    const challenge = header(headers, 'www-authenticate');
    const scheme = challenge?.split(/\s+/)[0];
    return new ScrapeFailure(
      'unauthorized',
      `${text}${scheme ? ` (server asks for ${scheme} authentication)` : ''}`,
      'set the credentials for this target (basic auth or bearer token)',
      status,
    );
  }
  if (status === 403) {
    return new ScrapeFailure(
      'unauthorized',
      text,
      'the credentials were refused: check the user name, password or token and its permissions',
      status,
    );
  }
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    return new ScrapeFailure(
      'down',
      `${text}${location ? ` redirecting to ${location}` : ''}`,
      'set the target URL to the final address; redirects are not followed',
      status,
    );
  }
  if (status === 404) {
    return new ScrapeFailure('down', text, 'check the metrics path (dcgm-exporter serves /metrics)', status);
  }
  return new ScrapeFailure(
    'down',
    text,
    status >= 500
      ? 'the exporter failed to gather metrics; check its logs (dcgm-exporter answers 500 when DCGM is unavailable)'
      : 'check the target URL',
    status,
  );
}

export function tooLarge(message: string, maxBytes: number): ScrapeFailure {
  return new ScrapeFailure(
    'too-large',
    message,
    `raise this target's size limit above ${formatBytes(maxBytes)} if the exporter really serves that much, or reduce its metrics`,
  );
}

export function timeoutFailure(req: ScrapeRequest, progress: ScrapeProgress): ScrapeFailure {
  const limit = formatSeconds(req.timeoutMs);
  if (progress.phase === 'body') {
    return new ScrapeFailure(
      'timeout',
      `deadline of ${limit} exceeded while reading the body (got ${progress.received} bytes) from ${req.url}`,
      'the exporter sends its body too slowly: check its load and network, or raise the timeout',
    );
  }
  return new ScrapeFailure(
    'timeout',
    `deadline of ${limit} exceeded waiting for a response from ${req.url}`,
    'check that the host is reachable and the exporter is not overloaded, or raise the timeout',
  );
}

// Node TLS verification error codes (from OpenSSL X509_V_ERR_* names).
const CERT_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);


export function classifyError(error: unknown, req: ScrapeRequest): ScrapeFailure {
  const url = req.url;
  if (error instanceof ScrapeFailure) return error;
  const cause = rootCause(tlsAlertFor(error) ?? error);
  const code = cause.code ?? '';
  const where = cause.address ? `${cause.address}${cause.port ? `:${cause.port}` : ''}` : hostOf(url);
  if (CERT_VERIFY_CODES.has(code)) {
    return new ScrapeFailure(
      'tls-error',
      `TLS certificate verification failed: ${cause.message} (${code}) at ${hostOf(url)} — set a CA file or, if you accept the risk, skip verification`,
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? "use the host name the certificate was issued for, or fix the certificate's subject alternative names"
        : "set this target's CA file to the certificate authority that signed the exporter's certificate, or (unsafe) skip verification",
    );
  }
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code);
  if (alert) {
    const alertName = alert[1].toLowerCase().replace(/_/g, ' ');
    return req.tls?.certFile
      ? new ScrapeFailure(
          'tls-error',
          `the server rejected the client certificate (TLS alert: ${alertName}) at ${hostOf(url)}`,
          'check that the client certificate is signed by a CA the exporter trusts (its web-config client_ca_file) and has not expired',
        )
      : new ScrapeFailure(
          'tls-error',
          `the server requires a client certificate (TLS alert: ${alertName}) at ${hostOf(url)}`,
          'set the client certificate and key files for this target',
        );
  }
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS')) {
    // OpenSSL messages read "...:SSL routines:<function>:<reason>:<source file>...".
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(cause.message)?.[1] ?? cause.message;
    return new ScrapeFailure(
      'tls-error',
      `TLS error: ${reason}${code ? ` (${code})` : ''} at ${hostOf(url)}`,
      /wrong version number/.test(reason)
        ? 'the exporter does not speak TLS on this port: use an http:// URL (the URL scheme must match the exporter)'
        : 'check that the URL scheme (http/https) matches the exporter and that its TLS settings are compatible',
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new ScrapeFailure('down', `connection refused (ECONNREFUSED) at ${where}`, 'check that dcgm-exporter is running and listening on this port (default 9400)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ScrapeFailure('down', `host name not found (${code}) for ${hostOf(url)}`, 'check the host name spelling and DNS');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ScrapeFailure('down', `host unreachable (${code}) at ${where}`, 'check the network route and firewall');
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE': {
      // Some TLS servers drop a connection whose client certificate they reject without
      // sending an alert; all we see is a close before any response.
      const silentAfterHandshake = url.startsWith('https:') && req.tls?.certFile && socketBytesRead(error) === 0;
      return new ScrapeFailure(
        'down',
        `connection closed by the server (${code}) at ${hostOf(url)}: ${cause.message}` +
          (silentAfterHandshake ? ' before any response; it may have rejected the client certificate' : ''),
        silentAfterHandshake
          ? 'check that the client certificate is signed by a CA the exporter trusts and has not expired'
          : 'check the exporter logs; if it serves TLS, use an https:// URL',
      );
    }
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      // Should not happen (our deadline comes first), but a timeout is a timeout.
      return new ScrapeFailure(
        'timeout',
        `${cause.message} (${code}) from ${hostOf(url)}`,
        'raise the timeout if the exporter is slow, or check why it does not answer',
      );
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
      return new ScrapeFailure('down', `not an HTTP response (${code}) from ${hostOf(url)}`, 'check the port: another service answers there');
    default:
      return new ScrapeFailure(
        'down',
        `request to ${url} failed: ${cause.message}${code ? ` (${code})` : ''}`,
        'check the target URL and that the exporter is reachable',
      );
  }
}

interface ErrorCause {
  code?: string;
  message: string;
  address?: string;
  port?: number;
}

/** undici wraps socket and TLS errors; the useful code sits on the innermost cause. */
function rootCause(error: unknown): ErrorCause {
  let current = error as (Error & ErrorCause & { cause?: unknown }) | undefined;
  for (let depth = 0; depth < 5 && current?.cause && typeof current.cause === 'object'; depth++) {
    current = current.cause as Error & ErrorCause & { cause?: unknown };
  }
  if (!current || typeof current !== 'object') return { message: String(error) };
  // AggregateError (happy eyeballs tried several addresses): report the first.
  const inner = (current as unknown as { errors?: unknown[] }).errors?.[0];
  if (!current.code && inner && typeof inner === 'object') return inner as ErrorCause;
  return current;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function failureResult(failure: ScrapeFailure, durationMs: number): ScrapeFailureResult {
  const result: ScrapeFailureResult = {
    ok: false,
    state: failure.state,
    message: failure.message,
    remedy: failure.remedy,
    durationMs,
  };
  if (failure.status !== undefined) result.status = failure.status;
  return result;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
