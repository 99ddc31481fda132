#!/usr/bin/env node
'use strict';
// `npm start`: build, then open the desktop app. Since Electron 42 `npm install` no longer
// downloads Electron's binary; the first launch does. Where the binary is missing and cannot
// be fetched (an air-gapped host, a proxy, CI), or there is no display to open a window on,
// print one line saying why and open the same UI through `gpu-pulse serve --demo` instead.
//
// The fetch is ours, not electron's own first-launch download (which `require('electron')`
// starts and waits on without a limit): the same @electron/get call its install script makes,
// bounded by the time to the first byte and by stalls, so an unreachable host costs seconds.
// Once the archive is in Electron's cache, electron's install script unpacks it.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..');

/** No byte from the download host by then: it is unreachable (a firewall that drops, a silent proxy). */
const FIRST_BYTE_TIMEOUT_MS = 20_000;
/** A download that has not moved for this long is abandoned. */
const STALL_TIMEOUT_MS = 30_000;

function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
}

/** The installed Electron executable, or null when the binary has not been fetched yet. */
function installedBinary(dir) {
  // electron's index.js honours the override without downloading anything.
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return require(dir);
  try {
    const executable = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8'));
    return fs.existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

/** Why a desktop window cannot open on this machine, or null. */
function displayProblem(env = process.env, platform = process.platform) {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display: $DISPLAY and $WAYLAND_DISPLAY are unset';
  return null;
}

/** The innermost cause of a failed fetch, as one short line ("getaddrinfo ENOTFOUND github.com"). */
function describeFailure(err) {
  let cause = err;
  while (cause && cause.cause) cause = cause.cause;
  const text = String((cause && cause.message) || cause || 'unknown error');
  return text.split('\n')[0].trim();
}

/**
 * Fetches Electron's binary archive into Electron's download cache, exactly as electron's
 * install script asks for it (version, platform, arch, checksums, mirror settings from the
 * environment and .npmrc), but gives up when no byte arrives within `firstByteMs` or the
 * transfer stalls for `stallMs`. Rejects with an Error whose message is one line.
 */
async function fetchBinaryArchive(dir, { firstByteMs = FIRST_BYTE_TIMEOUT_MS, stallMs = STALL_TIMEOUT_MS, mirrorOptions } = {}) {
  const env = process.env;
  const { version } = require(path.join(dir, 'package.json'));
  const { downloadArtifact } = await import(pathToFileURL(require.resolve('@electron/get', { paths: [dir] })).href);
  const controller = new AbortController();
  let timer = null;
  const giveUpAfter = (ms, why) => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(why)), ms);
  };
  giveUpAfter(firstByteMs, `no answer from the download host within ${firstByteMs / 1000} s`);
  try {
    return await downloadArtifact({
      version,
      artifactName: 'electron',
      platform: env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || process.platform,
      arch: env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch,
      cacheRoot: env.electron_config_cache,
      checksums: env.electron_use_remote_checksums || env.npm_config_electron_use_remote_checksums ? undefined : require(path.join(dir, 'checksums.json')),
      mirrorOptions,
      downloadOptions: {
        signal: controller.signal,
        getProgressCallback: () => giveUpAfter(stallMs, `the download stalled for ${stallMs / 1000} s`),
      },
    });
  } catch (err) {
    throw new Error(controller.signal.aborted ? controller.signal.reason.message : describeFailure(err), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** The Electron executable to launch, fetching the binary on first use; or the reason there is none. */
async function resolveElectron() {
  const problem = displayProblem();
  if (problem) return { reason: problem };
  const dir = electronPackageDir();
  if (!dir) return { reason: 'the electron package is not installed (dev dependencies omitted?)' };
  let binary = installedBinary(dir);
  if (binary) return { binary };
  const { version } = require(path.join(dir, 'package.json'));
  // Said only when the fetch takes a while: a host that fails at once gets just the one line below.
  const notice = setTimeout(() => process.stderr.write(`Fetching Electron ${version} for its first launch…\n`), 2000);
  try {
    await fetchBinaryArchive(dir);
  } catch (err) {
    return { reason: `Electron ${version} could not be downloaded: ${err.message}` };
  } finally {
    clearTimeout(notice);
  }
  // The archive is cached now: electron's install script unpacks it without going online.
  const unpack = spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: 'inherit' });
  binary = unpack.status === 0 ? installedBinary(dir) : null;
  return binary ? { binary } : { reason: `Electron ${version} was downloaded but could not be unpacked` };
}

/** The one line printed when the desktop window cannot open. */
function fallbackLine(reason) {
  return `No desktop window (${reason}): opening the same UI through gpu-pulse serve --demo instead; open the address below in a browser.`;
}

async function main() {
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);

  const electron = await resolveElectron();
  let child;
  if (electron.binary) {
    child = spawn(electron.binary, [root], { stdio: 'inherit' });
  } else {
    process.stderr.write(fallbackLine(electron.reason) + '\n');
    child = spawn(process.execPath, [path.join(root, 'bin', 'gpu-pulse.js'), 'serve', '--demo', ...process.argv.slice(2)], { stdio: 'inherit' });
  }
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`npm start failed: ${err.stack || err}\n`);
    process.exit(1);
  });
}

module.exports = { displayProblem, describeFailure, fetchBinaryArchive, fallbackLine, FIRST_BYTE_TIMEOUT_MS, STALL_TIMEOUT_MS };
