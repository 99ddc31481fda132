// The web-config file every Prometheus exporter accepts (`--web.config.file`, exporter-toolkit):
// TLS and basic auth for the exporter's HTTP server, in the same YAML so one file serves
// node_exporter, dcgm-exporter and `gpu-pulse exporter` alike. Semantics follow
// exporter-toolkit's web/tls_config.go: unknown keys are errors (it unmarshals strictly),
// relative paths are relative to the file, TLS 1.2-1.3 by default, client CAs need a client
// auth policy that uses them, and basic-auth passwords are bcrypt hashes.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { SecureVersion, TLSSocket } from 'node:tls';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { compare, hash as bcryptHash } from 'bcryptjs';
import { parse as parseYaml } from 'yaml';

export class WebConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebConfigError';
  }
}

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

export interface TlsServerConfig {
  /** PEM text, read from cert_file or given inline as `cert`. */
  cert: string;
  key: string;
  clientCa: string | null;
  clientAuthType: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** Client certificate SANs allowed in; null when any verified certificate will do. */
  clientAllowedSans: string[] | null;
}

export interface WebConfig {
  /** Where it was read from, for messages. */
  source: string;
  tls: TlsServerConfig | null;
  /** User name -> bcrypt hash. Empty: no authentication. */
  basicAuthUsers: Record<string, string>;
  /** Extra response headers (http_server_config.headers). */
  headers: Record<string, string>;
}

const TOP_KEYS = new Set(['tls_server_config', 'http_server_config', 'basic_auth_users']);
const TLS_KEYS = new Set(['cert_file', 'key_file', 'cert', 'key', 'client_ca_file', 'client_ca', 'client_auth_type', 'min_version', 'max_version', 'client_allowed_sans']);
const HTTP_KEYS = new Set(['http2', 'headers']);
// Keys exporter-toolkit knows that this server cannot honour the same way: rejected by name
// rather than silently ignored, so nobody believes a cipher list or rate limit is in force.
const UNSUPPORTED: Record<string, string> = {
  rate_limit: 'rate_limit is not supported by gpu-pulse; put a reverse proxy in front if you need it',
  cipher_suites: 'cipher_suites (Go cipher names) is not supported by gpu-pulse; Node picks secure TLS 1.2/1.3 suites by default',
  curve_preferences: 'curve_preferences is not supported by gpu-pulse',
  prefer_server_cipher_suites: 'prefer_server_cipher_suites is not supported by gpu-pulse',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(where: string, obj: Record<string, unknown>, allowed: Set<string>, source: string): void {
  for (const key of Object.keys(obj)) {
    if (UNSUPPORTED[key]) throw new WebConfigError(`${source}: ${UNSUPPORTED[key]}`);
    if (!allowed.has(key)) throw new WebConfigError(`${source}: unknown key "${key}" in ${where}; expected one of ${[...allowed].join(', ')}`);
  }
}

function optionalString(obj: Record<string, unknown>, key: string, where: string, source: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new WebConfigError(`${source}: ${where}.${key} must be a string`);
  return value;
}

/** What the YAML says, validated, with file paths resolved against `baseDir`; files not read yet. */
export interface WebConfigSpec {
  source: string;
  tls: null | {
    certFile?: string;
    keyFile?: string;
    cert?: string;
    key?: string;
    clientCaFile?: string;
    clientCa?: string;
    clientAuthType: ClientAuthType;
    minVersion: SecureVersion;
    maxVersion: SecureVersion;
    clientAllowedSans: string[] | null;
  };
  basicAuthUsers: Record<string, string>;
  headers: Record<string, string>;
}

export function parseWebConfigText(text: string, baseDir: string, source = 'web config'): WebConfigSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new WebConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isRecord(doc)) throw new WebConfigError(`${source}: expected a mapping with tls_server_config and/or basic_auth_users`);
  checkKeys('the top level', doc, TOP_KEYS, source);
  const resolve = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : join(baseDir, p));

  let tls: WebConfigSpec['tls'] = null;
  const rawTls = doc.tls_server_config;
  if (rawTls !== undefined && rawTls !== null) {
    if (!isRecord(rawTls)) throw new WebConfigError(`${source}: tls_server_config must be a mapping`);
    checkKeys('tls_server_config', rawTls, TLS_KEYS, source);
    const s = (key: string) => optionalString(rawTls, key, 'tls_server_config', source);
    const enabled = ['cert_file', 'key_file', 'cert', 'key', 'client_ca_file', 'client_ca', 'client_auth_type'].some((k) => s(k) !== undefined);
    if (enabled) {
      if (s('cert_file') === undefined && s('cert') === undefined) throw new WebConfigError(`${source}: tls_server_config is missing one of cert or cert_file`);
      if (s('key_file') === undefined && s('key') === undefined) throw new WebConfigError(`${source}: tls_server_config is missing one of key or key_file`);
      let clientAuthType: ClientAuthType = 'NoClientCert';
      const rawAuth = s('client_auth_type');
      if (rawAuth === 'RequireClientCert') clientAuthType = 'RequireAnyClientCert'; // exporter-toolkit's backward-compatible alias
      else if (rawAuth !== undefined) {
        if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(rawAuth)) {
          throw new WebConfigError(`${source}: invalid client_auth_type "${rawAuth}"; expected one of ${CLIENT_AUTH_TYPES.join(', ')}`);
        }
        clientAuthType = rawAuth as ClientAuthType;
      }
      const hasCa = s('client_ca_file') !== undefined || s('client_ca') !== undefined;
      if (hasCa && clientAuthType === 'NoClientCert') {
        throw new WebConfigError(`${source}: client CAs are configured without a client auth policy; set client_auth_type (e.g. RequireAndVerifyClientCert)`);
      }
      if ((clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert') && !hasCa) {
        throw new WebConfigError(`${source}: client_auth_type ${clientAuthType} needs client_ca_file (the CA that signs client certificates)`);
      }
      const version = (key: string, fallback: SecureVersion): SecureVersion => {
        const v = s(key);
        if (v === undefined) return fallback;
        const mapped = TLS_VERSIONS[v];
        if (!mapped) throw new WebConfigError(`${source}: unknown TLS version ${key}: ${v}; expected one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
        return mapped;
      };
      const rawSans = rawTls.client_allowed_sans;
      let clientAllowedSans: string[] | null = null;
      if (rawSans !== undefined && rawSans !== null) {
        if (!Array.isArray(rawSans) || !rawSans.every((x) => typeof x === 'string')) throw new WebConfigError(`${source}: client_allowed_sans must be a list of strings`);
        if (clientAuthType !== 'RequireAnyClientCert' && clientAuthType !== 'RequireAndVerifyClientCert') {
          throw new WebConfigError(`${source}: client_allowed_sans requires client_auth_type to be one of RequireAnyClientCert or RequireAndVerifyClientCert`);
        }
        clientAllowedSans = rawSans as string[];
      }
      tls = {
        certFile: resolve(s('cert_file')),
        keyFile: resolve(s('key_file')),
        cert: s('cert'),
        key: s('key'),
        clientCaFile: resolve(s('client_ca_file')),
        clientCa: s('client_ca'),
        clientAuthType,
        minVersion: version('min_version', 'TLSv1.2'),
        maxVersion: version('max_version', 'TLSv1.3'),
        clientAllowedSans,
      };
    }
  }

  const basicAuthUsers: Record<string, string> = {};
  const rawUsers = doc.basic_auth_users;
  if (rawUsers !== undefined && rawUsers !== null) {
    if (!isRecord(rawUsers)) throw new WebConfigError(`${source}: basic_auth_users must be a mapping of user name to bcrypt hash`);
    for (const [user, hash] of Object.entries(rawUsers)) {
      if (user.includes(':')) throw new WebConfigError(`${source}: basic_auth_users: user name "${user}" must not contain ":"`);
      if (typeof hash !== 'string' || !/^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
        throw new WebConfigError(`${source}: basic_auth_users.${user} is not a bcrypt hash; generate one with \`htpasswd -nBC 10 "" | tr -d ':\\n'\``);
      }
      basicAuthUsers[user] = hash;
    }
  }

  const headers: Record<string, string> = {};
  const rawHttp = doc.http_server_config;
  if (rawHttp !== undefined && rawHttp !== null) {
    if (!isRecord(rawHttp)) throw new WebConfigError(`${source}: http_server_config must be a mapping`);
    checkKeys('http_server_config', rawHttp, HTTP_KEYS, source);
    // http2 is a permission in exporter-toolkit; this server speaks HTTP/1.1, which every scraper accepts.
    if (rawHttp.headers !== undefined && rawHttp.headers !== null) {
      if (!isRecord(rawHttp.headers)) throw new WebConfigError(`${source}: http_server_config.headers must be a mapping`);
      for (const [name, value] of Object.entries(rawHttp.headers)) {
        if (typeof value !== 'string') throw new WebConfigError(`${source}: http_server_config.headers.${name} must be a string`);
        headers[name] = value;
      }
    }
  }
  return { source, tls, basicAuthUsers, headers };
}

async function readPem(path: string, what: string, source: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new WebConfigError(`${source}: failed to read ${what} (${path}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads and validates a web-config file, including the certificate and key files it names. */
export async function loadWebConfig(path: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new WebConfigError(`cannot read web config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const spec = parseWebConfigText(text, dirname(path), path);
  let tls: TlsServerConfig | null = null;
  if (spec.tls) {
    const t = spec.tls;
    tls = {
      cert: t.certFile ? await readPem(t.certFile, 'cert_file', path) : t.cert!,
      key: t.keyFile ? await readPem(t.keyFile, 'key_file', path) : t.key!,
      clientCa: t.clientCaFile ? await readPem(t.clientCaFile, 'client_ca_file', path) : (t.clientCa ?? null),
      clientAuthType: t.clientAuthType,
      minVersion: t.minVersion,
      maxVersion: t.maxVersion,
      clientAllowedSans: t.clientAllowedSans,
    };
  }
  return { source: path, tls, basicAuthUsers: spec.basicAuthUsers, headers: spec.headers };
}

/** Options for `https.createServer`; the certificate policies Node cannot express are checked per request by `clientCertProblem`. */
export function httpsOptions(tls: TlsServerConfig): HttpsServerOptions {
  const requestCert = tls.clientAuthType !== 'NoClientCert';
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.clientCa ?? undefined,
    requestCert,
    // Only RequireAndVerifyClientCert can be enforced in the handshake; the other policies accept
    // the handshake and are decided in clientCertProblem.
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  };
}

/** Why this connection's client certificate does not satisfy the policy, or null. */
export function clientCertProblem(tls: TlsServerConfig, socket: TLSSocket): string | null {
  const cert = socket.getPeerCertificate();
  const present = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  switch (tls.clientAuthType) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return null;
    case 'RequireAnyClientCert':
      if (!present) return 'a client certificate is required';
      break;
    case 'VerifyClientCertIfGiven':
      if (present && !socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
      return null;
    case 'RequireAndVerifyClientCert':
      if (!present) return 'a client certificate is required';
      if (!socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
      break;
  }
  if (tls.clientAllowedSans) {
    const sans = (cert.subjectaltname ?? '').split(/,\s*/).map((s) => s.replace(/^(DNS|IP Address|email|URI):/, ''));
    if (!sans.some((s) => tls.clientAllowedSans!.includes(s))) return `client certificate SANs are not in client_allowed_sans`;
  }
  return null;
}

// Unknown users cost one bcrypt comparison too (against a hash of random bytes), so response
// time does not reveal which user names exist, as in exporter-toolkit.
let decoyHash: Promise<string> | null = null;

/**
 * Checks `Authorization: Basic` headers against the configured users. Results are cached by a
 * digest of the header, because bcrypt is deliberately slow (~80 ms at cost 10) and Prometheus
 * sends the same credentials every scrape.
 */
export function createBasicAuthChecker(users: Record<string, string>): (authorization: string | undefined) => Promise<boolean> {
  const cache = new Map<string, boolean>();
  const MAX_CACHE = 1024;
  return async (authorization) => {
    if (Object.keys(users).length === 0) return true;
    if (!authorization) return false;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const digest = createHash('sha256').update(decoded).digest('hex');
    const cached = cache.get(digest);
    if (cached !== undefined) return cached;
    const hash = Object.prototype.hasOwnProperty.call(users, user) ? users[user] : undefined;
    decoyHash ??= bcryptHash(randomBytes(16).toString('hex'), 10);
    const ok = (await compare(password, hash ?? (await decoyHash))) && hash !== undefined;
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(digest, ok);
    return ok;
  };
}
