// Which files a request may make the process read. In serve mode anyone who can reach the API
// names paths, so only files inside the folders the operator allowed (--allow-dir) are opened;
// everything else arrives by upload. The check resolves symbolic links and `..` first, and the
// caller opens the resolved path, so a link inside an allowed folder cannot point outside it.
// Errors name the path the request gave and never anything read from a file.
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';

export class FileAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileAccessError';
  }
}

export interface FileAccessPolicy {
  /** The real path of `path` when it may be read; rejects with FileAccessError otherwise. */
  check(path: string): Promise<string>;
}

export function createFileAccessPolicy(allowDirs: readonly string[]): FileAccessPolicy {
  // Resolved once: an allowed folder is the operator's choice at start, not whatever it links to later.
  const roots = Promise.all(allowDirs.map(async (dir) => withSep(await realpath(resolve(dir)))));
  return {
    async check(path) {
      const refused = `${JSON.stringify(path)} is outside the folders gpu-pulse serve may read`;
      const remedy = allowDirs.length > 0 ? `put the file in an --allow-dir folder or upload it in the browser` : `upload the file in the browser, or start gpu-pulse serve with --allow-dir DIR`;
      if (!isAbsolute(path)) throw new FileAccessError(`${JSON.stringify(path)} is not an absolute path: ${remedy}`);
      let real: string;
      try {
        real = await realpath(path);
      } catch (err) {
        // The same answer for missing and forbidden files outside the folders: no probing.
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        const inside = (await roots).some((root) => withSep(resolve(path)).startsWith(root));
        throw new FileAccessError(inside ? `cannot open ${JSON.stringify(path)} (${code})` : `${refused}: ${remedy}`);
      }
      if (!(await roots).some((root) => real.startsWith(root))) throw new FileAccessError(`${refused}: ${remedy}`);
      return real;
    },
  };
}

function withSep(dir: string): string {
  return dir.endsWith(sep) ? dir : dir + sep;
}
