import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, Semaphore, SyncMisuseError, SyncTimeoutError } from '../../src/sync/index.js';
import { inThread, shared } from './helpers.js';

describe('Semaphore', () => {
  it('counts permits: acquire, tryAcquire, release', () => {
    const s = Semaphore.create(2);
    assert.equal(s.value, 2);
    s.acquire();
    assert.equal(s.tryAcquire(), true);
    assert.equal(s.tryAcquire(), false);
    s.release();
    assert.equal(s.value, 1);
    s.release();
    assert.equal(Semaphore.from(s.state).value, 2);
  });

  it('rejects a negative or fractional initial count, and an initial count above max', () => {
    assert.throws(() => Semaphore.create(-1), (e: unknown) => e instanceof SyncMisuseError && /initial count must be an integer >= 0/.test(e.message));
    assert.throws(() => Semaphore.create(1.5), SyncMisuseError);
    assert.throws(() => Semaphore.create(3, { max: 2 }), /exceeds max 2/);
    assert.throws(() => Semaphore.create(0, { max: 0 }), SyncMisuseError);
  });

  it('releasing beyond max is a SyncMisuseError and leaves the count alone', () => {
    const s = Semaphore.create(1, { max: 2 });
    s.release();
    assert.throws(() => s.release(), (e: unknown) => e instanceof SyncMisuseError && /exceed the maximum of 2/.test(e.message));
    assert.equal(s.value, 2);
    assert.throws(() => s.release(0), SyncMisuseError);
  });

  it('a timed acquire throws SyncTimeoutError; tryAcquire(ms) returns false', async () => {
    const s = Semaphore.create(0);
    const t = performance.now();
    assert.throws(() => s.acquire(60), (e: unknown) => e instanceof SyncTimeoutError && e.operation === 'Semaphore.acquire');
    assert.ok(performance.now() - t >= 55);
    assert.equal(s.tryAcquire(20), false);
    await assert.rejects(s.acquireAsync(20), SyncTimeoutError);
    assert.equal(await s.tryAcquireAsync(20), false);
  });

  it('an async acquire is released by a release from the same thread', async () => {
    const s = Semaphore.create(0);
    const got = s.acquireAsync(5_000);
    setTimeout(() => s.release(), 20);
    await got;
    assert.equal(s.value, 0);
  });

  it('never lets more than N hold it at once (4 threads, N = 2)', async () => {
    const s = Semaphore.create(2, { stats: true });
    const holders = shared(2); // [now, most ever]
    const threads = 4;
    const start = Barrier.create(threads);
    await Promise.all(
      Array.from({ length: threads }, () =>
        inThread('semaphoreHolders', { sem: s.state, holders, start: start.state }, { iterations: 5_000, work: 200 }),
      ),
    );
    assert.equal(holders[0], 0);
    assert.equal(holders[1], 2, `most holders at once: ${holders[1]}`);
    assert.equal(s.value, 2);
    const stats = s.stats()!;
    assert.equal(stats.acquisitions, threads * 5_000);
    assert.ok(stats.contended > 0);
  });

  it('N = 1 behaves as a lock', async () => {
    const s = Semaphore.create(1);
    const holders = shared(2);
    await Promise.all(
      Array.from({ length: 3 }, () => inThread('semaphoreHolders', { sem: s.state, holders }, { iterations: 3_000, work: 50 })),
    );
    assert.equal(holders[1], 1);
  });
});
