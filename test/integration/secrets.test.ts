// Secrets typed into the target dialog never land in the settings file in plain text: the app
// stores them encrypted, serve mode refuses them and keeps references only.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PulseService } from '../../src/main/core/service';
import { fileSettingsStore, SETTINGS_FILE_NAME } from '../../src/main/core/settings/file-store';
import { createEncryptedSecretStore } from '../../src/main/core/fleet/secrets';

const PASSWORD = 'hunter2-very-secret';
const TOKEN = 'tok-abcdef-123456';

describe('secrets in settings', () => {
  const services: PulseService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
  });

  function service(dir: string, secrets?: Parameters<typeof createEncryptedSecretStore>[0], namedSecrets?: Record<string, { env: string }>) {
    const s = new PulseService({ mode: 'desktop', version: 'test', settings: fileSettingsStore(dir), demo: 'off', secrets: secrets ? createEncryptedSecretStore(secrets) : undefined, namedSecrets });
    services.push(s);
    return s;
  }

  // A reversible stand-in for safeStorage: what matters is that the file holds its output only.
  const cipher = {
    isAvailable: () => true,
    encrypt: (plain: string) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
    decrypt: (data: Buffer) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString(),
  };

  it('desktop: typed password and token are written encrypted, and decrypt for scraping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-secrets-'));
    const s = service(dir, cipher);
    await s.addTarget({ url: 'http://127.0.0.1:1/metrics', auth: { kind: 'basic', username: 'ops', password: PASSWORD } });
    await s.addTarget({ url: 'http://127.0.0.1:2/metrics', auth: { kind: 'bearer', token: TOKEN } });
    const text = readFileSync(join(dir, SETTINGS_FILE_NAME), 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('"encrypted"');
    expect(text).toContain('"username": "ops"');
    const stored = JSON.parse(text).targets[0].auth.password.encrypted as string;
    expect(cipher.decrypt(Buffer.from(stored, 'base64'))).toBe(PASSWORD);
  });

  it('desktop: with no OS key store the secret is refused, not written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-secrets-'));
    const s = service(dir, { ...cipher, isAvailable: () => false });
    await expect(s.addTarget({ url: 'http://127.0.0.1:1/metrics', auth: { kind: 'basic', username: 'ops', password: PASSWORD } })).rejects.toThrow(/key store/);
    expect(() => readFileSync(join(dir, SETTINGS_FILE_NAME), 'utf8')).toThrow();
  });

  it('desktop: credentials in a URL move into the secret store, and the URL is shown without them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-secrets-'));
    const s = service(dir, cipher);
    const info = await s.addTarget({ url: `http://ops:${PASSWORD}@127.0.0.1:1/metrics`, headers: { 'X-Api-Key': TOKEN, 'X-Cluster': 'a100' } });
    expect(info.url).toBe('http://127.0.0.1:1/metrics');
    expect(info).toMatchObject({ authKind: 'basic', username: 'ops' });
    expect(JSON.stringify(await s.getTargets())).not.toContain(PASSWORD);
    const text = readFileSync(join(dir, SETTINGS_FILE_NAME), 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
    const stored = JSON.parse(text).targets[0];
    expect(stored.headers).toEqual({ 'X-Cluster': 'a100' });
    expect(cipher.decrypt(Buffer.from(stored.secretHeaders['X-Api-Key'].encrypted, 'base64'))).toBe(TOKEN);
    expect(cipher.decrypt(Buffer.from(stored.auth.password.encrypted, 'base64'))).toBe(PASSWORD);
  });

  it('serve: a typed secret is refused with the remedy; a named operator secret is stored as its reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-secrets-'));
    const s = service(dir, undefined, { dcgm: { env: 'DCGM_TOKEN' } });
    await expect(s.addTarget({ url: 'http://127.0.0.1:1/metrics', auth: { kind: 'bearer', token: TOKEN } })).rejects.toThrow(/does not store secrets/);
    await expect(s.addTarget({ url: `http://ops:${PASSWORD}@127.0.0.1:1/metrics` })).rejects.toThrow(/--secret/);
    await s.addTarget({ url: 'http://127.0.0.1:1/metrics', auth: { kind: 'bearer', token: { secret: 'dcgm' } } });
    const text = readFileSync(join(dir, SETTINGS_FILE_NAME), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text).targets[0].auth).toEqual({ kind: 'bearer', token: { env: 'DCGM_TOKEN' } });
  });
});
