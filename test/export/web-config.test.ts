// The exporter-toolkit web-config format: what is accepted, what is refused with a reason,
// and bcrypt basic auth.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBasicAuthChecker, loadWebConfig, parseWebConfigText, WebConfigError } from '../../src/main/core/export/web-config';
import { tempDir } from './support/peers';

const HASH = hashSync('s3cret', 4);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('parseWebConfigText', () => {
  it('reads TLS and users, resolving paths against the file', () => {
    const spec = parseWebConfigText(
      `tls_server_config:\n  cert_file: server.crt\n  key_file: /abs/server.key\n  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n  min_version: TLS13\nbasic_auth_users:\n  prom: ${HASH}\n`,
      '/etc/gpu-pulse',
    );
    expect(spec.tls).toMatchObject({
      certFile: '/etc/gpu-pulse/server.crt',
      keyFile: '/abs/server.key',
      clientCaFile: '/etc/gpu-pulse/ca.crt',
      clientAuthType: 'RequireAndVerifyClientCert',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    expect(spec.basicAuthUsers).toEqual({ prom: HASH });
  });

  it('treats an empty file and an empty tls_server_config as plain HTTP without auth', () => {
    expect(parseWebConfigText('', '/x')).toMatchObject({ tls: null, basicAuthUsers: {} });
    expect(parseWebConfigText('tls_server_config: {}\n', '/x')).toMatchObject({ tls: null });
  });

  it.each([
    ['tls_server_config:\n  cert_file: a.crt\n', /missing one of key or key_file/],
    ['tls_server_config:\n  key_file: a.key\n', /missing one of cert or cert_file/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca\n', /without a client auth policy/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n', /needs client_ca_file/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n', /invalid client_auth_type "Sometimes"/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS99\n', /unknown TLS version/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n', /cipher_suites .* not supported/],
    ['basic_auth_users:\n  prom: plaintext\n', /not a bcrypt hash/],
    ['basic_auth_user:\n  prom: x\n', /unknown key "basic_auth_user"/],
    ['rate_limit:\n  interval: 1s\n', /rate_limit is not supported/],
    ['- a\n- b\n', /expected a mapping/],
    ['a: [\n', /not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseWebConfigText(text, '/x', 'web.yml')).toThrow(WebConfigError);
    expect(() => parseWebConfigText(text, '/x', 'web.yml')).toThrow(message);
  });
});

describe('loadWebConfig', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('webcfg');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('names the file it cannot read', async () => {
    const file = join(dir.path, 'web.yml');
    await writeFile(file, 'tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n');
    await expect(loadWebConfig(file)).rejects.toThrow(/failed to read cert_file .*missing\.crt.*ENOENT/);
    await expect(loadWebConfig(join(dir.path, 'nope.yml'))).rejects.toThrow(/cannot read web config .*ENOENT/);
  });
});

describe('createBasicAuthChecker', () => {
  const check = createBasicAuthChecker({ prom: HASH });

  it('accepts the right password and refuses everything else', async () => {
    expect(await check(basic('prom', 's3cret'))).toBe(true);
    expect(await check(basic('prom', 's3cret'))).toBe(true); // cached
    expect(await check(basic('prom', 'wrong'))).toBe(false);
    expect(await check(basic('nobody', 's3cret'))).toBe(false);
    expect(await check(undefined)).toBe(false);
    expect(await check('Bearer abc')).toBe(false);
    expect(await check(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe(false);
  });

  it('lets everyone in when no users are configured', async () => {
    expect(await createBasicAuthChecker({})(undefined)).toBe(true);
  });
});
