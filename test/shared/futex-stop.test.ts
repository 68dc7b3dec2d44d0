// A thread blocked in a futex wait on mapped memory does not hold up its own end: worker.terminate()
// and process.exit() complete promptly, for synchronous and asynchronous waits. And the sliced
// synchronous wait still keeps its timeouts and sees a store-and-wake that comes after a slice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { futexWait, futexWake } from '../../src/shared/futex.js';
import { sharedArray, dispose } from '../../src/shared/index.js';
import { ADDON_DIR } from '../../src/shared/native.js';

const LOAD = `const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});`;

/** A worker that posts 'waiting' and then runs `wait` (an expression over `view`). */
function blockedWorker(buffer: SharedArrayBuffer, wait: string): Worker {
  return new Worker(
    `${LOAD}
     const { workerData, parentPort } = require('node:worker_threads');
     const view = new Int32Array(workerData);
     parentPort.postMessage('waiting');
     const r = ${wait};
     parentPort.postMessage(r);`,
    { eval: true, workerData: buffer },
  );
}

/** Resolves with how long `p` took, or rejects after `ms`. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<number> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - t0;
}

for (const [label, wait] of [
  ['with no timeout', 'addon.futexWait(view, 0, 0, -1)'],
  ['with a long timeout', 'addon.futexWait(view, 0, 0, 60000)'],
  ['asynchronously', "addon.futexWaitAsync(view, 0, 0, -1) && 'pending'"],
] as const) {
  test(`worker.terminate() ends a worker blocked in a futex wait ${label}`, async () => {
    const w = sharedArray(Int32Array, 4, { placement: 'mapped' });
    const worker = blockedWorker(w.buffer as unknown as SharedArrayBuffer, wait);
    await once(worker, 'message');
    await new Promise((r) => setTimeout(r, 120)); // well into the wait, past its first slices
    const ms = await within(2000, 'terminate', worker.terminate());
    assert.ok(ms < 1000, `terminate took ${ms} ms`);
    dispose(w);
  });
}

test('process.exit() in the main thread is not held up by a worker blocked in futexWait', () => {
  const program = `${LOAD}
    const { Worker } = require('node:worker_threads');
    const name = 'weft-stop-' + process.pid;
    const buffer = addon.create(name, 64);
    addon.unlink(name);
    const w = new Worker(${JSON.stringify(`${LOAD} const { workerData, parentPort } = require('node:worker_threads'); parentPort.postMessage(1); addon.futexWait(new Int32Array(workerData), 0, 0, -1);`)}, { eval: true, workerData: buffer });
    w.once('message', () => setTimeout(() => { console.log(Date.now()); process.exit(3); }, 120));`;
  const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 10_000 });
  const ended = Date.now();
  assert.equal(run.signal, null, `the process hung and was killed (${run.stderr})`);
  assert.equal(run.status, 3, run.stderr);
  const ms = ended - Number(run.stdout.trim());
  assert.ok(ms < 1000, `exit took ${ms} ms`);
});

test('the sliced wait keeps its timeout and sees a store-and-wake that comes after a few slices', async () => {
  const w = sharedArray(Int32Array, 4, { placement: 'mapped' });
  const t0 = performance.now();
  assert.equal(futexWait(w, 0, 0, 130), 'timed-out');
  const waited = performance.now() - t0;
  assert.ok(waited >= 128 && waited < 1000, `waited ${waited} ms`);

  const worker = blockedWorker(w.buffer as unknown as SharedArrayBuffer, 'addon.futexWait(view, 0, 0, -1)');
  await once(worker, 'message');
  await new Promise((r) => setTimeout(r, 130));
  const result = once(worker, 'message');
  Atomics.store(w, 0, 1);
  futexWake(w, 0);
  const [r] = await result;
  assert.ok(r === 'ok' || r === 'not-equal', `woke with ${r}`);
  await worker.terminate();
  dispose(w);
});
