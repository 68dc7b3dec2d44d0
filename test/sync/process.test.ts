/**
 * The primitives across processes: their state lives in a /dev/shm segment mapped by the test
 * and by forked worker processes, so waits go through the futex rather than Atomics.wait.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Barrier, Event, Mutex, Semaphore } from '../../src/sync/index.js';
import { waiterFor } from '../../src/sync/waiter.js';
import { addon, inProcess, inThread, segments, slot } from './helpers.js';

const { segment, removeAll } = segments();

describe('across processes (futex on a mapped segment)', { skip: addon ? false : 'native addon not built' }, () => {
  after(removeAll);

  it('primitives in mapped memory use the futex waiter', () => {
    const { buffer } = segment(4096);
    const m = Mutex.create({ memory: new Int32Array(buffer, 0, 4) });
    assert.equal(waiterFor(m.state).kind, 'futex');
    assert.equal(waiterFor(Mutex.create().state).kind, 'atomics');
  });

  it('mutual exclusion: a non-atomic counter ends exact across 2 processes and a thread, 5 rounds', async () => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength({ stats: true }));
    const counter = slot(buffer, 128, 4);
    const start = slot(buffer, 192, Barrier.byteLength());
    const done = slot(buffer, 256, Barrier.byteLength());
    const m = Mutex.create({ memory: lock.view, stats: true });
    const parties = 2 + 1 + 1; // two processes, one worker thread, this thread
    const startB = Barrier.create(parties, { memory: start.view });
    const doneB = Barrier.create(parties, { memory: done.view });
    const iterations = 20_000;
    const rounds = 5;
    const params = { iterations, work: 20, rounds };
    const views = { lock: lock.spec, counter: counter.spec, start: start.spec, done: done.spec };
    const workers = [
      inProcess('mutexCounter', name, views, params),
      inProcess('mutexCounter', name, views, params),
      inThread('mutexCounter', { lock: lock.view, counter: counter.view, start: start.view, done: done.view }, params),
    ];
    for (let r = 1; r <= rounds; r++) {
      await startB.waitAsync(60_000);
      await doneB.waitAsync(60_000);
      assert.equal(counter.view[0], r * 3 * iterations, `after round ${r}`);
    }
    await Promise.all(workers);
    const stats = m.stats()!;
    assert.equal(stats.acquisitions, rounds * 3 * iterations);
    assert.ok(stats.contended > 0, 'the processes contended');
  });

  it('control: without the lock, processes lose updates', async () => {
    const { name, buffer } = segment(4096);
    const counter = slot(buffer, 0, 4);
    const start = slot(buffer, 64, Barrier.byteLength());
    Barrier.create(2, { memory: start.view });
    const views = { counter: counter.spec, start: start.spec };
    await Promise.all([1, 2].map(() => inProcess('plainCounter', name, views, { iterations: 500_000, work: 20 })));
    assert.ok(counter.view[0] < 1_000_000, `no update lost (${counter.view[0]})`);
  });

  it('unlocking from another process is a SyncMisuseError naming the holder pid', async () => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength());
    const m = Mutex.create({ memory: lock.view });
    m.lock();
    const message = await inProcess<string>('unlockForeign', name, { lock: lock.spec });
    assert.match(message, new RegExp(`^SyncMisuseError: .*held by pid ${process.pid}, thread main`));
    m.unlock();
  });

  it('semaphore bounds hold across 3 processes', async () => {
    const { name, buffer } = segment(4096);
    const sem = slot(buffer, 0, Semaphore.byteLength());
    const holders = slot(buffer, 64, 8);
    const start = slot(buffer, 128, Barrier.byteLength());
    Semaphore.create(2, { memory: sem.view });
    Barrier.create(3, { memory: start.view }); // or the first process may finish before the last starts
    const views = { sem: sem.spec, holders: holders.spec, start: start.spec };
    await Promise.all([1, 2, 3].map(() => inProcess('semaphoreHolders', name, views, { iterations: 3_000, work: 200 })));
    assert.equal(holders.view[0], 0);
    assert.equal(holders.view[1], 2);
  });

  it('an event set here wakes waiters in 2 processes; a barrier spans processes', async () => {
    const { name, buffer } = segment(4096);
    const event = slot(buffer, 0, Event.byteLength());
    const e = Event.create(false, { memory: event.view });
    const waiters = [1, 2].map(() => inProcess('eventWait', name, { event: event.spec }, { timeoutMs: 20_000 }));
    await new Promise((r) => setTimeout(r, 300));
    e.set();
    assert.deepEqual(await Promise.all(waiters), [1, 1]);

    const barrier = slot(buffer, 64, Barrier.byteLength());
    const arrivals = slot(buffer, 128, 12);
    const b = Barrier.create(3, { memory: barrier.view });
    const views = { barrier: barrier.spec, arrivals: arrivals.spec };
    const rounds = [1, 2, 3].map(() => inProcess('barrierRounds', name, views, { generations: 3, stagger: 20 }));
    assert.deepEqual(await Promise.all(rounds), [0, 0, 0]);
    assert.equal(b.generation, 3);
  });

  it('a timed lock on mapped memory times out while another process holds it', async () => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength());
    const event = slot(buffer, 64, Event.byteLength());
    const m = Mutex.create({ memory: lock.view });
    const held = Event.create(false, { memory: event.view });
    const holder = inProcess('holdLock', name, { lock: lock.spec, event: event.spec }, { holdMs: 800 });
    assert.equal(await held.waitAsync(20_000), true);
    assert.equal(m.tryLock(50), false);
    assert.equal(await m.tryLockAsync(50), false);
    await m.lockAsync(20_000); // woken by the other process's unlock
    m.unlock();
    await holder;
  });
});
