/**
 * The built package used by name from other projects: `require()` from a CommonJS project (Node's
 * require(esm), which needs an ES module graph without top-level await) and `import` from an ES one.
 * The project links the repository as node_modules/<name>, so resolution goes through package.json's
 * "exports" exactly as after `npm install`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
const requireEsm = (process.features as { require_module?: boolean }).require_module === true;

const skipAll = existsSync(join(ROOT, 'dist', 'index.js')) ? false : 'dist/ is not built (npm run build; npm test does)';
const skipCjs =
  skipAll ||
  (requireEsm ? false : `Node ${process.version} cannot require() an ES module here (require(esm) is on by default from Node 20.19 and 22.12, unless --no-experimental-require-module)`);

/** A project in a temporary folder whose node_modules/<name> is this repository. */
function project(type: 'commonjs' | 'module', files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `weft-${type}-`));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', NAME), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `a-${type}-project`, private: true, type }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs `main` in `dir` with this Node and returns its stdout lines. */
function run(dir: string, main: string): string[] {
  return execFileSync(process.execPath, [main], { cwd: dir, encoding: 'utf8', timeout: 120_000 }).trim().split('\n');
}

// A task module in the project's own module system; the pool loads it by path on every backend.
const TASKS_CJS = 'exports.add = (a, b) => a + b;\n';
const RUN_BACKENDS = (load: string) => `${load}
async function main() {
  const out = [];
  for (const backend of ['thread', 'process', 'inline']) {
    const pool = createPool({ module: tasks, backend, workers: 1 });
    out.push(backend + ' ' + (await pool.call.add(2, 3)));
    await pool.close();
  }
  console.log(out.join('\\n'));
}
`;

describe(`require('${NAME}') from a CommonJS project`, { skip: skipCjs }, () => {
  it('loads the main entry, ./fl and ./package.json, with no top-level await in the graph', () => {
    const dir = project('commonjs', {
      'main.js': `const weft = require('${NAME}');
const fl = require('${NAME}/fl');
console.log(typeof weft.createPool, typeof weft.Mutex.create, typeof weft.sharedArray, typeof weft.WeftError);
console.log(typeof fl.runSimulation);
console.log(require('${NAME}/package.json').name);
`,
    });
    assert.deepEqual(run(dir, 'main.js'), ['function function function function', 'function', NAME]);
  });

  it('runs a CommonJS task module on the thread, process and inline backends', () => {
    const dir = project('commonjs', {
      'tasks.js': TASKS_CJS,
      'main.js': `${RUN_BACKENDS(`const { createPool } = require('${NAME}');\nconst tasks = require('node:path').join(__dirname, 'tasks.js');`)}
main().catch((error) => { console.error(error); process.exit(1); });
`,
    });
    assert.deepEqual(run(dir, 'main.js'), ['thread 5', 'process 5', 'inline 5']);
  });
});

describe(`import from '${NAME}' in an ES module project`, { skip: skipAll }, () => {
  it('runs the same pools', () => {
    const dir = project('module', {
      'tasks.cjs': TASKS_CJS,
      'main.js': `${RUN_BACKENDS(`import { createPool } from '${NAME}';\nconst tasks = new URL('./tasks.cjs', import.meta.url);`)}
await main();
`,
    });
    assert.deepEqual(run(dir, 'main.js'), ['thread 5', 'process 5', 'inline 5']);
  });
});
