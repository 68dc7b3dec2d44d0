/**
 * Task modules in TypeScript must load whether the parent runs under tsx or as compiled
 * JavaScript, and compiled .js modules must load from plain Node: the most common complaint
 * about Node pools. These run real `node` processes against the built `dist/`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPool } from '../../src/index.js';

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
