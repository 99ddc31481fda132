// What a target request from a front end (IPC or HTTP) may say about secrets, turned into the
// service's own input. A request is untrusted: it may give a secret as a value the user typed
// (stored through the secret store, never echoed) or name a secret the operator configured
// (`--secret NAME=env:VAR`), but never point at an environment variable or a file itself, or a
// page could make the process send any of them to an address of its choosing.
//
// Credentials never stay where they would be shown or stored in plain text: user:password in a
// URL becomes basic auth, and headers that carry credentials (Authorization, X-Api-Key, …)
// become secret headers; both then go through the secret store like a typed password.
import type { AddTargetRequest, SecretInput } from '../../../shared/api';
import { SecretError, type SecretRef } from './secrets';
import type { TargetConfig } from './target-config';

/** Secrets the operator configured by name; requests choose among them. */
export type NamedSecrets = Readonly<Record<string, SecretRef>>;

/** A secret after the request step: a typed value still to be stored, or a reference. */
export type SecretValue = string | SecretRef;

export interface PreparedTargetRequest extends Omit<AddTargetRequest, 'auth' | 'headers'> {
  auth?: { kind: 'none' } | { kind: 'basic'; username: string; password?: SecretValue } | { kind: 'bearer'; token?: SecretValue };
  /** Headers without credentials. */
  headers?: Record<string, string>;
  /** Credential headers; undefined on update keeps the stored ones. */
  secretHeaders?: Record<string, SecretValue>;
}

/** Header names that carry credentials: stored as secrets, never as plain settings. */
export function isCredentialHeader(name: string): boolean {
  return /auth|key|token|secret|passw|cookie|session|credential/i.test(name);
}

/** `NAME=env:VAR` or `NAME=file:PATH`, as `gpu-pulse serve --secret` takes it. */
export function parseNamedSecret(spec: string): [string, SecretRef] {
  const match = /^([A-Za-z0-9_.-]+)=(env|file):(.+)$/.exec(spec);
  if (!match) throw new Error(`expected NAME=env:VARIABLE or NAME=file:PATH, got ${JSON.stringify(spec.replace(/=.*/, '=…'))}`);
  const [, name, kind, where] = match as unknown as [string, string, 'env' | 'file', string];
  if (kind === 'env' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(where)) throw new Error(`${name}: ${JSON.stringify(where)} is not an environment variable name`);
  return [name, kind === 'env' ? { env: where } : { file: where }];
}

/** `http://user:secret@host/` -> `http://user:***@host/`, anywhere in a text (URLs, error messages). */
export function maskUrlCredentials(text: string): string {
  return text.replace(/(\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/?#@:]*):[^\s/?#@]*@/g, '$1$2:***@');
}

export function prepareTargetRequest(req: AddTargetRequest, ctx: { named: NamedSecrets; previous: TargetConfig | null }): PreparedTargetRequest {
  const resolve = (secret: SecretInput | undefined): SecretValue | undefined => {
    if (secret === undefined || typeof secret === 'string') return secret;
    const ref = ctx.named[secret.secret];
    if (ref) return ref;
    const names = Object.keys(ctx.named);
    throw new SecretError(
      `no secret named ${JSON.stringify(secret.secret)} is configured${names.length > 0 ? ` (configured: ${names.join(', ')})` : ''}`,
      'start gpu-pulse serve with --secret NAME=env:VARIABLE or --secret NAME=file:PATH',
    );
  };
  let auth: PreparedTargetRequest['auth'];
  if (req.auth?.kind === 'basic') auth = { kind: 'basic', username: req.auth.username, password: resolve(req.auth.password) };
  else if (req.auth?.kind === 'bearer') auth = { kind: 'bearer', token: resolve(req.auth.token) };
  else if (req.auth) auth = { kind: 'none' };

  const url = new URL(req.url);
  if (url.username !== '' || url.password !== '') {
    if (auth && auth.kind !== 'none') throw new Error('credentials are given twice, in the URL and in auth: keep them in auth only');
    auth = { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
  }

  let headers: Record<string, string> | undefined;
  let secretHeaders: Record<string, SecretValue> | undefined;
  if (req.headers) {
    headers = {};
    secretHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (isCredentialHeader(name)) secretHeaders[name] = value;
      else headers[name] = value;
    }
  }

  const prepared: PreparedTargetRequest = { ...req, url: url.toString(), auth, headers, secretHeaders };
  if (ctx.previous) refuseStoredSecretsElsewhere(prepared, ctx.previous);
  return prepared;
}

/**
 * On update, a secret the request leaves out keeps the stored one; if the address moved to
 * another server, that would send the stored credential there. The user types it again instead.
 */
function refuseStoredSecretsElsewhere(req: PreparedTargetRequest, previous: TargetConfig): void {
  if (new URL(req.url).origin === new URL(previous.url).origin) return;
  const keepsAuth =
    (req.auth?.kind === 'basic' && req.auth.password === undefined && previous.auth.kind === 'basic') ||
    (req.auth?.kind === 'bearer' && req.auth.token === undefined && previous.auth.kind === 'bearer');
  const keepsHeaders = req.secretHeaders === undefined && Object.keys(previous.secretHeaders ?? {}).length > 0;
  if (keepsAuth || keepsHeaders) {
    throw new Error(`the address moved to another server (${new URL(req.url).origin}): enter its credentials again, so a stored one is never sent to a server it was not given for`);
  }
}
