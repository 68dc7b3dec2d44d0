import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Barrier, Event, Mutex, Semaphore, SyncTimeoutError } from '../../src/sync/index.js';
import { hasNativeWaitAsync, setPollingFallback } from '../../src/sync/waiter.js';
import { inThread } from './helpers.js';

/** Counts how often a 5 ms interval fires while `work` runs. */
async function ticksDuring<T>(work: Promise<T>): Promise<{ value: T; ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t = performance.now();
  try {
    const value = await work;
    return { value, ticks, ms: performance.now() - t };
  } finally {
    clearInterval(timer);
  }
}

for (const polling of [false, true]) {
  describe(`async forms (${polling ? 'polling fallback' : 'Atomics.waitAsync'})`, () => {
    after(() => setPollingFallback(false));

    it('uses the intended mechanism', () => {
      setPollingFallback(polling);
      assert.equal(hasNativeWaitAsync(), !polling);
    });

    it('lockAsync waits for a worker holding the lock while timers keep firing', async () => {
      setPollingFallback(polling);
      const m = Mutex.create();
      const held = Event.create();
      const holder = inThread('holdLock', { lock: m.state, event: held.state }, { holdMs: 300 });
      assert.equal(await held.waitAsync(10_000), true);
      const { ticks, ms } = await ticksDuring(m.lockAsync(10_000));
      assert.equal(m.isHeldByCurrentThread(), true);
      m.unlock();
      await holder;
      // A blocked loop would give 0 or 1 ticks; allow a loaded machine to be slow.
      assert.ok(ticks >= Math.min(10, ms / 20), `only ${ticks} ticks in ${ms.toFixed(0)} ms`);
    });

    it('timed-out async calls reject with SyncTimeoutError or resolve false, without blocking', async () => {
      setPollingFallback(polling);
      const m = Mutex.create();
      m.lock();
      const other = Mutex.from(m.state);
      const r = await ticksDuring(other.lockAsync(100).catch((e: unknown) => e));
      assert.ok(r.value instanceof SyncTimeoutError && r.value.operation === 'Mutex.lockAsync');
      assert.ok(r.ms >= 95 && r.ticks >= 5, `${r.ticks} ticks in ${r.ms} ms`);
      assert.equal(await other.tryLockAsync(30), false);
      m.unlock();

      const s = Semaphore.create(0);
      assert.equal(await s.tryAcquireAsync(30), false);
      const b = Barrier.create(2);
      await assert.rejects(b.waitAsync(30), SyncTimeoutError);
      assert.equal(await Event.create().waitAsync(30), false);
    });

    it('semaphore, barrier and event async forms are woken by a worker thread', async () => {
      setPollingFallback(polling);
      const e = Event.create();
      const waiting = e.waitAsync(10_000);
      setTimeout(() => e.set(), 20);
      assert.equal(await waiting, true);

      const b = Barrier.create(2);
      const arrivals = new Int32Array(new SharedArrayBuffer(4));
      const worker = inThread('barrierRounds', { barrier: b.state, arrivals }, { generations: 1 });
      Atomics.add(arrivals, 0, 1);
      await b.waitAsync(10_000);
      assert.equal(await worker, 0);

      const s = Semaphore.create(0);
      const acquired = s.acquireAsync(10_000);
      setTimeout(() => s.release(), 20);
      await acquired;
    });
  });
}

describe('process lifetime', () => {
  it('a pending async wait keeps the process alive until it settles', () => {
    const script = fileURLToPath(new URL('./fixtures/keepalive.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stdout.trim(), 'resolved false', r.stderr);
    assert.equal(r.status, 0);
  });
});
