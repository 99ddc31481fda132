import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json';

const define = { __GPU_PULSE_VERSION__: JSON.stringify(pkg.version) };

export default defineConfig({
  main: {
    define,
    build: {
      // electron-store is ESM-only: bundle it into the CommonJS main instead of require()-ing it.
      externalizeDeps: { exclude: ['electron-store', 'conf', 'dot-prop', 'env-paths', 'atomically', 'type-fest', 'uint8array-extras', 'stubborn-fs', 'when-exit', 'debounce-fn', 'mimic-function', 'ajv', 'ajv-formats', 'json-schema-traverse', 'fast-deep-equal', 'fast-uri', 'require-from-string', 'semver'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The headless CLI shares the core with the desktop app but never loads electron.
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          // The file inspector parses in a worker thread; it loads this file next to the bundle.
          'inspect-worker': resolve(__dirname, 'src/main/core/inspect/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be one CommonJS file that requires nothing but electron.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].js', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    define,
    plugins: [react()],
  },
});
