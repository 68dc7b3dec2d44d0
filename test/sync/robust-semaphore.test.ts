/**
 * Semaphore with a holder table: permits held by a thread or process that dies come back to the
 * waiters (each exactly once); releaseHeldLocks returns a finished task's permits; a full table
 * is a typed error that leaks nothing. Needs the addon's liveness tokens (skipped without them).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { Barrier, Event, releaseHeldLocks, Semaphore, SemaphoreHoldersFullError, SyncMisuseError } from '../../src/sync/index.js';
import { hasLiveness, inThread, processJob, segments, settleAfterDeath, shared, slot, threadJob } from './helpers.js';

describe('Semaphore with holders', () => {
  it('validates the option and sizes its state by it', () => {
    assert.throws(() => Semaphore.create(1, { holders: 0 }), SyncMisuseError);
    assert.throws(() => Semaphore.create(1, { holders: 5000 }), SyncMisuseError);
    assert.equal(Semaphore.byteLength({ holders: 4 }), Semaphore.byteLength() + (2 + 2 * 4) * 4);
    const s = Semaphore.create(2, { holders: 4, stats: true });
    assert.equal(s.state.length * 4, Semaphore.byteLength({ holders: 4, stats: true }));
    assert.equal(Semaphore.from(s.state).value, 2);
  });

  it('without holders nothing changes: any thread may release', () => {
    const s = Semaphore.create(0, { max: 1 });
    s.release();
    assert.equal(s.heldByCurrentThread(), 0);
    assert.deepEqual(releaseHeldLocks(), []);
    assert.equal(s.value, 1);
  });
});

describe('Semaphore with holders: dead holders', { skip: hasLiveness ? false : 'no liveness tokens (native addon missing or too old)' }, () => {
  const { segment, removeAll } = segments();
  after(removeAll);

  it('counts this thread\'s permits; releasing more than it holds is misuse', () => {
    const s = Semaphore.create(3, { holders: 2 });
    s.acquire();
    s.acquire();
    assert.equal(s.heldByCurrentThread(), 2);
    assert.equal(Semaphore.from(s.state).heldByCurrentThread(), 2, 'the same thread through another object');
    assert.throws(() => s.release(3), (e: unknown) => e instanceof SyncMisuseError && /holds 2 permit/.test(e.message));
    s.release(2);
    assert.equal(s.heldByCurrentThread(), 0);
    assert.throws(() => s.release(), SyncMisuseError);
    assert.equal(s.value, 3);
  });

  it('a thread that returns holding 2 of 2 permits: a waiter gets them back', async () => {
    const s = Semaphore.create(2, { holders: 4, max: 2 });
    const held = Event.create();
    await inThread('holdAndDie', { sem: s.state, event: held.state }, { how: 0, n: 2 });
    assert.equal(s.value, 0);
    s.acquire(5_000);
    assert.equal(s.value, 1, 'both came back, once');
    s.acquire(0);
    s.release(2);
    assert.equal(s.value, 2);
  });

  it('a terminated holder: an acquireAsync already waiting gets its permit within a bounded time', async (t) => {
    const s = Semaphore.create(1, { holders: 2 });
    const held = Event.create();
    const w = threadJob('holdAndDie', { sem: s.state, event: held.state }, { how: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    const outcome = await settleAfterDeath(t, 'the holder thread was terminated', s.acquireAsync(10_000), async () => {
      await new Promise((r) => setTimeout(r, 150));
      await w.terminate();
    });
    assert.equal(outcome, 'ok');
    s.release();
  });

  it('two waiting threads and one dead holder of both permits: each permit comes back exactly once', async () => {
    const s = Semaphore.create(2, { holders: 3, max: 2 });
    const held = Event.create();
    const counter = shared(1);
    const w = threadJob('holdAndDie', { sem: s.state, event: held.state }, { how: 2, n: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    const waiters = [1, 2].map(() => inThread('permitOnce', { sem: s.state, counter }, { timeoutMs: 10_000, holdMs: 50 }));
    await new Promise((r) => setTimeout(r, 150));
    await w.terminate();
    assert.deepEqual(await Promise.all(waiters), [1, 1]);
    assert.equal(counter[0], 2);
    assert.equal(s.value, 2, 'neither lost nor doubled (max 2 would reject a double)');
  });

  it('a SIGKILLed process holding a mapped semaphore\'s only permit: a waiter here gets it', async (t) => {
    const { name, buffer } = segment(4096);
    const sem = slot(buffer, 0, Semaphore.byteLength({ holders: 2 }));
    const event = slot(buffer, 128, Event.byteLength());
    const s = Semaphore.create(1, { memory: sem.view, holders: 2 });
    const held = Event.create(false, { memory: event.view });
    const child = processJob('holdAndDie', name, { sem: sem.spec, event: event.spec }, { how: 2 });
    assert.equal(await held.waitAsync(20_000), true);
    assert.equal(await s.tryAcquireAsync(150), false, 'a live holder keeps its permit');
    const outcome = await settleAfterDeath(t, 'the holder process was SIGKILLed', s.acquireAsync(20_000), () => {
      child.kill('SIGKILL');
      return once(child, 'exit');
    });
    assert.equal(outcome, 'ok');
    s.release();
  });

  it('a table with one slot per holder at once never reports itself full in ordinary use (3 threads, 1 permit, 1 slot)', async () => {
    // A releaser returns its permit a moment before it frees its slot: a waiter that finds the
    // table full then must wait, not throw.
    const s = Semaphore.create(1, { holders: 1 });
    const holders = shared(2); // [now, most ever]
    const start = Barrier.create(3);
    await Promise.all(
      Array.from({ length: 3 }, () => inThread('semaphoreHolders', { sem: s.state, holders, start: start.state }, { iterations: 30_000, work: 0 })),
    );
    assert.equal(holders[1], 1);
    assert.equal(s.value, 1);
  });

  it('a full table is SemaphoreHoldersFullError and the permit is given back', async () => {
    const s = Semaphore.create(2, { holders: 1 });
    const held = Event.create();
    const w = threadJob('holdAndDie', { sem: s.state, event: held.state }, { how: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    assert.throws(() => s.acquire(), (e: unknown) => e instanceof SemaphoreHoldersFullError && e.code === 'WEFT_SYNC_HOLDERS_FULL' && e.holders === 1);
    assert.equal(s.value, 1);
    await w.terminate();
  });

  it('releaseHeldLocks gives back the permits this thread kept', () => {
    const s = Semaphore.create(3, { holders: 2 });
    s.acquire();
    s.acquire();
    const released = releaseHeldLocks();
    assert.equal(released.length, 1);
    assert.match(released[0], /^Semaphore \(thread-shared memory, byte offset 0\): 2 permit\(s\)$/);
    assert.equal(s.value, 3);
    assert.equal(s.heldByCurrentThread(), 0);
  });
});
