// Real certificates for TLS tests, made with the openssl CLI in a temp directory:
// a self-signed server certificate for 127.0.0.1, and a client CA with one client certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCaFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  read(file: string): Buffer;
  remove(): void;
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-pulse-certs-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', file('server.key'), '-out', file('server.crt'));
  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=gpu-pulse test client CA', '-keyout', file('client-ca.key'), '-out', file('client-ca.crt'));
  openssl('req', '-new', ...ec, '-subj', '/CN=gpu-pulse', '-keyout', file('client.key'), '-out', file('client.csr'));
  openssl('x509', '-req', '-in', file('client.csr'), '-CA', file('client-ca.crt'), '-CAkey', file('client-ca.key'), '-CAcreateserial',
    '-days', '2', '-out', file('client.crt'));

  return {
    dir,
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCaFile: file('client-ca.crt'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
