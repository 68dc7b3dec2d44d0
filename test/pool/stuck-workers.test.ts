/**
 * Waits that must end whatever the workers do: a thread worker blocked in a lock on mapped memory
 * times out, and destroy() still settles promptly; a lock a task leaked is released once its worker
 * is idle.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, TimeoutError } from '../../src/index.js';
import { Mutex } from '../../src/sync/index.js';
import type * as Locks from '../fixtures/locks.js';
import { rejectionOf } from '../helpers/pool.js';

const MODULE = new URL('../fixtures/locks.ts', import.meta.url);

describe('stuck workers', () => {
  it('a thread blocked in a mapped lock: TimeoutError, then destroy() settles within 2 s', async () => {
    const mutex = Mutex.create({ placement: 'mapped' });
    mutex.lock(); // held here for the whole test
    const pool = createPool<typeof Locks>({ module: MODULE, backend: 'thread', workers: 1, timeout: 500 });
    const error = await rejectionOf(pool.call.lockHeld(mutex.state));
    assert.ok(error instanceof TimeoutError, String(error));
    const started = Date.now();
    await pool.destroy();
    const took = Date.now() - started;
    assert.ok(took < 2000, `destroy() took ${took} ms`);
    mutex.unlock();
  });

  for (const backend of ['thread', 'process'] as const) {
    it(`${backend}: a lock a task leaked is released when its worker goes idle`, async () => {
      const mutex = Mutex.create({ placement: backend === 'process' ? 'mapped' : 'memory' });
      await using pool = createPool<typeof Locks>({ module: MODULE, backend, workers: 1 });
      assert.equal(await pool.call.lockAndLeak(mutex.state), true);
      // The worker released it when it went idle (right after sending the result, or just after).
      const deadline = Date.now() + 5000;
      let flagged: (Error & { code?: string }) | undefined;
      for (;;) {
        try {
          if (mutex.tryLock()) assert.fail('the lock was released without the flag saying its holder left it');
        } catch (error) {
          // Taken, and flagged: the next owner learns that a task ended holding it.
          flagged = error as Error & { code?: string };
          break;
        }
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(flagged, 'the leaked lock was never released');
      assert.equal(flagged.code, 'WEFT_OWNER_DIED', String(flagged));
      assert.match(flagged.message, /releaseHeldLocks/);
      mutex.markConsistent();
      mutex.unlock();
    });
  }
});
