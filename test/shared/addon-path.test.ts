// A pool hands its workers the file the addon was loaded from (WorkerData.addonPath), and a worker loads that
// file before anything else can run node-gyp-build's search; a file that does not load falls back to the search.
// The pool's process here loads a copy of the addon from a temporary folder, so a worker that searched would
// load the original instead, and the test tells the two apart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDON_DIR, loadedAddonPath, native, useAddonAt } from '../../src/shared/native.js';
import { segmentOf, sharedArray } from '../../src/shared/index.js';
import { createPool } from '../../src/index.js';
import type * as Tasks from '../fixtures/addon-path.js';

const FIXTURE = new URL('../fixtures/addon-path.ts', import.meta.url);
const searched = (createRequire(import.meta.url)('node-gyp-build') as { resolve(dir: string): string }).resolve(ADDON_DIR);
const dir = mkdtempSync(join(tmpdir(), 'weft-addon-path-'));
const copy = join(dir, 'weft_native.node');
copyFileSync(searched, copy);
// Each test closes its pool before it ends, so nothing has the folder open when it goes.
after(() => rmSync(dir, { recursive: true, force: true }));

async function addonOfWorker(backend: 'thread' | 'process'): Promise<ReturnType<typeof Tasks.addonInUse> & { parentSegment: string }> {
  const pool = createPool<typeof Tasks>({ module: FIXTURE, backend, workers: 1 });
  try {
    const values = sharedArray(Int32Array, 1, { placement: 'mapped' });
    values[0] = 41;
    return { ...(await pool.call.addonInUse(values)), parentSegment: segmentOf(values)! };
  } finally {
    await pool.close();
  }
}

test("the pool's process loads the addon from the file it is given", () => {
  assert.equal(loadedAddonPath(), undefined, 'nothing loaded the addon before the test');
  useAddonAt(copy);
  native();
  assert.equal(loadedAddonPath(), copy);
  assert.notEqual(copy, searched);
});

for (const backend of ['thread', 'process'] as const) {
  test(`a ${backend} worker loads the addon from the file its pool's process loaded`, async () => {
    const seen = await addonOfWorker(backend);
    assert.equal(seen.path, copy, 'the copy, not the file the search finds');
    assert.equal(seen.segment, seen.parentSegment);
    assert.equal(seen.first, 41);
  });
}

test('a process worker handed a file that does not load falls back to the search, and works', async () => {
  // A new file at that path (the pool's process keeps its mapping of the old one): not an addon.
  unlinkSync(copy);
  writeFileSync(copy, 'not a shared object');
  const seen = await addonOfWorker('process');
  assert.equal(seen.path, searched);
  assert.equal(seen.segment, seen.parentSegment);
  assert.equal(seen.first, 41);
});

test("when neither the given file nor the search loads, the error's cause is the given file's", () => {
  // PREBUILDS_ONLY makes node-gyp-build skip native/build, and a checkout has no prebuilds: the search fails.
  const script = `
    import { native, useAddonAt } from ${JSON.stringify(new URL('../../src/shared/native.ts', import.meta.url).href)};
    useAddonAt(${JSON.stringify(join(dir, 'missing.node'))});
    try { native(); console.log('null'); }
    catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message, cause: error.cause?.code })); }
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, PREBUILDS_ONLY: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const error = JSON.parse(run.stdout.trim());
  assert.equal(error.code, 'WEFT_NATIVE_UNAVAILABLE');
  assert.equal(error.cause, 'MODULE_NOT_FOUND');
  assert.match(error.message, /No native build was found/);
  assert.match(error.message, /missing\.node, the file this worker was handed, did not load either/);
});
