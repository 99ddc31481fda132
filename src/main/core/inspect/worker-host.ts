// Starts the parse worker and turns its messages into a promise plus progress callbacks.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InspectionPhase } from '../../../shared/api';
import type { Analysis } from './analyze';
import type { WorkerInput, WorkerMessage } from './protocol';

export interface RunningAnalysis {
  result: Promise<Analysis>;
  /** Stops the parse (the file was closed); the result promise then rejects. */
  terminate(): void;
}

/**
 * Where the worker's code is. Built (the app, `gpu-pulse serve`, the CLI): electron-vite emits
 * out/main/inspect-worker.js next to index.js and cli.js, and this module sits either in one of
 * those bundles or in out/main/chunks/. From source (vitest, tsx) there is no build: the worker
 * loads worker.ts through tsx's CommonJS hook (a dev dependency, so present exactly then). Both
 * run the same code in a real worker thread; nothing falls back to parsing on main.
 */
function workerScript(): { script: string; eval: boolean } {
  for (const dir of [__dirname, join(__dirname, '..')]) {
    const built = join(dir, 'inspect-worker.js');
    if (existsSync(built)) return { script: built, eval: false };
  }
  const source = join(__dirname, 'worker.ts');
  if (existsSync(source)) {
    const tsx = createRequire(join(__dirname, 'worker-host.ts')).resolve('tsx/cjs');
    return { script: `require(${JSON.stringify(tsx)});require(${JSON.stringify(source)});`, eval: true };
  }
  throw new Error(`the inspector's worker (inspect-worker.js) is missing next to ${__dirname}; rebuild with \`npm run build\``);
}

export function runAnalysis(input: WorkerInput, onProgress: (phase: InspectionPhase, progress: number) => void): RunningAnalysis {
  const { script, eval: isEval } = workerScript();
  const worker = new Worker(script, { eval: isEval, workerData: input });
  let settled = false;
  const result = new Promise<Analysis>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.phase, message.progress);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.analysis);
      } else {
        settled = true;
        reject(new Error(message.message));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(code === 1 ? 'the parse was stopped' : `the parse worker exited with code ${code} (out of memory?)`));
    });
  });
  return { result, terminate: () => void worker.terminate() };
}
