// DESIGN.md §2 and §8: each folder imports only the layers below it (VS Code's layering), and
// each folder may use only the kinds of dependency that exist where it runs (Signal Desktop's
// node / dom / electron tagging). The rules are checked on the real tree, and on a small
// in-memory tree with deliberate violations, so a rule that stopped catching anything fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

/**
 * Layers, lowest first. A file may import its own layer and lower ranks; `only` narrows that
 * to the listed layers (the renderer and preload live in other processes and see only the
 * contract). Folders are prefixes ending in '/', single files are named without extension.
 */
interface Layer {
  name: string;
  paths: string[];
  rank: number;
  /** The kinds of package this layer may import (null: any); relative imports are ruled by rank. */
  kinds: DependencyKind[] | null;
  only?: string[];
}

type DependencyKind = 'std' | 'node' | 'dom' | 'electron';

const LAYERS: Layer[] = [
  { name: 'shared', paths: ['src/shared/'], rank: 0, kinds: ['std'], only: ['shared'] },
  { name: 'exposition', paths: ['src/main/core/exposition/'], rank: 1, kinds: ['std', 'node'] },
  { name: 'compute', paths: ['src/main/core/compute/'], rank: 1, kinds: ['std', 'node'] },
  { name: 'dcgm', paths: ['src/main/core/dcgm/'], rank: 2, kinds: ['std', 'node'] },
  { name: 'sources', paths: ['src/main/core/sources/'], rank: 3, kinds: ['std', 'node'] },
  { name: 'fleet', paths: ['src/main/core/fleet/'], rank: 4, kinds: ['std', 'node'] },
  { name: 'inspect', paths: ['src/main/core/inspect/'], rank: 4, kinds: ['std', 'node'] },
  { name: 'export', paths: ['src/main/core/export/'], rank: 4, kinds: ['std', 'node'] },
  { name: 'settings', paths: ['src/main/core/settings/'], rank: 4, kinds: ['std', 'node'] },
  // Waste accounting reads recordings (export), Prometheus (sources) and targets (fleet).
  { name: 'accounting', paths: ['src/main/core/accounting/'], rank: 4.5, kinds: ['std', 'node'] },
  // service.ts and the pieces every front end shares (tick batching, dispatch, tick streams).
  { name: 'service', paths: ['src/main/core/'], rank: 5, kinds: ['std', 'node'] },
  { name: 'electron', paths: ['src/main/electron/', 'src/main/index'], rank: 6, kinds: ['std', 'node', 'electron'] },
  { name: 'server', paths: ['src/main/server/'], rank: 6, kinds: ['std', 'node'] },
  { name: 'cli', paths: ['src/main/cli/'], rank: 6, kinds: ['std', 'node'] },
  { name: 'preload', paths: ['src/preload/'], rank: 6, kinds: ['std', 'electron'], only: ['preload', 'shared'] },
  { name: 'renderer', paths: ['src/renderer/'], rank: 6, kinds: ['std', 'dom'], only: ['renderer', 'shared'] },
  // Tests and benchmarks run anywhere and use dev tools; only their direction is ruled: test/
  // never imports bench/ (a test must not depend on a benchmark's copy of anything).
  { name: 'test', paths: ['test/'], rank: 7, kinds: null },
  { name: 'bench', paths: ['bench/'], rank: 8, kinds: null },
];

/** Every package the code may import, by where it can run. A new dependency gets a tag here. */
const PACKAGE_KINDS: Record<string, DependencyKind> = {
  zod: 'std',
  undici: 'node',
  'prom-client': 'node',
  yaml: 'node',
  bcryptjs: 'node',
  react: 'dom',
  'react-dom': 'dom',
  'chart.js': 'dom',
  electron: 'electron',
  'electron-store': 'electron',
};

function layerOf(path: string): Layer | undefined {
  const bare = path.replace(/\.(tsx?|mts|js)$/, '');
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? `${bare}/`.startsWith(p) : bare === p;
      if (hit && (!best || p.length > best.length)) best = { layer, length: p.length };
    }
  }
  return best?.layer;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

function importsOf(text: string): string[] {
  // Comments may name modules (`// see './x'`); only code counts.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(IMPORT)].map((m) => m[1]);
}

function kindOf(specifier: string): DependencyKind | 'unknown' {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (specifier.startsWith('node:') || builtinModules.includes(name)) return 'node';
  return PACKAGE_KINDS[name] ?? 'unknown';
}

/** Every broken rule in a tree of files (path relative to the repository -> text). */
export function layeringViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    // A new folder under core would otherwise pass as part of the service layer.
    if (!from || (from.name === 'service' && /^src\/main\/core\/[^/]+\//.test(file))) {
      problems.push(`${file}: in no layer; give its folder a rank in this test`);
      continue;
    }
    for (const specifier of importsOf(text)) {
      if (!specifier.startsWith('.')) {
        if (from.kinds === null) continue;
        const kind = kindOf(specifier);
        if (kind === 'unknown') problems.push(`${file}: imports ${specifier}, a package with no dependency kind; tag it in PACKAGE_KINDS`);
        else if (!from.kinds.includes(kind)) problems.push(`${file}: imports ${specifier} (${kind}), which ${from.name} may not use`);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const to = layerOf(target);
      if (!to) continue; // assets and build files outside the layered folders
      // Islands (the renderer, the preload) are imported only by themselves and from above (tests).
      const allowed = from.only ? from.only.includes(to.name) : to.rank < from.rank || (to.rank === from.rank && !to.only);
      if (!allowed) problems.push(`${file}: ${from.name} (rank ${from.rank}) imports ${target} in ${to.name} (rank ${to.rank})`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts)$/.test(name) ? [full] : [];
  });
}

function rel(file: string): string {
  return relative(root, file).split(sep).join('/');
}

describe('layering', () => {
  const files = new Map(['src', 'test', 'bench'].flatMap((dir) => sourceFiles(join(root, dir))).map((f) => [rel(f), readFileSync(f, 'utf8')]));
  // This file's fixtures are import statements in strings; the checker reads them as imports.
  files.delete('test/unit/layering.test.ts');

  it('finds the source tree', () => {
    expect(files.has('src/main/electron/window.ts')).toBe(true);
    expect(files.has('src/main/core/service.ts')).toBe(true);
  });

  it('every folder imports only downwards, and uses only the dependency kinds of where it runs', () => {
    expect(layeringViolations(files)).toEqual([]);
  });

  it('catches an upward import, a wrong dependency kind, an untagged package and a test importing bench', () => {
    const fixture = new Map([
      ['src/main/core/exposition/parse.ts', "import { FleetIngest } from '../fleet/ingest';"],
      ['src/main/core/fleet/ingest.ts', "import { parseExposition } from '../exposition';\nimport type { Tick } from '../../../shared/api';"],
      ['src/main/core/export/pulse-source.ts', "import { PulseService } from '../service';"],
      ['src/main/core/dcgm/translate.ts', "// see '../service' for the caller\nimport { app } from 'electron';"],
      ['src/renderer/src/App.tsx', "import { readFile } from 'node:fs';\nimport { createScraper } from '../../main/core/sources/http-scrape/scraper';"],
      ['src/shared/api.ts', "import { z } from 'zod';\nimport left from 'left-pad';"],
      ['test/dcgm/pipeline.test.ts', "import { createDcgmPipeline } from '../../bench/baseline/pipeline';\nimport { createDcgmPipeline as current } from '../../src/main/core/dcgm';"],
      ['src/main/core/newfolder/x.ts', ''],
    ]);
    expect(layeringViolations(fixture)).toEqual([
      'src/main/core/exposition/parse.ts: exposition (rank 1) imports src/main/core/fleet/ingest in fleet (rank 4)',
      'src/main/core/export/pulse-source.ts: export (rank 4) imports src/main/core/service in service (rank 5)',
      'src/main/core/dcgm/translate.ts: imports electron (electron), which dcgm may not use',
      'src/renderer/src/App.tsx: imports node:fs (node), which renderer may not use',
      'src/renderer/src/App.tsx: renderer (rank 6) imports src/main/core/sources/http-scrape/scraper in sources (rank 3)',
      'src/shared/api.ts: imports left-pad, a package with no dependency kind; tag it in PACKAGE_KINDS',
      'test/dcgm/pipeline.test.ts: test (rank 7) imports bench/baseline/pipeline in bench (rank 8)',
      'src/main/core/newfolder/x.ts: in no layer; give its folder a rank in this test',
    ]);
  });

  it('nothing below the service imports it; only src/main/electron, src/main/index.ts and src/preload import electron', () => {
    const importers = (pattern: RegExp) => [...files].filter(([, text]) => importsOf(text).some((s) => pattern.test(s))).map(([f]) => f);
    expect(importers(/(^|\/)service$/).filter((f) => layerOf(f)!.rank < 5)).toEqual([]);
    expect(importers(/^electron$/).filter((f) => f.startsWith('src/') && !/^src\/(main\/electron\/|main\/index\.ts$|preload\/)/.test(f))).toEqual([]);
  });
});
