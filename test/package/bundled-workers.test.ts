/**
 * The built worker entries are single files (scripts/bundle-workers.mjs), and what they keep separate is still
 * one module per worker: a task importing the package sees the same addon, segments and locks as the runtime
 * that decoded its arguments. Runs plain `node` against the built dist/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIST = new URL('../../dist/index.js', import.meta.url);
const TASKS = new URL('../fixtures/dist-shared-tasks.mjs', import.meta.url);
const BUILTINS_TASK = new URL('../fixtures/loaded-builtins.mjs', import.meta.url);

for (const entry of ['thread-entry', 'process-entry']) {
  test(`dist's ${entry} imports only node builtins and the modules kept separate`, () => {
    const source = readFileSync(new URL(`../../dist/pool/worker/${entry}.js`, import.meta.url), 'utf8');
    const specifiers = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    assert.ok(specifiers.length > 0, 'the bundle has imports');
    const stray = specifiers.filter((s) => !/^node:|^\.\.\/\.\.\/(shared|sync)\/|^\.\/typescript\.js$/.test(s));
    assert.deepEqual(stray, [], 'every other module is inside the bundle (npm run build bundles it)');
  });
}

test("a process worker's task sees the mapped array and the Mutex through its own import of the package", async () => {
  const script = `
    import { createPool, Mutex, segmentOf, sharedArray } from ${JSON.stringify(DIST.href)};
    const pool = createPool({ module: new URL(${JSON.stringify(TASKS.href)}), backend: 'process', workers: 2 });
    try {
      const array = sharedArray(Float64Array, 4, { placement: 'mapped' });
      array[0] = 7;
      const seen = await pool.call.whereIs(array);
      const mutex = Mutex.create({ placement: 'mapped' });
      const counter = sharedArray(Int32Array, 1, { placement: 'mapped' });
      const counts = await Promise.all(Array.from({ length: 8 }, () => pool.call.countUnder(mutex.state, counter)));
      console.log(JSON.stringify({ seen, parentSegment: segmentOf(array), counts: counts.sort((a, b) => a - b), total: counter[0] }));
    } finally {
      await pool.close();
    }
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
  const result = JSON.parse(stdout.trim());
  assert.equal(result.seen.placement, 'mapped');
  assert.equal(result.seen.segment, result.parentSegment);
  assert.equal(result.seen.first, 7);
  assert.deepEqual(result.counts, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(result.total, 8);
});

/**
 * Builtins a worker has no use for at start-up: `node:crypto` (segment names do without it), `node:fs`'s streams
 * (what an ESM import of `node:fs` loads; weft takes it with process.getBuiltinModule where it needs it), and in a
 * process worker `node:worker_threads` (only the watchdog that stands in for a missing addon needs it).
 */
const UNWANTED_AT_START = {
  process: ['crypto', 'internal/fs/streams', 'worker_threads'],
  thread: ['crypto', 'internal/fs/streams'],
} as const;

for (const [backend, unwanted] of Object.entries(UNWANTED_AT_START)) {
  test(`a fresh ${backend} worker has loaded none of ${unwanted.join(', ')} by its first task`, async () => {
    const script = `
      import { createPool } from ${JSON.stringify(DIST.href)};
      const pool = createPool({ module: new URL(${JSON.stringify(BUILTINS_TASK.href)}), backend: ${JSON.stringify(backend)}, workers: 1 });
      try {
        console.log(JSON.stringify(await pool.call.loadedBuiltins()));
      } finally {
        await pool.close();
      }
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
    const loaded: string[] = JSON.parse(stdout.trim());
    assert.ok(loaded.includes('fs'), 'the list is the worker\'s builtins');
    assert.deepEqual(
      unwanted.filter((name) => loaded.includes(name)),
      [],
    );
  });
}
