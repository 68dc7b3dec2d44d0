// The cross-process futex: results, timeouts, wake-ups between processes, async waits that leave
// the event loop free, and Atomics on mapped memory from two processes at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { futexWait, futexWaitAsync, futexWake, isMapped } from '../../src/shared/futex.js';
import { sharedArray, dispose } from '../../src/shared/index.js';
import { encodeShared } from '../../src/shared/handle.js';
import { Peer } from './helpers.js';
import { ADDON_DIR } from '../../src/shared/native.js';
import { SharedArgumentError } from '../../src/shared/argument-error.js';
import { WeftError } from '../../src/shared/errors.js';

const mapped = (n = 4) => sharedArray(Int32Array, n, { placement: 'mapped' });

test('not-equal when the word differs, timed-out after the timeout', () => {
  const w = mapped();
  assert.equal(futexWait(w, 0, 1, 1000), 'not-equal');
  const t0 = performance.now();
  assert.equal(futexWait(w, 0, 0, 50), 'timed-out');
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 45 && elapsed < 1000, `waited ${elapsed} ms`);
  assert.equal(futexWait(w, 0, 0, 0), 'timed-out');
  assert.equal(futexWake(w, 0), 0);
  dispose(w);
});

test('argument errors are thrown, not ignored', () => {
  const w = mapped();
  const invalid = (argument: string, message: RegExp) => (err: unknown) => {
    assert.ok(err instanceof SharedArgumentError && err instanceof WeftError);
    assert.equal(err.code, 'WEFT_SHARED_INVALID_ARGUMENT');
    assert.equal(err.argument, argument);
    assert.match(err.message, message);
    return true;
  };
  assert.throws(() => futexWait(w, 4, 0, 0), invalid('index', /futexWait: index must be an integer in \[0, 4\), got 4/));
  assert.throws(() => futexWait(new Int32Array(4), 0, 0, 0), invalid('view', /over a SharedArrayBuffer/));
  assert.throws(() => futexWake(new Float64Array(4) as unknown as Int32Array, 0), invalid('view', /must be an Int32Array, got Float64Array/));
  assert.throws(() => futexWait(w, 0, 0, NaN), invalid('timeoutMs', /got NaN/));
  dispose(w);
});

test('isMapped tells mapped memory from plain SharedArrayBuffers', () => {
  const w = mapped();
  assert.equal(isMapped(w.buffer), true);
  assert.equal(isMapped(new SharedArrayBuffer(8)), false);
  assert.equal(isMapped(new ArrayBuffer(8)), false);
  dispose(w);
});

test('a waiter in another process is woken by a wake in this one', async () => {
  const w = mapped();
  const peer = await Peer.start();
  try {
    const waiting = peer.request('futexWait', { array: encodeShared(w), index: 0, expected: 0, timeoutMs: 10_000 });
    // Wake until the peer has actually gone to sleep and been woken (it may not be waiting yet).
    let woken = 0;
    const t0 = Date.now();
    while (woken === 0 && Date.now() - t0 < 10_000) {
      await new Promise((r) => setTimeout(r, 10));
      woken = futexWake(w, 0, 1);
    }
    assert.equal(woken, 1);
    assert.equal(await waiting, 'ok');
  } finally {
    await peer.close();
    dispose(w);
  }
});

test('a wait here is woken by a store-and-wake from another process (async wait)', async () => {
  const w = mapped();
  const peer = await Peer.start();
  try {
    const waiting = futexWaitAsync(w, 0, 0, 10_000);
    // The event loop keeps running while we wait: timers fire, IPC flows.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await new Promise((r) => setTimeout(r, 100));
    const woke = await peer.request<number>('storeAndWake', { array: encodeShared(w), index: 0, value: 1 });
    assert.equal(await waiting, 'ok');
    clearInterval(timer);
    assert.equal(woke, 1);
    assert.ok(ticks >= 5, `event loop ran ${ticks} ticks during the wait`);
    assert.equal(Atomics.load(w, 0), 1);
  } finally {
    await peer.close();
    dispose(w);
  }
});

test('async wait results: not-equal and timed-out', async () => {
  const w = mapped();
  assert.equal(await futexWaitAsync(w, 0, 5, 1000), 'not-equal');
  const t0 = performance.now();
  assert.equal(await futexWaitAsync(w, 0, 0, 30), 'timed-out');
  assert.ok(performance.now() - t0 >= 25);
  await assert.rejects(futexWaitAsync(w, 9, 0, 0), SharedArgumentError);
  dispose(w);
});

test('a worker thread that ends with an async wait pending exits cleanly', async () => {
  const w = mapped();
  const code = `
    const { workerData } = require('node:worker_threads');
    const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});
    addon.futexWaitAsync(new Int32Array(workerData), 0, 0, -1);
    setTimeout(() => process.exit(0), 20);`;
  const worker = new Worker(code, { eval: true, workerData: w.buffer });
  const [exitCode] = await once(worker, 'exit');
  assert.equal(exitCode, 0);
  dispose(w);
});

test('Atomics.add on a mapped array from two processes at once is exact', async () => {
  const w = mapped();
  const peers = await Promise.all([Peer.start(), Peer.start()]);
  const times = 200_000;
  try {
    await Promise.all(peers.map((p) => p.request('atomicAdd', { array: encodeShared(w), index: 0, times })));
    assert.equal(Atomics.load(w, 0), 2 * times);
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    dispose(w);
  }
});
