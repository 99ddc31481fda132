// node_exporter's textfile collector reads every `*.prom` file in a directory at each scrape.
// A reader must never see half a file, so the text goes to a temporary file in the same
// directory (same filesystem, so rename is atomic) whose name does not end in `.prom`, is
// flushed to disk, and is renamed over the target.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PulseMetrics } from './metrics-registry';

export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** The registry in text 0.0.4, the format the textfile collector parses. */
export async function writeTextfile(path: string, metrics: PulseMetrics): Promise<number> {
  const text = await metrics.render('prometheus');
  await writeFileAtomically(path, text);
  return Buffer.byteLength(text);
}
