import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeftError } from '../../src/shared/errors.js';
import { Barrier, BrokenBarrierError, Mutex, OwnerDiedError, SemaphoreHoldersFullError } from '../../src/sync/index.js';
import { SyncError, SyncErrorCode, SyncMisuseError, SyncTimeoutError } from '../../src/sync/index.js';

describe('sync errors', () => {
  it('are WeftErrors with stable codes and their own names', () => {
    const cases: [SyncError, string, string][] = [
      [new SyncMisuseError('x'), 'SyncMisuseError', 'WEFT_SYNC_MISUSE'],
      [new SyncTimeoutError('Mutex.lock', 5), 'SyncTimeoutError', 'WEFT_SYNC_TIMEOUT'],
      [new OwnerDiedError('Mutex.lock', 'owner-died'), 'OwnerDiedError', 'WEFT_OWNER_DIED'],
      [new BrokenBarrierError('Barrier.wait', 'abort() was called'), 'BrokenBarrierError', 'WEFT_BROKEN_BARRIER'],
      [new SemaphoreHoldersFullError('Semaphore.acquire', 2), 'SemaphoreHoldersFullError', 'WEFT_SYNC_HOLDERS_FULL'],
    ];
    for (const [e, name, code] of cases) {
      assert.ok(e instanceof WeftError && e instanceof SyncError && e instanceof Error, name);
      assert.equal(e.name, name);
      assert.equal(e.code, code);
      assert.ok(Object.values(SyncErrorCode).includes(e.code as SyncErrorCode));
    }
    assert.match(String(new OwnerDiedError('Mutex.lock', 'task-ended')), /^OwnerDiedError: Mutex.lock: acquired, but its previous holder's task ended/);
  });

  it('what the primitives throw carries the codes', () => {
    assert.throws(() => Mutex.create().unlock(), (e: unknown) => e instanceof SyncMisuseError && e.code === 'WEFT_SYNC_MISUSE');
    assert.throws(() => Barrier.create(2).wait(1), (e: unknown) => e instanceof SyncTimeoutError && e.code === 'WEFT_SYNC_TIMEOUT');
  });
});
