import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scrapeRequestFor } from '../../src/main/core/fleet/scrape-request';
import { createEncryptedSecretStore, createServeSecretStore, SecretError, type SecretCipher } from '../../src/main/core/fleet/secrets';
import { TargetConfigSchema, toStoredTarget } from '../../src/main/core/fleet/target-config';

const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stands in for Electron safeStorage: real AES-GCM under a key that lives only in memory. */
function fakeSafeStorage(available = true): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => available,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const PASSWORD = 'hunter2-correct-horse';
const TOKEN = 'tok-9f8e7d6c5b4a';

describe('secrets', () => {
  it('never writes a secret in plain text: targets saved through the store and read back', async () => {
    const store = createEncryptedSecretStore(fakeSafeStorage());
    const targets = [
      await toStoredTarget({ id: 'a', url: 'https://node01:9400/metrics', auth: { kind: 'basic', username: 'ops', password: PASSWORD } }, store),
      await toStoredTarget({ id: 'b', url: 'https://node02:9400/metrics', auth: { kind: 'bearer', token: TOKEN } }, store),
    ];
    const path = join(dir, 'settings.json');
    writeFileSync(path, JSON.stringify({ targets }, null, 2));

    const text = readFileSync(path, 'utf8');
    for (const secret of [PASSWORD, TOKEN]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      expect(text).not.toContain(Buffer.from(`ops:${secret}`).toString('base64'));
    }
    expect(text).toContain('"encrypted"');

    const loaded = (JSON.parse(text) as { targets: unknown[] }).targets.map((t) => TargetConfigSchema.parse(t));
    const requests = await Promise.all(loaded.map((t) => scrapeRequestFor(t, store)));
    expect(requests[0].auth).toEqual({ kind: 'basic', username: 'ops', password: PASSWORD });
    expect(requests[1].auth).toEqual({ kind: 'bearer', token: TOKEN });
  });

  it('the stored schema cannot hold a plain secret, nor credentials in extra headers', () => {
    const base = { id: 'a', url: 'http://n:9400/metrics' };
    expect(TargetConfigSchema.safeParse({ ...base, auth: { kind: 'basic', username: 'u', password: 'plain' } }).success).toBe(false);
    expect(TargetConfigSchema.safeParse({ ...base, auth: { kind: 'bearer', token: { value: 'plain' } } }).success).toBe(false);
    expect(TargetConfigSchema.safeParse({ ...base, headers: { Authorization: 'Bearer x' } }).success).toBe(false);
    expect(TargetConfigSchema.safeParse({ ...base, headers: { 'X-Scope': 'gpu' } }).success).toBe(true);
  });

  it('refuses to store when no OS key store can encrypt', async () => {
    const store = createEncryptedSecretStore(fakeSafeStorage(false));
    await expect(store.put('password', 'x')).rejects.toThrow(/no OS key store/);
  });

  it('serve mode refuses plain values and resolves env and file references', async () => {
    const store = createServeSecretStore({ env: { PULSE_TOKEN: TOKEN } });
    await expect(
      toStoredTarget({ id: 'a', url: 'http://n:9400/metrics', auth: { kind: 'bearer', token: TOKEN } }, store),
    ).rejects.toThrow(/serve mode does not store secrets/);

    const secretFile = join(dir, 'password');
    writeFileSync(secretFile, `${PASSWORD}\n`);
    const fromFile = await toStoredTarget(
      { id: 'a', url: 'http://n:9400/metrics', auth: { kind: 'basic', username: 'ops', password: { file: secretFile } } },
      store,
    );
    expect((await scrapeRequestFor(fromFile, store)).auth).toEqual({ kind: 'basic', username: 'ops', password: PASSWORD });
    expect(await store.get({ env: 'PULSE_TOKEN' })).toBe(TOKEN);

    const missing = store.get({ env: 'NOT_SET_ANYWHERE' });
    await expect(missing).rejects.toBeInstanceOf(SecretError);
    await expect(missing).rejects.toThrow(/NOT_SET_ANYWHERE is not set/);
    await expect(store.get({ file: join(dir, 'nope') })).rejects.toThrow(/cannot read secret file .*ENOENT/);
    await expect(store.get({ encrypted: 'AAAA' })).rejects.toThrow(/encrypted by the desktop app/);
  });

  it('reports a secret that cannot be decrypted with a remedy', async () => {
    const stored = await createEncryptedSecretStore(fakeSafeStorage()).put('p', 'x');
    const otherMachine = createEncryptedSecretStore(fakeSafeStorage());
    await expect(otherMachine.get(stored)).rejects.toThrow(/cannot decrypt a stored secret/);
  });
});
