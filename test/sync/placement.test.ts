/**
 * `placement: 'mapped'`: every primitive and counter made in a /dev/shm segment of its own by one
 * call, and shared with process workers of an ordinary pool through its `.state` (or `.view`).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPool, dispose, placementOf, segmentOf, sharedArray } from '../../src/index.js';
import {
  AtomicBigCounter,
  AtomicCounter,
  Barrier,
  Condition,
  Event,
  Mutex,
  Semaphore,
  SyncMisuseError,
} from '../../src/sync/index.js';
import { waiterFor } from '../../src/sync/waiter.js';
import type * as Tasks from './fixtures/placed-tasks.js';

const TASKS = new URL('./fixtures/placed-tasks.ts', import.meta.url);

/** Why mapped memory cannot be tested here, or false when it can. */
function mappedUnavailable(): string | false {
  try {
    dispose(sharedArray(Int32Array, 1, { placement: 'mapped' }));
    return false;
  } catch (error) {
    return `mapped shared memory is unavailable: ${(error as Error).message}`;
  }
}

const processPool = (workers = 2) => createPool<typeof Tasks>({ module: TASKS, backend: 'process', workers });

describe('placement option', () => {
  it('defaults to memory, and memory and placement together are misuse', () => {
    assert.equal(placementOf(Mutex.create().state), 'memory');
    assert.equal(placementOf(Event.create(false, { placement: 'memory' }).state), 'memory');
    assert.equal(placementOf(AtomicCounter.create(0, { placement: 'memory' }).view), 'memory');
    const memory = new Int32Array(new SharedArrayBuffer(64));
    assert.throws(() => Mutex.create({ memory, placement: 'mapped' }), SyncMisuseError);
    assert.throws(() => Barrier.create(2, { placement: 'disk' as never }), /placement must be 'memory' or 'mapped', got disk/);
    assert.throws(() => AtomicBigCounter.create(0n, { placement: 'disk' as never }), SyncMisuseError);
  });
});

describe("placement: 'mapped'", { skip: mappedUnavailable() }, () => {
  it('puts every primitive and counter in a segment of its own, waited on with the futex', () => {
    const made = {
      mutex: Mutex.create({ placement: 'mapped', stats: true }).state,
      semaphore: Semaphore.create(1, { placement: 'mapped' }).state,
      barrier: Barrier.create(1, { placement: 'mapped' }).state,
      condition: Condition.create({ placement: 'mapped' }).state,
      event: Event.create(true, { placement: 'mapped' }).state,
      counter: AtomicCounter.create(5, { placement: 'mapped' }).view,
      bigCounter: AtomicBigCounter.create(5n, { placement: 'mapped' }).view,
    };
    const names = new Set<string>();
    for (const [what, view] of Object.entries(made)) {
      const name = segmentOf(view);
      assert.ok(name, `${what} is in a mapped segment`);
      names.add(name);
      if (view instanceof Int32Array && what !== 'counter') assert.equal(waiterFor(view).kind, 'futex', what);
    }
    assert.equal(names.size, Object.keys(made).length, 'one segment each');
    assert.equal(AtomicCounter.from(made.counter).load(), 5);
    assert.equal(AtomicBigCounter.from(made.bigCounter).load(), 5n);
    assert.equal(Event.from(made.event).isSet(), true);
    assert.equal(Mutex.from(made.mutex).stats()?.acquisitions, 0);
    for (const view of Object.values(made)) dispose(view);
  });

  it('dispose(x.state) removes the segment; the primitive keeps working here', () => {
    const m = Mutex.create({ placement: 'mapped' });
    const name = segmentOf(m.state)!;
    assert.ok(existsSync(`/dev/shm/${name}`));
    dispose(m.state);
    assert.ok(!existsSync(`/dev/shm/${name}`));
    m.withLock(() => {});
  });

  it('a process worker locks the same mutex: held here, it cannot take it; released, it can', async () => {
    await using pool = processPool(1);
    const lock = Mutex.create({ placement: 'mapped' });
    await lock.lockAsync();
    assert.equal(await pool.call.tryLockOnce(lock.state), false);
    lock.unlock();
    assert.equal(await pool.call.tryLockOnce(lock.state), true);
  });

  it('2 process workers and this thread add under one mutex: no update lost', async () => {
    await using pool = processPool(2);
    const lock = Mutex.create({ placement: 'mapped', stats: true });
    const counter = sharedArray(Int32Array, 1, { placement: 'mapped' });
    const times = 20_000;
    const here = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) await lock.withLockAsync(() => void (counter[0] = counter[0] + 1));
    };
    const pids = await Promise.all([pool.call.addLocked(counter, lock.state, times), pool.call.addLocked(counter, lock.state, times), here()]);
    assert.equal(counter[0], 2 * times + 200);
    assert.notEqual(pids[0], process.pid);
    assert.equal(lock.stats()!.acquisitions, 2 * times + 200);
  });

  it('event, semaphore, barrier, condition and counters work across process workers', async () => {
    await using pool = processPool(3);
    await pool.ready();

    const ready = Event.create(false, { placement: 'mapped' });
    const waiting = [pool.call.waitEvent(ready.state, 20_000), pool.call.waitEvent(ready.state, 20_000)];
    await new Promise((r) => setTimeout(r, 100));
    ready.set();
    assert.deepEqual(await Promise.all(waiting), [true, true]);

    const slots = Semaphore.create(2, { placement: 'mapped' });
    const holders = sharedArray(Int32Array, 2, { placement: 'mapped' });
    await Promise.all([1, 2, 3].map(() => pool.call.holdPermit(slots.state, holders, 20_000)));
    assert.equal(holders[0], 0);
    assert.ok(holders[1] >= 1 && holders[1] <= 2, `at most 2 held at once (${holders[1]})`);
    assert.equal(slots.value, 2);

    const barrier = Barrier.create(4, { placement: 'mapped' });
    const arrivals = [1, 2, 3].map(() => pool.call.arrive(barrier.state, 20_000));
    await barrier.waitAsync(20_000);
    assert.deepEqual(await Promise.all(arrivals), [1, 1, 1]);

    const m = Mutex.create({ placement: 'mapped' });
    const cv = Condition.create({ placement: 'mapped' });
    const flag = sharedArray(Int32Array, 1, { placement: 'mapped' });
    await m.lockAsync();
    const signalled = pool.call.signal(m.state, cv.state, flag);
    assert.equal(await cv.waitForAsync(m, () => flag[0] === 1, 20_000), true);
    m.unlock();
    await signalled;

    const small = AtomicCounter.create(0, { placement: 'mapped' });
    const big = AtomicBigCounter.create(0n, { placement: 'mapped' });
    await Promise.all([1, 2, 3].map((n) => pool.call.count(small.view, big.view, n)));
    assert.equal(small.load(), 6);
    assert.equal(big.load(), 6n);
  });
});
