/**
 * Errors raised by weft's synchronisation primitives.
 *
 * Misuse (unlocking a mutex you do not hold, a negative semaphore count, a barrier of 0 parties,
 * state that is not in shared memory) is always an error, never silently ignored: a silent
 * misuse in a lock shows up much later as a corrupted value far from its cause.
 *
 * Every class here is a {@link WeftError} with a stable `code`, so `err.code` can be switched on
 * across weft's layers without importing these classes.
 */
import { WeftError } from '../shared/errors.js';

/** Stable codes of the sync errors (`err.code`). */
export const SyncErrorCode = {
  Misuse: 'WEFT_SYNC_MISUSE',
  Timeout: 'WEFT_SYNC_TIMEOUT',
  OwnerDied: 'WEFT_OWNER_DIED',
  BrokenBarrier: 'WEFT_BROKEN_BARRIER',
  HoldersFull: 'WEFT_SYNC_HOLDERS_FULL',
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode];

/** Base class of every error thrown by `weft/sync`. */
export class SyncError extends WeftError {
  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The primitive was used in a way that can never be correct, e.g. `unlock()` by a thread that
 * does not hold the mutex. Code `WEFT_SYNC_MISUSE`.
 *
 * @example
 * ```ts
 * const m = Mutex.create();
 * try { m.unlock(); } catch (e) { if (e instanceof SyncMisuseError) console.log(e.message); }
 * ```
 */
export class SyncMisuseError extends SyncError {
  constructor(message: string, code: SyncErrorCode = SyncErrorCode.Misuse) {
    super(code, message);
  }
}

/**
 * A blocking call that must succeed before the caller can go on (`lock`, `acquire`, barrier
 * `wait`) ran out of time. Calls whose timeout is an ordinary outcome (`tryLock`, `tryAcquire`,
 * `Condition.wait`, `Event.wait`) return `false` instead of throwing. Code `WEFT_SYNC_TIMEOUT`.
 */
export class SyncTimeoutError extends SyncError {
  constructor(
    /** Which primitive and call timed out, e.g. `'Mutex.lock'`. */
    readonly operation: string,
    /** The timeout that elapsed, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(SyncErrorCode.Timeout, `${operation} timed out after ${timeoutMs} ms`);
  }
}

/** Why a mutex was left in a state its next holder must repair; see {@link OwnerDiedError}. */
export type OwnerDiedReason = 'owner-died' | 'task-ended' | 'not-repaired';

const REASON_TEXT: Record<OwnerDiedReason, string> = {
  'owner-died': 'its previous holder died (thread exited or was terminated, or its process was killed) while holding it',
  'task-ended': "its previous holder's task ended while holding it (released by releaseHeldLocks)",
  'not-repaired': 'a previous holder was told of an earlier holder death and released it without markConsistent()',
};

/**
 * The mutex was acquired, but the data it protects may be half-updated: a previous holder died
 * or ended its task while holding it (see `reason`). Thrown by `lock`, `tryLock`, `lockAsync`
 * and `tryLockAsync` **while the caller holds the lock**, like `EOWNERDEAD` from a pthread
 * robust mutex. Repair the data, call `mutex.markConsistent()`, then `unlock()`; unlocking
 * without `markConsistent()` leaves the mutex flagged and the next locker gets this error too.
 * `withLock`/`withLockAsync` release the lock and rethrow it. Code `WEFT_OWNER_DIED`.
 *
 * @example
 * ```ts
 * try {
 *   m.lock();
 * } catch (e) {
 *   if (!(e instanceof OwnerDiedError)) throw e;
 *   repair(data);            // we hold the lock here
 *   m.markConsistent();
 * }
 * try { update(data); } finally { m.unlock(); }
 * ```
 */
export class OwnerDiedError extends SyncError {
  constructor(
    /** Which call acquired the mutex, e.g. `'Mutex.lock'`. */
    readonly operation: string,
    /** What the previous holder did: died, ended its task holding it, or released it unrepaired. */
    readonly reason: OwnerDiedReason,
  ) {
    super(
      SyncErrorCode.OwnerDied,
      `${operation}: acquired, but ${REASON_TEXT[reason]}; the caller now holds the lock: repair the protected data, ` +
        'call markConsistent(), then unlock()',
    );
  }
}

/**
 * `Semaphore.create(n, { holders })`: a thread took a permit while all `holders` slots of the
 * holder table were taken by other threads holding permits. The permit was given back before
 * this was thrown, so nothing leaks; give the table a slot per thread that can hold permits at
 * once. Code `WEFT_SYNC_HOLDERS_FULL`.
 */
export class SemaphoreHoldersFullError extends SyncError {
  constructor(
    /** Which call could not record its permit, e.g. `'Semaphore.acquire'`. */
    readonly operation: string,
    /** The table's size. */
    readonly holders: number,
  ) {
    super(
      SyncErrorCode.HoldersFull,
      `${operation}: all ${holders} holder slots are taken by other threads holding permits; the permit was given back ` +
        '(create the semaphore with more holders)',
    );
  }
}

/**
 * The barrier is broken: it was aborted, reset while the caller waited, a party's wait timed
 * out, or a party died. Every current and later `wait` throws it until `reset()`, as with
 * Python's `threading.BrokenBarrierError`. Code `WEFT_BROKEN_BARRIER`.
 *
 * @example
 * ```ts
 * try { barrier.wait(5_000); } catch (e) { if (e instanceof BrokenBarrierError) giveUpRound(); else throw e; }
 * ```
 */
export class BrokenBarrierError extends SyncError {
  constructor(
    /** Which call found the barrier broken, e.g. `'Barrier.wait'`. */
    readonly operation: string,
    /** Why it broke, as far as the barrier knows. */
    readonly detail: string,
  ) {
    super(SyncErrorCode.BrokenBarrier, `${operation}: the barrier is broken (${detail}); reset() it to use it again`);
  }
}
