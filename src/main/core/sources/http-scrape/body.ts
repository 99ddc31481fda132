// Reading a scraped body within its size cap: wire bytes and decompressed bytes both count,
// so neither an endless body nor a gzip bomb can grow memory past the target's limit.
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { formatBytes, tooLarge } from './failures';
import { ScrapeFailure, type ScrapeProgress } from './types';

export type DiscardableBody = AsyncIterable<Buffer> & {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** Closes a body we will not read; its abort error is expected, so it is swallowed here. */
export function discard(body: DiscardableBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Reads the body while counting both wire bytes and decompressed bytes against the cap, so
 * neither an endless body nor a gzip bomb can grow memory past `maxBytes`.
 */
export async function readBody(
  body: DiscardableBody,
  encoding: string,
  maxBytes: number,
  progress: ScrapeProgress,
): Promise<Buffer> {
  let inflater: Gunzip | Inflate | null;
  try {
    inflater = createInflater(encoding);
  } catch (error) {
    discard(body);
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      throw tooLarge(
        inflater
          ? `decompressed body exceeded the ${formatBytes(maxBytes)} cap (gzip bomb guard)`
          : `body exceeded the ${formatBytes(maxBytes)} cap`,
        maxBytes,
      );
    }
    chunks.push(chunk);
  };
  try {
    if (!inflater) {
      for await (const chunk of body) {
        progress.received += chunk.length;
        collect(chunk);
      }
    } else {
      await inflateInto(body, inflater, maxBytes, progress, collect);
    }
  } catch (error) {
    discard(body);
    inflater?.destroy();
    throw error;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

// Larger output chunks than zlib's 16 KiB default: fewer events per megabyte inflated.
const INFLATE_CHUNK_BYTES = 64 * 1024;

function createInflater(encoding: string): Gunzip | Inflate | null {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    case 'deflate':
      return createInflate({ chunkSize: INFLATE_CHUNK_BYTES });
    default:
      throw new ScrapeFailure(
        'down',
        `unsupported Content-Encoding "${encoding}"`,
        'configure the exporter (or the proxy in front of it) to send gzip or no compression',
      );
  }
}

/** Feeds compressed chunks through the inflater, taking its output as it is produced. */
async function inflateInto(
  body: AsyncIterable<Buffer>,
  inflater: Gunzip | Inflate,
  maxCompressedBytes: number,
  progress: ScrapeProgress,
  collect: (chunk: Buffer) => void,
): Promise<void> {
  // Set when the output passes the cap; the inflater is destroyed at once so a bomb stops
  // inflating instead of filling memory.
  let failure: unknown = null;
  inflater.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      collect(chunk);
    } catch (error) {
      failure = error;
      inflater.destroy();
    }
  });
  const settled = new Promise<void>((resolve, reject) => {
    inflater.once('end', resolve);
    inflater.once('close', resolve);
    inflater.once('error', reject);
  });
  // Attach a handler now so an early error is not reported as unhandled.
  settled.catch(() => undefined);
  const check = () => {
    if (failure) throw failure;
  };
  try {
    for await (const chunk of body) {
      progress.received += chunk.length;
      if (progress.received > maxCompressedBytes) {
        throw tooLarge(`body exceeded the ${formatBytes(maxCompressedBytes)} cap`, maxCompressedBytes);
      }
      if (!inflater.write(chunk)) await drainOrClose(inflater);
      check();
    }
    inflater.end();
    await settled;
    check();
  } catch (error) {
    check();
    if (error instanceof ScrapeFailure) throw error;
    if (error instanceof Error && 'errno' in error) {
      throw new ScrapeFailure(
        'down',
        `corrupt compressed body (${error.message})`,
        'check the exporter or proxy; the gzip stream it sent is invalid',
      );
    }
    throw error;
  }
}

function drainOrClose(stream: Gunzip | Inflate): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', fail);
      resolve();
    };
    const fail = (error: Error) => {
      stream.off('drain', done);
      stream.off('close', done);
      reject(error);
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', fail);
  });
}
