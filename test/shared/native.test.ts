// The native addon as users meet it: which way it maps memory on this Node, the older way forced
// (so every Node tests both), and a machine where the addon neither loads nor builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { native } from '../../src/shared/native.js';
import { installedProject } from '../helpers/installed.js';

/** Node lines with node_api_create_external_sharedarraybuffer: 22.23+, 24.16+, 26.1+ (and later majors). */
function hasExternalSharedBuffers(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  if (major === 22) return minor >= 23;
  if (major === 24) return minor >= 16;
  if (major === 26) return minor >= 1;
  return major > 26 || major === 25;
}

test('mapped memory takes the external path where this Node has it, else the remap path', () => {
  assert.equal(native().bufferPath, hasExternalSharedBuffers() ? 'external' : 'remap');
});

for (const path of ['remap', 'default'] as const) {
  test(`process and thread workers share mapped pages on the ${path} path`, () => {
    const env = { ...process.env };
    if (path === 'remap') env.WEFT_SHARED_BUFFER = 'remap';
    else delete env.WEFT_SHARED_BUFFER;
    const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/mapped-roundtrip.ts', import.meta.url))], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    assert.equal(result.path, path === 'remap' ? 'remap' : native().bufferPath);
    const expected = 50_000 + 2 * 50_003;
    assert.deepEqual(result.process, { sum: expected, workerSum: expected });
    assert.deepEqual(result.thread, { sum: expected, workerSum: expected });
    assert.equal(result.heldHere, false);
  });
}

test('without the addon, mapped memory throws NativeUnavailableError and everything else works', async (t) => {
  const project = installedProject({ native: false });
  t.after(() => project.remove());
  const [main] = project.write({
    'tasks.mjs': 'export const sum = (xs) => xs.reduce((a, b) => a + b, 0);\n',
    'main.mjs': `
      import { createPool, sharedArray, Mutex, NativeUnavailableError } from ${JSON.stringify(project.weft)};
      const out = {};
      for (const make of [() => sharedArray(Float64Array, 8, { placement: 'mapped' }), () => Mutex.create({ placement: 'mapped' })]) {
        try { make(); out.made = true; } catch (err) {
          out.errors = [...(out.errors ?? []), { typed: err instanceof NativeUnavailableError, code: err.code, message: err.message }];
        }
      }
      const xs = sharedArray(Float64Array, 4); xs.fill(2);
      for (const backend of ['thread', 'process', 'inline']) {
        const pool = createPool({ module: new URL('./tasks.mjs', import.meta.url), backend, workers: 1 });
        out[backend] = await pool.call.sum(backend === 'process' ? [2, 2, 2, 2] : xs);
        await pool.close();
      }
      console.log(JSON.stringify(out));`,
  }).slice(1);
  const run = spawnSync(process.execPath, [main], { cwd: project.dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim());
  assert.equal(out.made, undefined);
  assert.equal(out.errors.length, 2);
  for (const error of out.errors) {
    assert.equal(error.typed, true);
    assert.equal(error.code, 'WEFT_NATIVE_UNAVAILABLE');
    assert.match(error.message, /native addon.*not available.*npm rebuild weft-pool/s);
  }
  assert.deepEqual([out.thread, out.process, out.inline], [8, 8, 8]);
});
