// Serves the built renderer. Paths are resolved inside the root only; anything else is a 404.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<boolean> {
  const rootAbs = resolve(root);
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return false;
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = normalize(join(rootAbs, relative));
  if (!file.startsWith(rootAbs + sep)) return false;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      // Hashed asset names make long caching safe; index.html must always be fresh.
      'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    await new Promise<void>((done, fail) => {
      createReadStream(file).on('error', fail).on('end', done).pipe(res);
    });
    return true;
  } catch {
    return false;
  }
}
