// DESIGN.md §2: only src/main/electron/, src/main/index.ts and src/preload/ may import electron,
// and src/shared stays free of Node and Electron.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

const ELECTRON_IMPORT = /(?:from\s+['"]electron(?:\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\))/;
const NODE_IMPORT = /from\s+['"](?:node:[^'"]+|fs|path|os|http|https|net|child_process)['"]/;

function rel(file: string): string {
  return relative(root, file).split(sep).join('/');
}

describe('layering', () => {
  const files = sourceFiles(join(root, 'src'));

  it('finds the source tree', () => {
    expect(files.some((f) => rel(f) === 'src/main/electron/window.ts')).toBe(true);
  });

  it('imports electron only from src/main/electron, src/main/index.ts and src/preload', () => {
    const offenders = files
      .map(rel)
      .filter((f) => !(f.startsWith('src/main/electron/') || f === 'src/main/index.ts' || f.startsWith('src/preload/')))
      .filter((f) => ELECTRON_IMPORT.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('keeps src/shared free of node and electron', () => {
    const offenders = files
      .map(rel)
      .filter((f) => f.startsWith('src/shared/'))
      .filter((f) => {
        const text = readFileSync(join(root, f), 'utf8');
        return ELECTRON_IMPORT.test(text) || NODE_IMPORT.test(text);
      });
    expect(offenders).toEqual([]);
  });

  it('the rule itself catches an electron import', () => {
    expect(ELECTRON_IMPORT.test("import { app } from 'electron';")).toBe(true);
    expect(ELECTRON_IMPORT.test("const { ipcMain } = require('electron')")).toBe(true);
    expect(ELECTRON_IMPORT.test("import { x } from './electron-helpers';")).toBe(false);
  });
});
