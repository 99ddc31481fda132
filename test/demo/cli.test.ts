import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { run } from '../../src/main/cli/commands/demo-exporter';
import type { CliIo } from '../../src/main/cli/io';
import { label, sampleLines } from './helpers';

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;

function memoryIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: async () => Buffer.alloc(0),
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Start the command in-process; returns its printed ports and a stop function. */
async function start(args: string[], expectedLines: number) {
  const io = memoryIo();
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  const done = run(args, io, until);
  const ports = await waitFor(() => {
    const lines = io.out().split('\n').filter(Boolean);
    return lines.length >= expectedLines ? lines : undefined;
  });
  return { io, done, stop, lines: ports };
}

describe('gpu-pulse demo-exporter', () => {
  it('--port 0 prints the real port exactly, serves /metrics and /health, and stops cleanly', async () => {
    const { io, done, stop, lines } = await start(['--port', '0', '--gpus', '2', '--hostname', 'cli-node', '--seed', '9'], 1);
    try {
      expect(lines).toHaveLength(1);
      const port = Number(LISTENING.exec(lines[0])![1]);
      expect(port).toBeGreaterThan(0);
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const samples = sampleLines(body);
      expect(new Set(samples.map((l) => label(l, 'gpu')))).toEqual(new Set(['0', '1']));
      expect(new Set(samples.map((l) => label(l, 'Hostname')))).toEqual(new Set(['cli-node']));
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).text()).toBe('OK');
      stop();
      expect(await done).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      expect(io.err()).toBe('');
    } finally {
      stop();
      await done;
    }
  });

  it('--instances N prints one listening line per exporter, each with its own host name', async () => {
    const { done, stop, lines } = await start(['--instances', '3', '--base-port', '0', '--gpus', '1', '--model', 'NVIDIA A100-SXM4-80GB'], 3);
    try {
      expect(lines).toHaveLength(3);
      const hosts = new Set<string>();
      for (const line of lines) {
        const port = Number(LISTENING.exec(line)![1]);
        const samples = sampleLines(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
        hosts.add(label(samples[0], 'Hostname')!);
        expect(label(samples[0], 'modelName')).toBe('NVIDIA A100-SXM4-80GB');
      }
      expect(hosts).toEqual(new Set(['demo-node-1', 'demo-node-2', 'demo-node-3']));
    } finally {
      stop();
      expect(await done).toBe(0);
    }
  });

  it.each([
    [['--port', '0', '--gpus', 'abc'], '--gpus must be an integer between 1 and 64, got "abc"'],
    [['--port', '0', '--gpus', '65'], '--gpus must be an integer between 1 and 64, got "65"'],
    [['--port', '0', '--gpus', '8x'], '--gpus must be an integer between 1 and 64, got "8x"'],
    [['--port', '70000'], '--port must be an integer between 0 and 65535, got "70000"'],
    [['--port', '0', '--seed=-1'], '--seed must be an integer between 0 and 4294967295, got "-1"'],
    [['--gpus', '8'], '--port is required'],
    [['--instances', '0'], '--instances must be an integer between 1 and 5000, got "0"'],
    [['--instances', '2', '--port', '9400'], '--port cannot be combined with --instances'],
    [['--base-port', '9400'], '--base-port needs --instances'],
    [['--instances', '10', '--base-port', '65530'], 'runs past port 65535'],
    [['--port', '0', '--hostname', 'bad host'], '--hostname must be a host name'],
    [['--port', '0', '--model', 'x"y'], '--model must be'],
    [['--port', '0', '--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const io = memoryIo();
    expect(await run(args, io, Promise.resolve())).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });

  it('--help prints usage and exits 0', async () => {
    const io = memoryIo();
    expect(await run(['--help'], io, Promise.resolve())).toBe(0);
    expect(io.out()).toContain('Usage: gpu-pulse demo-exporter --port N');
    expect(io.out()).toContain('--instances N');
  });

  it('exits 1 with a message when the port is taken', async () => {
    const first = await start(['--port', '0'], 1);
    try {
      const port = LISTENING.exec(first.lines[0])![1];
      const io = memoryIo();
      expect(await run(['--port', port], io, Promise.resolve())).toBe(1);
      expect(io.err()).toMatch(/cannot listen on 127\.0\.0\.1: .*EADDRINUSE/);
    } finally {
      first.stop();
      await first.done;
    }
  });

  it('as a process: runs until SIGTERM, then closes its server and exits 0', async () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [join(__dirname, 'fixtures', 'run-demo-exporter.ts'), '--port', '0', '--gpus', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const line = await waitFor(() => out.split('\n').find((l) => LISTENING.test(l)), 20_000);
      const port = LISTENING.exec(line)![1];
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err).not.toMatch(/crashed/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
