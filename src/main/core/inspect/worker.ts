// Worker entry (built as out/main/inspect-worker.js): one file per worker, then it exits. Main
// never parses, so a 100 MB file cannot freeze the window or delay the scrapes.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeFile } from './analyze';
import { transferablesOf } from './series-store';
import type { WorkerInput, WorkerMessage } from './protocol';

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

// A message per percent at most, and not more often than every 50 ms: each one becomes a tick.
let last = { phase: '', progress: -1, at: 0 };

try {
  const analysis = analyzeFile(workerData as WorkerInput, (phase, progress) => {
    const now = Date.now();
    if (phase === last.phase && (progress - last.progress < 0.01 || now - last.at < 50)) return;
    last = { phase, progress, at: now };
    post({ type: 'progress', phase, progress });
  });
  const transfer = transferablesOf(analysis.series);
  if (analysis.lineIndex) transfer.push(analysis.lineIndex.offsets.buffer as ArrayBuffer);
  post({ type: 'done', analysis }, transfer);
} catch (err) {
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
