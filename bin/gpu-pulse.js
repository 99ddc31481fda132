#!/usr/bin/env node
'use strict';
// Launcher for the prebuilt CLI bundle (built by `npm install` through the prepare script), so
// the command starts without compiling TypeScript.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('gpu-pulse: the CLI is not built yet; run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(bundle)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write('gpu-pulse: ' + (err && err.message ? err.message : String(err)) + '\n');
      process.exitCode = 1;
    },
  );
