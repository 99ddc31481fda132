// Who may use serve mode's API and /metrics. The server usually listens on loopback of a
// machine that also runs a web browser, so any page the user visits is a client too:
//
// - Host: a page on a name the attacker controls that resolves to 127.0.0.1 (DNS rebinding) is
//   same-origin with us and could read every answer; such requests carry the attacker's name in
//   Host, so only names that mean this machine (or the operator's --allow-host names) pass.
// - Origin and Sec-Fetch-Site: a foreign page can send requests without reading the answers.
//   Browsers name the page's origin on every request that could change something; only our own
//   origin (or none: curl, scripts, Prometheus) is accepted.
// - Content-Type: a foreign page can POST text/plain, form data or multipart without a CORS
//   preflight. Requiring application/json (application/octet-stream for uploads) makes any
//   cross-origin attempt preflighted, and we never answer a preflight with CORS headers.
// - Token: with --token every API and /metrics request must carry it (shared login nodes,
//   where other users of the machine can reach loopback ports).
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

export interface RequestGuardOptions {
  /** The address the server is bound to, as given (127.0.0.1, ::1, 0.0.0.0, a host name). */
  boundHost: string;
  /** Extra host names clients may use (--allow-host), e.g. the name of a reverse proxy. */
  allowHosts?: string[];
  token?: string;
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403 | 415; error: string };

/** Content types a foreign page cannot send without a CORS preflight, per route kind. */
export type BodyKind = 'json' | 'upload';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '']);

export interface RequestGuard {
  /** Checks a request to /api or /metrics; `bodyKind` for routes that accept a body. */
  check(req: IncomingMessage, url: URL, bodyKind?: BodyKind): GuardVerdict;
  /** The host names accepted in Host (for messages and tests). */
  readonly allowedHostNames: ReadonlySet<string>;
}

export function createRequestGuard(opts: RequestGuardOptions): RequestGuard {
  const allowed = allowedHostNames(opts.boundHost, opts.allowHosts ?? []);
  return {
    allowedHostNames: allowed,
    check(req, url, bodyKind) {
      const host = hostNameOf(req.headers.host);
      if (host === null || !allowed.has(host)) {
        return {
          ok: false,
          status: 403,
          error: `Host ${JSON.stringify(req.headers.host ?? '')} is not a name of this server: use http://127.0.0.1 or http://localhost, or start gpu-pulse serve with --allow-host NAME`,
        };
      }
      if (opts.token && !hasToken(req, url, opts.token)) {
        return { ok: false, status: 401, error: 'missing or wrong token: pass it as "Authorization: Bearer <token>" or ?token=' };
      }
      const site = header(req, 'sec-fetch-site');
      if (site === 'cross-site' || site === 'same-site') return { ok: false, status: 403, error: 'requests from other web sites are refused' };
      const origin = header(req, 'origin');
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        return { ok: false, status: 403, error: `requests from ${origin} are refused: only this server's own pages may call the API` };
      }
      if (STATE_CHANGING.has(req.method ?? '')) {
        const expected = bodyKind === 'upload' ? 'application/octet-stream' : 'application/json';
        const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== expected) return { ok: false, status: 415, error: `send the request body as Content-Type: ${expected}` };
      }
      return { ok: true };
    },
  };
}

/** The names a client on this machine (or one the operator named) uses to reach the server. */
function allowedHostNames(boundHost: string, extra: string[]): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const add = (name: string) => names.add(normalizeHostName(name));
  add(boundHost);
  for (const name of extra) add(name);
  if (WILDCARD_ADDRESSES.has(boundHost)) {
    // Bound to every interface: the machine's own addresses and name reach it too.
    add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) add(info.address);
  }
  return names;
}

function normalizeHostName(name: string): string {
  return name.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** The name part of a Host header (`[::1]:8484` -> `::1`), null when malformed. */
export function hostNameOf(host: string | undefined): string | null {
  if (!host) return null;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  const plain = /^([^:\s]+)(?::\d{1,5})?$/.exec(host);
  return plain ? normalizeHostName(plain[1]!) : null;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hasToken(req: IncomingMessage, url: URL, token: string): boolean {
  const auth = req.headers.authorization;
  const given = auth?.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('token');
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
