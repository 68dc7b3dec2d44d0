import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, Event, Mutex, Semaphore, setContendedWaitSink, SyncMisuseError, SyncTimeoutError } from '../../src/sync/index.js';
import { inThread, shared } from './helpers.js';

describe('Mutex', () => {
  it('locks, unlocks, and reports its state', () => {
    const m = Mutex.create();
    assert.equal(m.isLocked(), false);
    m.lock();
    assert.equal(m.isLocked(), true);
    assert.equal(m.isHeldByCurrentThread(), true);
    m.unlock();
    assert.equal(m.isLocked(), false);
  });

  it('tryLock succeeds on a free mutex and fails on a held one', () => {
    const m = Mutex.create();
    assert.equal(m.tryLock(), true);
    const other = Mutex.from(m.state);
    assert.equal(other.tryLock(), false); // same thread, no wait: just "not now"
    m.unlock();
    assert.equal(other.tryLock(), true);
    other.unlock();
  });

  it('re-attaches from its state and shares the lock word', () => {
    const m = Mutex.create();
    const again = Mutex.from(m.state);
    m.lock();
    assert.equal(again.isLocked(), true);
    again.unlock(); // same thread: the owner is the thread, not the object
    assert.equal(m.isLocked(), false);
  });

  it('unlocking a mutex nobody holds is a SyncMisuseError', () => {
    const m = Mutex.create();
    assert.throws(() => m.unlock(), (e: unknown) => e instanceof SyncMisuseError && /not locked/.test(e.message));
  });

  it('unlocking a mutex held by another thread is a SyncMisuseError naming the holder', async () => {
    const m = Mutex.create();
    m.lock();
    const message = await inThread<string>('unlockForeign', { lock: m.state });
    assert.match(message, /^SyncMisuseError: .*held by this process, thread main/);
    assert.equal(m.isLocked(), true);
    m.unlock();
  });

  it('locking again from the holding thread is reported instead of deadlocking', () => {
    const m = Mutex.create();
    m.lock();
    assert.throws(() => m.lock(), SyncMisuseError);
    assert.throws(() => m.tryLock(10), SyncMisuseError);
    assert.equal(m.tryLock(), false);
    m.unlock();
  });

  it('a timed lock times out with SyncTimeoutError, tryLock(ms) with false', async () => {
    const m = Mutex.create();
    const held = Event.create();
    const holder = inThread('holdLock', { lock: m.state, event: held.state }, { holdMs: 600 });
    assert.equal(await held.waitAsync(10_000), true);
    let t = performance.now();
    assert.throws(() => m.lock(80), (e: unknown) => e instanceof SyncTimeoutError && e.timeoutMs === 80 && e.operation === 'Mutex.lock');
    const waited = performance.now() - t;
    assert.ok(waited >= 75 && waited < 3_000, `waited ${waited} ms for an 80 ms timeout`);
    t = performance.now();
    assert.equal(m.tryLock(50), false);
    assert.ok(performance.now() - t >= 45);
    // A timeout long enough succeeds once the holder lets go.
    assert.equal(m.tryLock(10_000), true);
    m.unlock();
    await holder;
  });

  it('withLock runs fn under the lock, returns its value, and releases on throw', () => {
    const m = Mutex.create();
    assert.equal(m.withLock(() => (m.isHeldByCurrentThread() ? 42 : 0)), 42);
    assert.equal(m.isLocked(), false);
    assert.throws(() => m.withLock(() => { throw new Error('boom'); }), /boom/);
    assert.equal(m.isLocked(), false);
  });

  it('withLock given an async function is a SyncMisuseError', () => {
    const m = Mutex.create();
    assert.throws(() => m.withLock(async () => 1), SyncMisuseError);
    assert.equal(m.isLocked(), false);
  });

  it('withLockAsync holds the lock across awaits and releases after', async () => {
    const m = Mutex.create();
    const order: string[] = [];
    const a = m.withLockAsync(async () => {
      order.push('a in');
      await new Promise((r) => setTimeout(r, 30));
      order.push('a out');
    });
    const b = m.withLockAsync(async () => {
      order.push('b in');
    });
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a in', 'a out', 'b in']);
    assert.equal(m.isLocked(), false);
  });

  it('from() rejects memory that is not a mutex', () => {
    assert.throws(() => Mutex.from(shared(4)), /holds no weft primitive/);
    assert.throws(() => Mutex.from(Semaphore.create(1).state), /holds a Semaphore, not a Mutex/);
    assert.throws(() => Mutex.from(new Int32Array(4)), /must live in shared memory/);
    assert.throws(() => Mutex.from({} as Int32Array), /expects the Int32Array state/);
  });

  it('can be placed in caller-provided shared memory', () => {
    const memory = shared(16);
    const m = Mutex.create({ memory: memory.subarray(2) });
    assert.equal(m.state.byteOffset, 8);
    assert.equal(m.state.length, Mutex.byteLength() / 4);
    assert.throws(() => Mutex.create({ memory: memory.subarray(1) }), /8-byte aligned/);
  });

  it('keeps contention stats when asked', async () => {
    const m = Mutex.create({ stats: true });
    assert.equal(Mutex.create().stats(), null);
    for (let i = 0; i < 10; i++) m.withLock(() => {});
    const id = m.stats()!.id;
    assert.ok(id > 0, 'a mutex with stats has an id for wait logs');
    assert.equal(Mutex.from(m.state).stats()!.id, id, 'the same id wherever it is attached');
    assert.deepEqual(m.stats(), { acquisitions: 10, contended: 0, totalWaitMs: 0, worstWaitMs: 0, id });
    const held = Event.create();
    const holder = inThread('holdLock', { lock: m.state, event: held.state }, { holdMs: 100 });
    await held.waitAsync(10_000);
    const logged: { id: number; ms: number }[] = [];
    setContendedWaitSink((waitId, start, end) => logged.push({ id: waitId, ms: end - start }));
    try {
      m.lock(); // waits for the holder
    } finally {
      setContendedWaitSink(null);
    }
    m.unlock();
    await holder;
    const s = m.stats()!;
    assert.equal(s.acquisitions, 12);
    assert.equal(s.contended, 1);
    assert.ok(s.worstWaitMs > 40 && s.totalWaitMs === s.worstWaitMs, JSON.stringify(s));
    assert.equal(logged.length, 1, 'the wait sink heard of the one contended wait');
    assert.equal(logged[0].id, id);
    assert.ok(Math.abs(logged[0].ms - s.worstWaitMs) < 1, `sink ${logged[0].ms} ms, stats ${s.worstWaitMs} ms`);
    m.resetStats();
    assert.equal(m.stats()!.acquisitions, 0);
  });

  it('mutual exclusion: a non-atomic counter under the lock ends exact across 3 threads, 8 rounds', async () => {
    const threads = 3;
    const iterations = 20_000;
    const rounds = 8;
    const m = Mutex.create();
    const counter = shared(1);
    // The test thread is a party too, so it can check the counter between rounds.
    const start = Barrier.create(threads + 1);
    const done = Barrier.create(threads + 1);
    const workers = Array.from({ length: threads }, () =>
      inThread('mutexCounter', { lock: m.state, counter, start: start.state, done: done.state }, { iterations, work: 20, rounds }),
    );
    for (let r = 1; r <= rounds; r++) {
      await start.waitAsync(10_000);
      await done.waitAsync(30_000);
      assert.equal(counter[0], r * threads * iterations, `after round ${r}`);
      assert.equal(m.isLocked(), false);
    }
    await Promise.all(workers);
  });

  it('control: the same counter without the lock loses updates', async () => {
    const threads = 3;
    const iterations = 200_000;
    // Losing updates needs the threads to overlap; a heavily loaded machine may serialise one
    // attempt, hardly three.
    let final = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const counter = shared(1);
      const start = Barrier.create(threads);
      await Promise.all(
        Array.from({ length: threads }, () => inThread('plainCounter', { counter, start: start.state }, { iterations, work: 20 })),
      );
      final = counter[0];
      if (final < threads * iterations) break;
    }
    assert.ok(final < threads * iterations, `no update lost (${final})`);
  });
});
