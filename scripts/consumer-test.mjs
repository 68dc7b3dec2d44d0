#!/usr/bin/env node
// The consumer test: the package as a user gets it. `npm pack` the repo, then for each Node major
// make fresh projects in a temp dir, install the tarball there with no compiler on PATH (only node,
// npm, npx and sh), and run the README's examples in them. scripts/consumer/readme/ holds copies of
// the README's code blocks, each marked in the README with `<!-- consumer: <path> -->` on the line
// before its fence, and must equal them (checked here and by test/readme-consumer.test.ts);
// scripts/consumer/extra/ holds the programs the README only sketches.
//   ESM project ("type": "module", the dev tools the README names): tsc with the README's
//     tsconfig.json; the README's main.ts (a process pool over a .ts task module), counter.ts (a
//     Mutex across processes) and robust.ts (a Mutex whose holder died) through tsx, and with plain
//     node where the README says so; thread and
//     process pools with plain node (tsx on Node 20); a mapped sharedArray summed by process workers;
//     `npx weft bench primes --workers 2`, `npx weft fl --rounds 2`, `npx weft profile -- node pools.ts`;
//   CommonJS project (where Node can require() an ES module): the README's main.js, and
//     `npx weft profile -- node main.js`;
//   the install time from the tarball without a compiler, with one on PATH, and building from source.
//
//   node scripts/consumer-test.mjs [--nodes 20,22,24,26] [--tarball file.tgz] [--only check,...] [--keep]
//   node scripts/consumer-test.mjs --check-readme [--json]     only the README comparison
// Other Node majors come from scripts/fetch-node.sh. Counts go to $WEFT_CI_RESULTS (scripts/ci-lib.sh).
// Exits 1 if any check failed.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const programs = join(root, 'scripts', 'consumer');
const readmeCopies = join(programs, 'readme');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

// ---- the README's marked code blocks ----------------------------------------------------------

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

/** Code blocks the README marks with `<!-- consumer: <path> -->` on the line before the fence. */
function readmeBlocks() {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const blocks = new Map();
  for (let i = 0; i < lines.length; i++) {
    const mark = /^<!--\s*consumer:\s*(\S+)\s*-->\s*$/.exec(lines[i]);
    if (!mark) continue;
    const fence = /^(```+|~~~+)/.exec(lines[i + 1] ?? '');
    if (!fence) {
      blocks.set(mark[1], { error: `the marker on README line ${i + 1} is not followed by a code fence` });
      continue;
    }
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith(fence[1]));
    if (end < 0) {
      blocks.set(mark[1], { error: `the code block after README line ${i + 1} never closes` });
      continue;
    }
    blocks.set(mark[1], { text: lines.slice(i + 2, end).join('\n'), line: i + 1 });
  }
  return blocks;
}

/** Each program under scripts/consumer/ against the README: same, differs, or missing. */
function compareWithReadme() {
  const blocks = readmeBlocks();
  const files = listFiles(readmeCopies).map((f) => relative(readmeCopies, f).split('\\').join('/'));
  const results = files.map((file) => {
    const block = blocks.get(file);
    const text = readFileSync(join(readmeCopies, file), 'utf8').replace(/\n$/, '');
    if (!block) return { file, status: 'missing', detail: `the README has no code block marked <!-- consumer: ${file} -->` };
    if (block.error) return { file, status: 'differs', detail: block.error };
    if (block.text !== text) {
      const a = block.text.split('\n');
      const b = text.split('\n');
      const at = a.findIndex((l, k) => l !== b[k]);
      const n = at < 0 ? Math.min(a.length, b.length) : at;
      return {
        file,
        status: 'differs',
        detail: `README line ${block.line + 2 + n} differs from scripts/consumer/readme/${file} line ${n + 1}:\n    README: ${a[n] ?? '(end)'}\n    copy:   ${b[n] ?? '(end)'}`,
      };
    }
    return { file, status: 'same', detail: `README line ${block.line}` };
  });
  for (const name of blocks.keys()) {
    if (!files.includes(name)) results.push({ file: name, status: 'differs', detail: `the README marks a block ${name} that scripts/consumer/readme/ has no copy of` });
  }
  return results;
}

/** The package names the programs import, other than node: builtins and relative paths. */
function importedPackages() {
  const names = new Set();
  for (const file of listFiles(programs)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
      if (!m[1].startsWith('node:')) names.add(m[1].split('/').slice(0, m[1].startsWith('@') ? 2 : 1).join('/'));
    }
  }
  return [...names];
}

if (flag('--check-readme')) {
  const results = compareWithReadme();
  if (flag('--json')) console.log(JSON.stringify(results));
  else for (const r of results) console.log(`${r.status.padEnd(8)} ${r.file}: ${r.detail}`);
  process.exit(results.every((r) => r.status === 'same') ? 0 : 1);
}

// ---- running things ------------------------------------------------------------------------

/** Runs a command in its own process group (so a timeout kills its workers too); never rejects. */
function run(cmd, cmdArgs, { cwd, env, timeout = 180_000 } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    let output = '';
    let timedOut = false;
    const child = spawn(cmd, cmdArgs, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const add = (chunk) => {
      output += chunk;
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, timeout);
    const finish = (code, error) => {
      clearTimeout(timer);
      try { process.kill(-child.pid, 'SIGKILL'); } catch {} // leftovers of the group
      resolve({ code, output: error ? `${output}\n${error.message}` : output, seconds: (performance.now() - started) / 1000, timedOut });
    };
    child.on('error', (error) => finish(-1, error));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : -1)));
  });
}

const tail = (text, n = 25) => text.trimEnd().split('\n').slice(-n).map((l) => `      ${l}`).join('\n');

/** Prints and keeps one check's outcome. */
const checks = [];
function report(node, project, name, ok, seconds, why = '', output = '') {
  checks.push({ node, project, name, ok, seconds, why });
  const time = seconds === undefined ? '' : ` (${seconds.toFixed(1)} s)`;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${project} ${name}${time}${ok || !why ? '' : `: ${why}`}`);
  if (!ok && output) console.log(tail(output));
}

/** Runs a command and checks its exit status and that its output matches every pattern. */
async function check(node, project, name, cmd, cmdArgs, options, patterns = []) {
  if (only && !only.some((o) => name.includes(o))) return;
  const r = await run(cmd, cmdArgs, options);
  let why = '';
  if (r.timedOut) why = `timed out after ${Math.round((options.timeout ?? 180_000) / 1000)} s`;
  else if (r.code !== 0) why = `exit code ${r.code}${errorLine(r.output) ? `: ${errorLine(r.output)}` : ''}`;
  else {
    const missing = patterns.find((p) => !p.test(r.output));
    if (missing) why = `output does not match ${missing}`;
  }
  report(node, project, name, !why, r.seconds, why, r.output);
  return r;
}

// ---- the matrix ----------------------------------------------------------------------------

const majors = option('--nodes', '20,22,24,26').split(',').map((s) => s.trim()).filter(Boolean);
const only = option('--only', '') ? option('--only', '').split(',') : null;
const work = mkdtempSync(join(tmpdir(), 'weft-consumer-'));
const npmCli = realpathSync(whichOrDie('npm'));
const npxCli = realpathSync(whichOrDie('npx'));
const shell = existsSync('/bin/sh') ? '/bin/sh' : whichOrDie('sh');
const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python'];
const installTimes = [];
/** The command the package installs (`npx <cli>`): its first bin entry. */
const cli = typeof pkg.bin === 'string' || !pkg.bin ? pkg.name.replace(/^@[^/]+\//, '') : Object.keys(pkg.bin)[0];

function which(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
function whichOrDie(name) {
  const found = which(name);
  if (!found) throw new Error(`consumer-test: no ${name} on PATH`);
  return found;
}

/** The Node directory (with bin/node) for a major: the one on PATH if it is that major, else fetched. */
async function nodeDir(major) {
  if (process.versions.node.split('.')[0] === major) return dirname(dirname(process.execPath));
  const r = await run('bash', [join(root, 'scripts', 'fetch-node.sh'), major], { timeout: 600_000 });
  if (r.code !== 0) throw new Error(`could not fetch Node ${major}:\n${tail(r.output)}`);
  return r.output.trim().split('\n').pop();
}

/** A bin directory holding only node (this major's), npm, npx and sh: nothing that compiles. */
function bareBin(dir, version) {
  const bin = join(work, `bin-${version}`);
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(dir, 'bin', 'node'), join(bin, 'node'));
  symlinkSync(npmCli, join(bin, 'npm'));
  symlinkSync(npxCli, join(bin, 'npx'));
  symlinkSync(shell, join(bin, 'sh'));
  return bin;
}

/** An environment for a project: PATH as given, nothing from this repo's own npm run. */
function envWith(path, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'NODE_PATH' && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, PATH: path, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

/** A fresh project: a package.json like `npm init -y` writes, and the programs for its kind. */
function makeProject(name, type, kind) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, type }, null, 2)}\n`);
  for (const from of [join(readmeCopies, kind), join(programs, 'extra', kind)]) {
    if (existsSync(from)) cpSync(from, dir, { recursive: true });
  }
  // If the package was renamed and the copies were not, run them under the package's name anyway
  // (the README check above reports the stale name).
  for (const from of importedPackages().filter((n) => n !== pkg.name)) {
    for (const file of listFiles(dir).filter((f) => /\.(ts|js|mjs|cjs)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.split(`'${from}'`).join(`'${pkg.name}'`));
    }
  }
  return dir;
}

async function install(node, project, dir, env, kind, extraArgs = []) {
  const r = await run('npm', ['install', tarball, ...extraArgs], { cwd: dir, env, timeout: 900_000 });
  const ok = r.code === 0 && existsSync(join(dir, 'node_modules', ...pkg.name.split('/'), 'package.json'));
  const why = ok ? '' : r.timedOut ? 'timed out' : `npm install exited ${r.code}: ${firstError(r.output)}`;
  report(node, project, `install (${kind})`, ok, r.seconds, why, r.output);
  installTimes.push({ node, project, kind, seconds: r.seconds, ok });
  return ok;
}

/** The first line of a program's output that names an error, shortened. */
function errorLine(output) {
  const line = output.split('\n').find((l) => /\b(\w*Error|ERR_[A-Z_]+)\b/.test(l) && !/^\s+at /.test(l));
  return line ? line.trim().slice(0, 300) : '';
}

/** The line of an npm log that says why it failed (a compiler error, a missing tool), shortened. */
function firstError(output) {
  const lines = output.split('\n');
  const cause =
    lines.find((l) => /\berror: /.test(l) && !/gyp ERR!/.test(l)) ??
    lines.find((l) => /gyp ERR! stack Error: /.test(l)) ??
    lines.filter((l) => /npm error /.test(l)).slice(-1)[0] ??
    lines.slice(-1)[0];
  return cause.replace(/^npm error\s*/, '').replace(/^gyp ERR! stack /, '').trim().slice(0, 300);
}

function nativeBinaries(dir) {
  const base = join(dir, 'node_modules', ...pkg.name.split('/'));
  return existsSync(base) ? listFiles(base).filter((f) => f.endsWith('.node')).map((f) => relative(base, f)) : [];
}

console.log(`consumer test: ${pkg.name}@${pkg.version} on Node ${majors.join(', ')} (work dir ${work})`);
const startedAll = performance.now();

// The README comparison and the package name the programs use.
for (const r of compareWithReadme()) report('-', 'readme', r.file, r.status === 'same', undefined, r.detail);
const stale = importedPackages().filter((n) => n !== pkg.name);
report('-', 'programs', `import '${pkg.name}'`, stale.length === 0, undefined, stale.length ? `scripts/consumer/ imports ${stale.map((s) => `'${s}'`).join(', ')}, but the package is named '${pkg.name}'` : '');

let tarball = option('--tarball', '');
if (!tarball) {
  const r = await run('npm', ['pack', '--pack-destination', work], { cwd: root, env: { ...process.env }, timeout: 900_000 });
  const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  tarball = packed.length === 1 ? join(work, packed[0]) : '';
  const ok = r.code === 0 && tarball !== '';
  report('-', 'npm', 'pack', ok, r.seconds, ok ? '' : `npm pack exited ${r.code}`, r.output);
  if (!ok) finish();
}

for (const major of majors) {
  let dir;
  try {
    dir = await nodeDir(major);
  } catch (error) {
    report(major, 'node', 'fetch', false, undefined, error.message);
    continue;
  }
  const node = join(dir, 'bin', 'node');
  const probe = await run(node, ['-p', 'JSON.stringify([process.versions.node, process.features.typescript ?? false])']);
  const [version, stripping] = JSON.parse(probe.output);
  const [maj, min] = version.split('.').map(Number);
  console.log(`\n== Node ${version} (type stripping: ${stripping || 'none'})`);
  const bin = bareBin(dir, version);
  const bare = envWith(bin);
  const present = COMPILERS.filter((c) => which(c, bin));
  report(version, 'env', 'no compiler on PATH', present.length === 0, undefined, present.length ? `found ${present.join(', ')}` : '');

  // Installs: without a compiler (ESM and CommonJS projects), with one on PATH, and building the
  // addon from source (npm_config_build_from_source, which node-gyp-build obeys).
  const esm = makeProject(`esm-${version}`, 'module', 'esm');
  const esmOk = await install(version, 'esm', esm, bare, 'no compiler');
  if (esmOk) console.log(`       native binaries in the installed package: ${nativeBinaries(esm).join(', ') || 'none'}`);
  const requireEsm = (maj === 20 && min >= 19) || (maj === 22 && min >= 12) || maj >= 23;
  const cjs = requireEsm ? makeProject(`cjs-${version}`, 'commonjs', 'cjs') : undefined;
  const cjsOk = cjs !== undefined && (await install(version, 'cjs', cjs, bare, 'no compiler'));
  let cc;
  if (!only || only.includes('install') || !esmOk) {
    const full = envWith(`${join(dir, 'bin')}${delimiter}${process.env.PATH}`, dir === dirname(dirname(process.execPath)) ? {} : { npm_config_nodedir: dir });
    cc = makeProject(`cc-${version}`, 'module', 'esm');
    if (!(await install(version, 'esm', cc, full, 'compiler on PATH'))) cc = undefined;
    if (!only || only.includes('install')) {
      const src = makeProject(`src-${version}`, 'module', 'esm');
      if (await install(version, 'esm', src, { ...full, npm_config_build_from_source: 'true' }, 'build from source')) {
        const built = nativeBinaries(src).filter((f) => f.includes('build/'));
        report(version, 'esm', 'addon built from source', built.length > 0, undefined, built.length ? '' : 'no build/**/*.node after a build from source');
      }
    }
  }

  // The examples, in the project installed without a compiler (or, if that install failed, in
  // the one installed with a compiler, so the examples still say what works), with no compiler on PATH.
  const project = esmOk ? esm : cc;
  const label = esmOk ? 'esm' : 'esm[cc]';
  const PRIMES = /^78498$/m;
  const POOLS = [/^thread: 9592 primes below 100000$/m, /^process: 9592 primes below 100000$/m];
  const PROFILED = /weft profile: [1-9]\d* tasks on [1-9]\d* workers/;
  if (!project) {
    console.log('  skip esm examples: no install succeeded');
  } else {
    if (!esmOk) console.log('  the examples run in the project installed with a compiler (the install without one failed)');
    const opts = { cwd: project, env: bare };
    // What the README tells a TypeScript project to install.
    const tools = await run('npm', ['install', '--save-dev', 'tsx', 'typescript', '@types/node'], { ...opts, timeout: 600_000 });
    report(version, label, 'install tsx typescript @types/node', tools.code === 0, tools.seconds, `npm install exited ${tools.code}: ${firstError(tools.output)}`, tools.output);
    const runner = stripping ? ['node'] : ['node', '--import', 'tsx'];
    const [cmd, ...pre] = runner;
    await check(version, label, 'tsc (README tsconfig.json)', 'npx', ['tsc', '--noEmit', '-p', '.'], opts);
    await check(version, label, 'main.ts (tsx)', 'npx', ['tsx', 'main.ts'], opts, [PRIMES]);
    await check(version, label, 'counter.ts (tsx)', 'npx', ['tsx', 'counter.ts'], opts, [/^200000$/m]);
    await check(version, label, 'robust.ts (tsx)', 'npx', ['tsx', 'robust.ts'], opts, [/^WEFT_WORKER_CRASHED\nowner-died\n0$/m]);
    if (maj >= 24) {
      // The README: "or `node main.ts` on Node 24 and 26".
      await check(version, label, 'main.ts (node)', 'node', ['main.ts'], opts, [PRIMES]);
      await check(version, label, 'counter.ts (node)', 'node', ['counter.ts'], opts, [/^200000$/m]);
    }
    await check(version, label, `pools.ts (${runner.join(' ')})`, cmd, [...pre, 'pools.ts'], opts, POOLS);
    await check(version, label, 'shared-sum.ts', cmd, [...pre, 'shared-sum.ts'], opts, [/^sum of 0\.\.9999999 = 49999995000000 \(exact\)$/m]);
    await check(version, label, 'bench', 'npx', [cli, 'bench', 'primes', '--workers', '2'], opts, [/^thread \(balanced\)\s+2\s+ok\s/m, /^process \(balanced\)\s+2\s+ok\s/m]);
    await check(version, label, 'fl', 'npx', [cli, 'fl', '--rounds', '2'], opts, [/^accuracy [\d.]+%, loss [\d.]+ after round 2$/m]);
    await check(version, label, `profile -- ${runner.join(' ')} pools.ts`, 'npx', [cli, 'profile', '--', ...runner, 'pools.ts'], opts, [...POOLS, PROFILED]);
  }

  // CommonJS project: require() of the package (Node 20.19+ and 22.12+ load ES modules with require).
  if (!requireEsm) console.log(`  skip cjs: Node ${version} has no require() of ES modules`);
  else if (cjsOk) {
    const opts = { cwd: cjs, env: bare };
    await check(version, 'cjs', 'main.js', 'node', ['main.js'], opts, [PRIMES]);
    await check(version, 'cjs', 'profile -- node main.js', 'npx', [cli, 'profile', '--', 'node', 'main.js'], opts, [PRIMES, PROFILED]);
  }
}

finish();

function finish() {
  const failed = checks.filter((c) => !c.ok);
  const seconds = (performance.now() - startedAll) / 1000;
  console.log('\nInstall time from the tarball (fresh project, npm cache warm after the first):');
  for (const t of installTimes) console.log(`  Node ${t.node.padEnd(8)} ${t.project.padEnd(4)} ${t.kind.padEnd(18)} ${t.seconds.toFixed(1).padStart(6)} s${t.ok ? '' : '  (failed)'}`);
  if (failed.length) {
    console.log('\nFailed:');
    for (const c of failed) console.log(`  Node ${c.node} ${c.project} ${c.name}${c.why ? `: ${c.why.split('\n')[0]}` : ''}`);
  }
  console.log(`\nconsumer test: ${checks.length - failed.length} passed, ${failed.length} failed in ${seconds.toFixed(0)} s`);
  if (process.env.WEFT_CI_RESULTS) {
    const byNode = new Map();
    for (const c of checks) {
      const key = c.node === '-' ? 'consumer: readme and pack' : `consumer: node ${c.node}`;
      const entry = byNode.get(key) ?? { pass: 0, fail: 0, notes: [] };
      if (c.ok) entry.pass++;
      else {
        entry.fail++;
        entry.notes.push(`${c.project} ${c.name}`);
      }
      byNode.set(key, entry);
    }
    for (const [key, e] of byNode) {
      appendFileSync(process.env.WEFT_CI_RESULTS, `${key}\t${e.pass}\t${e.fail}\t-\t${e.notes.length ? `failed: ${e.notes.join(', ')}` : ''}\n`);
    }
    const times = installTimes.map((t) => `${t.node} ${t.project} ${t.kind} ${t.seconds.toFixed(1)} s${t.ok ? '' : ' (failed)'}`).join('; ');
    appendFileSync(process.env.WEFT_CI_RESULTS, `consumer: install times\t0\t0\t${seconds.toFixed(0)}\t${times}\n`);
  }
  // Removing ~1.5 GB of node_modules takes minutes on a busy disk: leave it to a detached rm.
  if (!flag('--keep')) spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref();
  else console.log(`kept ${work}`);
  process.exit(failed.length ? 1 : 0);
}
