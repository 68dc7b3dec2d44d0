/**
 * Robust Mutex: a holder that dies (its thread returns, calls process.exit, is terminated; its
 * process is SIGKILLed) is found dead by a waiter, which takes the lock over and gets
 * OwnerDiedError while holding it; the flag stays until markConsistent(). releaseHeldLocks
 * releases what a task left held. Needs the addon's liveness tokens (skipped without them).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it, type TestContext } from 'node:test';
import { Event, Mutex, OwnerDiedError, releaseHeldLocks, SyncMisuseError } from '../../src/sync/index.js';
import { hasLiveness, inThread, processJob, segments, settleAfterDeath, shared, slot, threadJob } from './helpers.js';

const isOwnerDied = (reason: string) => (e: unknown) =>
  e instanceof OwnerDiedError && e.reason === reason && e.code === 'WEFT_OWNER_DIED';

/**
 * Starts a `lockAsync` on `m`, runs `kill` (which resolves once the holder is dead), and checks
 * that the lockAsync got OwnerDiedError soon after the death; then repairs `m`.
 */
async function expectTakeOver(t: TestContext, m: Mutex, what: string, kill: () => Promise<unknown>): Promise<void> {
  const outcome = await settleAfterDeath(t, what, m.lockAsync(20_000), kill);
  assert.ok(isOwnerDied('owner-died')(outcome), String(outcome));
  m.markConsistent();
  m.unlock();
}

describe('robust Mutex', { skip: hasLiveness ? false : 'no liveness tokens (native addon missing or too old)' }, () => {
  const { segment, removeAll } = segments();
  after(removeAll);

  it('a thread that returns holding the lock: the next lock() gets OwnerDiedError holding it; the flag stays until markConsistent', async () => {
    const m = Mutex.create();
    const held = Event.create();
    await inThread('holdAndDie', { lock: m.state, event: held.state }, { how: 0 });
    assert.throws(() => m.lock(5_000), isOwnerDied('owner-died'));
    assert.equal(m.isHeldByCurrentThread(), true);
    assert.equal(m.isConsistent(), false);
    m.unlock(); // not repaired: still flagged
    assert.throws(() => m.tryLock(), isOwnerDied('not-repaired'));
    m.markConsistent();
    assert.equal(m.isConsistent(), true);
    m.unlock();
    m.lock(); // normal again
    m.unlock();
    assert.throws(() => m.markConsistent(), SyncMisuseError);
  });

  it('a terminated holder: a lockAsync already waiting gets OwnerDiedError within a bounded time', async (t) => {
    const m = Mutex.create();
    const held = Event.create();
    const w = threadJob('holdAndDie', { lock: m.state, event: held.state }, { how: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    await expectTakeOver(t, m, 'the holder thread was terminated', async () => {
      await new Promise((r) => setTimeout(r, 150)); // the waiter is asleep on the lock
      await w.terminate();
    });
  });

  it('process.exit in the holding thread: withLock releases and rethrows, keeping the reason, until repaired', async () => {
    const m = Mutex.create();
    const held = Event.create();
    const w = threadJob('holdAndDie', { lock: m.state, event: held.state }, { how: 1 });
    await once(w, 'exit');
    let ran = false;
    assert.throws(() => m.withLock(() => (ran = true), 5_000), isOwnerDied('owner-died'));
    assert.equal(ran, false);
    assert.equal(m.isLocked(), false, 'withLock released the lock');
    await assert.rejects(m.withLockAsync(() => (ran = true), 5_000), isOwnerDied('owner-died'));
    assert.equal(ran, false);
    assert.throws(() => m.lock(), isOwnerDied('owner-died'));
    m.markConsistent();
    m.unlock();
    assert.equal(m.withLock(() => 7), 7);
  });

  it('three waiters on a dead holder: exactly one is told, the others then lock normally', async () => {
    const m = Mutex.create();
    const held = Event.create();
    const counter = shared(1);
    const w = threadJob('holdAndDie', { lock: m.state, event: held.state }, { how: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    const waiters = [1, 2, 3].map(() => inThread('lockRecovering', { lock: m.state, counter }, { timeoutMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    await w.terminate();
    const told = await Promise.all(waiters);
    assert.deepEqual(told.sort(), [0, 0, 1]);
    assert.equal(counter[0], 1);
    assert.equal(m.isLocked(), false);
    assert.equal(m.isConsistent(), true);
  });

  it('a SIGKILLed process holding a mapped mutex: a waiter here takes it over within a bounded time', async (t) => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength());
    const event = slot(buffer, 64, Event.byteLength());
    const m = Mutex.create({ memory: lock.view });
    const held = Event.create(false, { memory: event.view });
    const child = processJob('holdAndDie', name, { lock: lock.spec, event: event.spec }, { how: 2 });
    assert.equal(await held.waitAsync(20_000), true);
    assert.equal(await m.tryLockAsync(150), false, 'a live holder is not taken over');
    await expectTakeOver(t, m, 'the holder process was SIGKILLed', () => {
      child.kill('SIGKILL');
      return once(child, 'exit');
    });
  });

  it('a process that exits holding a mapped mutex: the blocking lock() recovers too', async () => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength({ stats: true }));
    const event = slot(buffer, 128, Event.byteLength());
    const m = Mutex.create({ memory: lock.view, stats: true });
    Event.create(false, { memory: event.view });
    const child = processJob('holdAndDie', name, { lock: lock.spec, event: event.spec }, { how: 1 });
    await once(child, 'exit');
    assert.throws(() => m.lock(10_000), isOwnerDied('owner-died'));
    m.markConsistent();
    m.unlock();
    assert.equal(m.stats()!.acquisitions, 2, 'the holder and the one that took over');
  });
});

describe('releaseHeldLocks', () => {
  it('releases what this thread still holds, flagged for the next locker (reason task-ended)', () => {
    const a = Mutex.create();
    const b = Mutex.create({ stats: true });
    const c = Mutex.create();
    a.lock();
    b.lock();
    c.lock();
    c.unlock();
    const released = releaseHeldLocks();
    assert.equal(released.length, 2);
    assert.match(released[0], /^Mutex \(thread-shared memory, byte offset 0\)$/);
    assert.match(released[1], /stats id \d+/);
    assert.equal(a.isLocked(), false);
    assert.equal(b.isLocked(), false);
    assert.deepEqual(releaseHeldLocks(), [], 'nothing left');
    assert.throws(() => a.lock(), isOwnerDied('task-ended'));
    a.markConsistent();
    a.unlock();
    c.lock(); // never flagged
    c.unlock();
  });

  it('a lock taken through one object and released through another is not released twice', () => {
    const m = Mutex.create();
    const again = Mutex.from(m.state);
    m.lock();
    again.unlock();
    assert.deepEqual(releaseHeldLocks(), []);
    assert.equal(m.isConsistent(), true);
  });

  it('in a worker thread: the thread that leaked a lock can lock it again after releaseHeldLocks', async () => {
    const m = Mutex.create();
    const m2 = Mutex.create();
    assert.equal(await inThread<string>('leakThenRelease', { lock: m.state, lock2: m2.state }), '2:task-ended');
    assert.equal(m.isLocked(), false);
    assert.throws(() => m2.lock(), isOwnerDied('task-ended'));
    m2.markConsistent();
    m2.unlock();
  });
});
