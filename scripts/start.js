#!/usr/bin/env node
'use strict';
// `npm start`: build, then open the desktop app. Where the Electron binary could not be
// installed (air-gapped or CI machines), open the same UI in serve mode instead and say so.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let electronBinary = null;
try {
  electronBinary = require('electron'); // the binary's path when Electron is installed
} catch (err) {
  process.stderr.write(`Electron is not available here (${err.message.split('\n')[0]}).\n`);
}

const child = electronBinary
  ? spawn(electronBinary, [root], { stdio: 'inherit' })
  : (process.stderr.write('Starting the same UI in your browser instead: gpu-pulse serve --demo\n'),
    spawn(process.execPath, [path.join(root, 'bin', 'gpu-pulse.js'), 'serve', '--demo', ...process.argv.slice(2)], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
