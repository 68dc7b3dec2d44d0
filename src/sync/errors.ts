/**
 * Errors raised by weft's synchronisation primitives.
 *
 * Misuse (unlocking a mutex you do not hold, a negative semaphore count, a barrier of 0 parties,
 * state that is not in shared memory) is always an error, never silently ignored: a silent
 * misuse in a lock shows up much later as a corrupted value far from its cause.
 */

/** Base class of every error thrown by `weft/sync`. */
export class SyncError extends Error {
  override name = 'SyncError';
}

/**
 * The primitive was used in a way that can never be correct, e.g. `unlock()` by a thread that
 * does not hold the mutex.
 *
 * @example
 * ```ts
 * const m = Mutex.create();
 * try { m.unlock(); } catch (e) { if (e instanceof SyncMisuseError) console.log(e.message); }
 * ```
 */
export class SyncMisuseError extends SyncError {
  override name = 'SyncMisuseError';
}

/**
 * A blocking call that must succeed before the caller can go on (`lock`, `acquire`, barrier
 * `wait`) ran out of time. Calls whose timeout is an ordinary outcome (`tryLock`, `tryAcquire`,
 * `Condition.wait`, `Event.wait`) return `false` instead of throwing.
 */
export class SyncTimeoutError extends SyncError {
  override name = 'SyncTimeoutError';
  constructor(
    /** Which primitive and call timed out, e.g. `'Mutex.lock'`. */
    readonly operation: string,
    /** The timeout that elapsed, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`${operation} timed out after ${timeoutMs} ms`);
  }
}
