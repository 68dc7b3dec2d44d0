/**
 * Task modules in TypeScript must load whether the parent runs under tsx or as compiled
 * JavaScript, and compiled .js modules must load from plain Node: the most common complaint
 * about Node pools. These run real `node` processes against the built `dist/`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPool } from '../../src/index.js';
import { installedProject, type InstalledProject } from '../helpers/installed.js';

const run = promisify(execFile);
const DIST = new URL('../../dist/index.js', import.meta.url);
const TS_MODULE = new URL('../fixtures/ts-only.ts', import.meta.url);
const JS_MODULE = new URL('../fixtures/tasks-compiled.mjs', import.meta.url);

/** Runs a snippet in plain Node (no tsx) against the compiled package and returns its stdout. */
async function plainNode(backend: string, moduleUrl: URL, expression: string): Promise<string> {
  const script = `
    import { createPool } from ${JSON.stringify(DIST.href)};
    const pool = createPool({ module: new URL(${JSON.stringify(moduleUrl.href)}), backend: ${JSON.stringify(backend)}, workers: 1 });
    try { console.log(JSON.stringify(await (${expression}))); } finally { await pool.close(); }
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
  return stdout.trim();
}

describe('TypeScript and JavaScript task modules', () => {
  it('the package is built', () => {
    assert.ok(existsSync(fileURLToPath(DIST)), 'run `npm run build` first (npm test does)');
  });

  for (const backend of ['thread', 'process', 'inline']) {
    it(`${backend}: a .ts module loads when the parent runs under tsx`, async () => {
      await using pool = createPool<typeof import('../fixtures/ts-only.js')>({ module: TS_MODULE, backend: backend as never, workers: 1 });
      assert.equal(await pool.call.addPair({ a: 2, b: 3 }), 5);
      assert.equal(await pool.call.mode(), 1);
    });

    it(`${backend}: a .ts module loads when the parent is compiled JavaScript in plain node`, async () => {
      assert.equal(await plainNode(backend, TS_MODULE, 'pool.call.addPair({ a: 20, b: 22 })'), '42');
    });

    it(`${backend}: a compiled .js module loads in plain node`, async () => {
      assert.equal(await plainNode(backend, JS_MODULE, 'pool.call.add(40, 2)'), '42');
    });
  }
});

/** Node strips types by itself (22.18+, 23.6+): what a project without tsx can rely on. */
const NODE_STRIPS = Boolean((process.features as { typescript?: string | false }).typescript);

const USER_TASKS = {
  // Type annotations only: Node's stripping takes it.
  'tasks/plain.ts': 'interface Pair { a: number; b: number }\nexport function addPair(pair: Pair): number { return pair.a + pair.b; }\n',
  // An enum: stripping refuses it, tsx compiles it.
  'tasks/enum.ts': 'export enum Mode { Fast = 40 }\nexport function addMode(n: number): number { return n + Mode.Fast; }\n',
  // Module syntax in a CommonJS package scope (a package.json without "type": "module", as `npm init` writes).
  'commonjs/package.json': '{ "type": "commonjs" }\n',
  'commonjs/enum.ts': 'export enum Mode { Fast = 40 }\nexport function addMode(n: number): number { return n + Mode.Fast; }\n',
};

/** Runs `task(2)`-style call of `module` in plain node inside `project`; returns its value or the error's name and message. */
async function inProject(project: InstalledProject, backend: string, module: string, task: string, arg: unknown): Promise<{ value?: unknown; error?: string; message?: string }> {
  const script = `
    import { createPool } from ${JSON.stringify(project.weft)};
    const pool = createPool({ module: new URL(${JSON.stringify(`./${module}`)}, import.meta.url), backend: ${JSON.stringify(backend)}, workers: 1 });
    try { console.log(JSON.stringify({ value: await pool.run(${JSON.stringify(task)}, ${JSON.stringify(arg)}) })); }
    catch (e) { console.log(JSON.stringify({ error: e.name, message: e.message })); }
    finally { await pool.destroy(); }
  `;
  const [file] = project.write({ 'main.mjs': script });
  const { stdout } = await run(process.execPath, [file], { cwd: project.dir, timeout: 60_000 });
  return JSON.parse(stdout.trim()) as { value?: unknown; error?: string; message?: string };
}

describe('TypeScript task modules in a project that installed weft (weft outside the repository)', () => {
  let bare: InstalledProject;
  let withTsx: InstalledProject;
  before(() => {
    bare = installedProject();
    bare.write(USER_TASKS);
    withTsx = installedProject({ tsx: true });
    withTsx.write(USER_TASKS);
  });
  after(() => {
    bare.remove();
    withTsx.remove();
  });

  // 'auto' samples every task function on inline, thread and process pools (src/playbook).
  for (const backend of ['thread', 'process', 'inline', 'auto']) {
    it(`${backend}: without tsx, a types-only module runs on Node's stripping (Node >= 22.18), else the error says what is needed`, async () => {
      const out = await inProject(bare, backend, 'tasks/plain.ts', 'addPair', { a: 20, b: 22 });
      if (NODE_STRIPS) {
        assert.deepEqual(out, { value: 42 });
      } else {
        assert.equal(out.error, 'ModuleLoadError', JSON.stringify(out));
        assert.match(out.message!, /tasks\/plain\.ts is TypeScript/);
        assert.match(out.message!, /type stripping needs Node >= 22\.18/);
        assert.match(out.message!, /npm install -D tsx/);
      }
    });

    it(`${backend}: without tsx, a module with an enum fails with a ModuleLoadError naming the file, the enum and the fixes`, async () => {
      const out = await inProject(bare, backend, 'tasks/enum.ts', 'addMode', 2);
      assert.equal(out.error, 'ModuleLoadError', JSON.stringify(out));
      assert.match(out.message!, /tasks\/enum\.ts/);
      assert.match(out.message!, /npm install -D tsx/);
      assert.match(out.message!, /compile it to \.js/);
      if (NODE_STRIPS) {
        assert.match(out.message!, /uses TypeScript enum, which Node's type stripping does not support/);
        assert.match(out.message!, /a const object .* instead of the enum/);
      } else {
        assert.match(out.message!, /type stripping needs Node >= 22\.18/);
      }
    });

    it(`${backend}: with tsx installed in the project (not next to weft), a module with an enum runs`, async () => {
      assert.deepEqual(await inProject(withTsx, backend, 'tasks/enum.ts', 'addMode', 2), { value: 42 });
    });

    it(`${backend}: with tsx installed, a module with an enum in a CommonJS package scope runs`, async () => {
      assert.deepEqual(await inProject(withTsx, backend, 'commonjs/enum.ts', 'addMode', 2), { value: 42 });
    });
  }
});
