// Runs the built CLI (bin/gpu-pulse.js) as a child process and waits for its
// `listening on http://...` line(s).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'gpu-pulse.js');

export interface RunningCli {
  child: ChildProcess;
  urls: string[];
  output: () => string;
  stop(): Promise<void>;
}

export async function startCli(args: string[], expectListening = 1, timeoutMs = 20_000): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const urls: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gpu-pulse ${args.join(' ')} did not print ${expectListening} listening line(s) in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(/^listening on (http:\/\/\S+)$/gm)) if (!urls.includes(m[1]!)) urls.push(m[1]!);
      if (urls.length >= expectListening) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gpu-pulse ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    urls,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
