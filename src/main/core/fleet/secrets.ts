// Secrets (basic-auth passwords, bearer tokens) never sit in the settings file as plain text
// (DESIGN.md §7). Settings hold a SecretRef; a SecretStore turns a value into a ref and back.
// The app encrypts with Electron safeStorage (injected, so this module never imports electron);
// serve mode only references secrets that live in the environment or in a file.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const SecretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
  /** base64 of the ciphertext produced by the injected encrypt function. */
  z.strictObject({ encrypted: z.string().min(1) }),
]);

export type SecretRef = z.infer<typeof SecretRefSchema>;

export interface SecretStore {
  /** Stores `value` and returns the reference to persist in its place. */
  put(name: string, value: string): Promise<SecretRef>;
  /** Resolves a reference to the secret value; rejects with a message naming the reference. */
  get(ref: SecretRef): Promise<string>;
}

export class SecretError extends Error {
  constructor(
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

interface ReferenceResolverOptions {
  env?: NodeJS.ProcessEnv;
}

/** Resolves `{ env }` and `{ file }` references, the kinds both stores understand. */
async function resolveReference(ref: SecretRef, env: NodeJS.ProcessEnv): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new SecretError(
        `environment variable ${ref.env} is not set`,
        `set ${ref.env} in the environment of gpu-pulse`,
      );
    }
    return value;
  }
  if ('file' in ref) {
    let text: string;
    try {
      text = await readFile(ref.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretError(`cannot read secret file ${ref.file} (${code})`, `check that ${ref.file} exists and is readable`);
    }
    // Files written with `echo` end in a newline that is never part of the secret.
    return text.replace(/\r?\n$/, '');
  }
  throw new SecretError(
    'this secret was encrypted by the desktop app and cannot be read here',
    'reference the secret from an environment variable or a file instead',
  );
}

/**
 * Serve mode: there is no key store, so the only safe thing is to refuse plain values and
 * resolve references the operator controls.
 */
export function createServeSecretStore(opts: ReferenceResolverOptions = {}): SecretStore {
  const env = opts.env ?? process.env;
  return {
    async put(name) {
      // The remedy is in the message too: the HTTP API answers with the message alone.
      throw new SecretError(
        `serve mode does not store secrets (${name}): start gpu-pulse serve with --secret NAME=env:VARIABLE or --secret NAME=file:PATH and choose that name`,
        'start gpu-pulse serve with --secret NAME=env:VARIABLE or --secret NAME=file:PATH and choose that name',
      );
    },
    get: (ref) => resolveReference(ref, env),
  };
}

export interface SecretCipher {
  /** e.g. `safeStorage.isEncryptionAvailable`; false means put() must refuse. */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer | Promise<Buffer>;
  decrypt(cipher: Buffer): string | Promise<string>;
}

/**
 * The app's store: values are encrypted with the injected cipher (safeStorage in Electron, a
 * fake in tests). References to env vars and files still resolve, so a settings file written
 * for serve mode also works in the app.
 */
export function createEncryptedSecretStore(cipher: SecretCipher, opts: ReferenceResolverOptions = {}): SecretStore {
  const env = opts.env ?? process.env;
  return {
    async put(name, value) {
      if (!cipher.isAvailable()) {
        // On Linux without a keyring safeStorage falls back to a hard-coded key: refusing is
        // the honest answer rather than writing something that only looks encrypted.
        throw new SecretError(
          `cannot store ${name}: no OS key store is available to encrypt it`,
          'unlock or install a keyring (GNOME Keyring, KWallet), or reference the secret from an environment variable or file',
        );
      }
      const encrypted = await cipher.encrypt(value);
      return { encrypted: encrypted.toString('base64') };
    },
    async get(ref) {
      if (!('encrypted' in ref)) return resolveReference(ref, env);
      try {
        return await cipher.decrypt(Buffer.from(ref.encrypted, 'base64'));
      } catch (error) {
        throw new SecretError(
          `cannot decrypt a stored secret (${(error as Error).message})`,
          'enter the credential again; it was encrypted under another user account or machine',
        );
      }
    },
  };
}
