#!/usr/bin/env node
// The package's install script. weft's native addon (mapped /dev/shm memory and cross-process
// waits) is Node-API, so the prebuilt linux-x64 binary serves every Node; only when it does not
// load here is it built from source. The install succeeds either way: without the addon,
// everything but mapped memory and cross-process waits works, and those throw
// NativeUnavailableError saying why.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const say = (line) => console.error(`${pkg.name}: ${line}`);

const [major, minor] = process.versions.node.split('.').map(Number);
const outside = major < 20 || (major === 20 && minor < 19) || major === 21 || (major === 22 && minor < 12) || major === 23 || major === 25;
if (outside) {
  say(`Node ${process.versions.node} is outside the Node versions this package supports (${pkg.engines.node}): installing anyway, untested.`);
} else if (major === 20) {
  say(`Node 20 reached its end of life in April 2026: weft still works on it, but supports Node 22, 24 and 26.`);
}

if (process.platform !== 'linux') {
  say(`the native addon is Linux-only; on ${process.platform} everything but mapped shared memory and cross-process waits works.`);
  process.exit(0);
}

function loads() {
  try {
    createRequire(import.meta.url)('node-gyp-build')(join(root, 'native'));
    return true;
  } catch (err) {
    return err;
  }
}

const first = loads();
if (first === true && process.env.npm_config_build_from_source !== 'true') process.exit(0);

// npm puts its own node-gyp on PATH for install scripts.
const build = spawnSync('node-gyp', ['rebuild', '-C', 'native'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const built = build.status === 0 ? loads() : build.error ?? new Error((build.stderr || '').trim().split('\n').slice(-3).join(' | '));
if (built === true) process.exit(0);

say('the native addon could not be loaded or built; the install goes on without it.');
if (first !== true) say(`prebuilt binary: ${String(first.message).split('\n')[0]}`);
say(`build from source: ${String(built.message).split('\n')[0]}`);
say(`mapped shared memory and cross-process waits will throw NativeUnavailableError. To build it later: npm rebuild ${pkg.name} (needs python3, make and a C compiler).`);
process.exit(0);
