// Real Prometheus-ecosystem peers for the export tests, from the Debian packages `.ci/run`
// installs: each is started on 127.0.0.1 with a free port and a temporary directory, and
// stopped by the test that started it. A missing binary fails the test with the package name.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const BINARIES = {
  prometheus: { path: '/usr/bin/prometheus', pkg: 'prometheus' },
  promtool: { path: '/usr/bin/promtool', pkg: 'prometheus' },
  pushgateway: { path: '/usr/bin/prometheus-pushgateway', pkg: 'prometheus-pushgateway' },
  nodeExporter: { path: '/usr/bin/prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl' },
} as const;

/** The binary's path; throws (failing the test, never skipping it) when it is not installed. */
export function requireBinary(name: keyof typeof BINARIES): string {
  const { path, pkg } = BINARIES[name];
  if (!existsSync(path)) throw new Error(`${path} is not installed: this test needs the real peer; run \`apt-get install ${pkg}\` (as .ci/run does)`);
  return path;
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `gpu-pulse-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningPeer {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a peer and waits until `ready` (a path that must answer 200, or a probe) succeeds. */
export async function startPeer(
  name: keyof typeof BINARIES,
  args: (port: number) => string[],
  ready: string | ((port: number) => Promise<boolean>),
  timeoutMs = 30_000,
): Promise<RunningPeer> {
  const bin = requireBinary(name);
  const port = await freePort();
  const child = spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode} before it was ready:\n${out}`);
    try {
      if (typeof ready === 'string' ? (await fetch(`${url}${ready}`)).ok : await ready(port)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${bin} was not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, child, output: () => out, stop };
}

/** A Prometheus server on `config`, its TSDB in `dataDir` (default: `dir`/data). */
export async function startPrometheus(opts: { dir: string; config: string; dataDir?: string; extraArgs?: string[] }): Promise<RunningPeer> {
  const configFile = join(opts.dir, 'prometheus.yml');
  await writeFile(configFile, opts.config);
  return startPeer(
    'prometheus',
    (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${opts.dataDir ?? join(opts.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.extraArgs ?? []),
    ],
    '/-/ready',
    60_000,
  );
}

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

export async function promQuery(base: string, query: string, params: Record<string, string> = {}, path = '/api/v1/query'): Promise<PromSample[]> {
  const qs = new URLSearchParams({ query, ...params });
  const res = await fetch(`${base}${path}?${qs}`);
  const json = (await res.json()) as { status: string; error?: string; data: { result: PromSample[] } };
  if (json.status !== 'success') throw new Error(`query ${query} failed: ${json.error}`);
  return json.data.result;
}

export async function runPromtool(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = requireBinary('promtool');
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const openssl = requireBinary('openssl');
  const f = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileAsync(openssl, args, { cwd: dir });
  await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=gpu-pulse test CA']);
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  await run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext')]);
  await writeFile(f('client.ext'), 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:scraper.test\n');
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=scraper']);
  await run(['x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.crt'), '-days', '2', '-extfile', f('client.ext')]);
  return { caCert: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

/** A CliIo that records what a command prints. */
export function captureIo(cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: (s: string) => void (stdout += s),
      stderr: (s: string) => void (stderr += s),
      readStdin: async () => Buffer.alloc(0),
      cwd,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

export interface RunningCommand {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Waits until the output matches, failing with the output so far. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `gpu-pulse <name> args...` as a separate process (through tsx, so no build is needed). */
export function spawnCommand(name: string, args: string[], opts: { cwd?: string } = {}): RunningCommand {
  const root = join(__dirname, '..', '..', '..');
  // `--import tsx` runs the TypeScript in this very process, so signals reach the command itself.
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(__dirname, 'run-command.ts'), name, ...args], {
    cwd: opts.cwd ?? root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`gpu-pulse ${name} exited with ${child.exitCode} before printing ${pattern}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`gpu-pulse ${name} did not print ${pattern} within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}
