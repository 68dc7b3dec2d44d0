import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Condition, Mutex, SyncMisuseError } from '../../src/sync/index.js';
import { delay, inThread, shared, until } from './helpers.js';

describe('Condition', () => {
  it('waiting without holding the mutex is a SyncMisuseError', () => {
    const cv = Condition.create();
    const m = Mutex.create();
    assert.throws(() => cv.wait(m, 10), (e: unknown) => e instanceof SyncMisuseError && /must hold the mutex/.test(e.message));
  });

  it('wait times out with false and holds the mutex again', async () => {
    const cv = Condition.create();
    const m = Mutex.create();
    m.lock();
    const t = performance.now();
    assert.equal(cv.wait(m, 50), false);
    assert.ok(performance.now() - t >= 45);
    assert.equal(m.isHeldByCurrentThread(), true);
    assert.equal(cv.waitFor(m, () => false, 30), false);
    assert.equal(m.isHeldByCurrentThread(), true);
    m.unlock();
    await m.lockAsync();
    assert.equal(await cv.waitAsync(m, 30), false);
    assert.equal(m.isHeldByCurrentThread(), true);
    m.unlock();
  });

  it('notifyOne wakes one waiter, notifyAll wakes all (3 threads)', async () => {
    const cv = Condition.create();
    const m = Mutex.create();
    const tickets = shared(2); // [tickets, passed]
    const waiters = Array.from({ length: 3 }, () =>
      inThread('conditionTicket', { lock: m.state, cond: cv.state, tickets }, { timeoutMs: 20_000 }),
    );
    await until(() => cv.waiting === 3, 10_000, 'three waiters');
    await delay(50); // let the last one get from "counted" to asleep

    m.withLock(() => void (tickets[0] = 1));
    assert.equal(cv.notifyOne(), 1);
    await until(() => Atomics.load(tickets, 1) === 1, 5_000, 'one waiter through');
    await delay(100);
    assert.equal(Atomics.load(tickets, 1), 1, 'only one waiter went through');
    assert.equal(cv.waiting, 2);

    m.withLock(() => void (tickets[0] = 2));
    assert.equal(cv.notifyAll(), 2);
    assert.deepEqual(await Promise.all(waiters), [1, 1, 1]);
    assert.deepEqual([...tickets], [0, 3]);
  });

  it('a notify with no waiter is not remembered (unlike an event)', () => {
    const cv = Condition.create();
    const m = Mutex.create();
    assert.equal(cv.notifyOne(), 0);
    m.lock();
    assert.equal(cv.wait(m, 20), false);
    m.unlock();
  });

  it('async waiters on the main thread are woken by a worker-free notify', async () => {
    const cv = Condition.create();
    const m = Mutex.create();
    let ready = false;
    const waiter = m.withLockAsync(() => cv.waitForAsync(m, () => ready, 5_000));
    await delay(20);
    await m.withLockAsync(() => void (ready = true));
    cv.notifyAll();
    assert.equal(await waiter, true);
    assert.equal(m.isLocked(), false);
  });
});
