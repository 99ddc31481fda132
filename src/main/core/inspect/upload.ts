// serve mode's uploads: the browser has no path for a dropped file, so its bytes are kept in a
// private temp folder for the parse and for the source view, and removed when it is closed.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { once } from 'node:events';

/** Far above any real exposition; a gzip file may still expand to the parser's own limit. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

export interface SavedUpload {
  path: string;
  sizeBytes: number;
  remove(): Promise<void>;
}

/** A name safe to use as a file name (no directories, no control characters). */
export function safeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '_');
  return base === '' || base === '.' || base === '..' ? 'upload.prom' : base.slice(0, 200);
}

export async function saveUpload(name: string, body: AsyncIterable<Uint8Array>, onBytes: (received: number) => void): Promise<SavedUpload> {
  const dir = await mkdtemp(join(tmpdir(), 'gpu-pulse-inspect-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, safeFileName(name));
  const out = createWriteStream(path, { mode: 0o600 });
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > MAX_UPLOAD_BYTES) throw new Error(`the upload is larger than ${MAX_UPLOAD_BYTES / 2 ** 30} GiB; open the file with \`gpu-pulse FILE\` on the machine that has it`);
      if (!out.write(chunk)) await once(out, 'drain');
      onBytes(received);
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await remove();
    throw err;
  }
  return { path, sizeBytes: received, remove };
}
