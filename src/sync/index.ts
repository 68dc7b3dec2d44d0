/**
 * weft's synchronisation primitives: all state in shared memory (a SharedArrayBuffer, or a weft
 * /dev/shm mapping to share with other processes), so each works from the main thread, worker
 * threads and worker processes alike. Create one, pass its `.state` to a task as an ordinary
 * argument, and re-attach there with `X.from(state)`:
 *
 * ```ts
 * const m = Mutex.create();
 * await pool.call.work(m.state, data);        // in the task: Mutex.from(state).withLock(...)
 * ```
 *
 * Rules common to all of them:
 * - Every blocking call has a synchronous form, which blocks the calling thread (right in a
 *   worker; on the main thread Node allows it but the event loop stops meanwhile), and an `...Async`
 *   form that never blocks the event loop (`Atomics.waitAsync`, polling where that is missing,
 *   or the futex on a thread of the addon's for mapped memory).
 * - Timeouts are in milliseconds (default: none). Calls after which the caller assumes it holds
 *   something (`lock`, `acquire`, `Barrier.wait`, `withLock`) throw {@link SyncTimeoutError};
 *   `try...` calls, `Condition.wait` and `Event.wait`, for which a timeout is an ordinary answer,
 *   return false.
 * - Misuse throws {@link SyncMisuseError}: unlocking a mutex you do not hold, a negative
 *   semaphore count or an over-release, a barrier of 0 parties, state outside shared memory.
 * - Robustness: a Mutex whose holder dies (thread exit or termination, process killed) is taken
 *   over by a waiter, which gets {@link OwnerDiedError} holding it; {@link releaseHeldLocks}
 *   releases, flagged, what a finished task left held. A Semaphore created with `holders` gets a
 *   dead holder's permits back. A Barrier breaks ({@link BrokenBarrierError} for every party)
 *   on `abort()`, on a waiter's timeout and, with `watchParties`, when a party died. Dead
 *   threads and processes are told by the addon's liveness tokens; without them nothing is
 *   recovered, as before.
 * - For other processes, create the primitive with `{ placement: 'mapped' }` (a /dev/shm segment
 *   of its own), or in a slice of a mapped segment with `options.memory`; the waits then go
 *   through the futex, which (unlike `Atomics.notify`) wakes across processes.
 */
export {
  BrokenBarrierError,
  OwnerDiedError,
  SemaphoreHoldersFullError,
  SyncError,
  SyncErrorCode,
  SyncMisuseError,
  SyncTimeoutError,
  type OwnerDiedReason,
} from './errors.js';
export { releaseHeldLocks } from './held.js';
export { Mutex } from './mutex.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { MAX_HOLDERS } from './holders.js';
export { Barrier, MAX_PARTIES, type BarrierOptions } from './barrier.js';
export { Condition } from './condition.js';
export { Event } from './event.js';
export { AtomicCounter, AtomicBigCounter } from './counter.js';
export type { CreateOptions, PlacementOptions } from './layout.js';
export { setContendedWaitSink, type ContendedWaitSink, type ContentionStats } from './stats.js';
export { waiterFor, hasNativeWaitAsync, type Waiter, type WaitResult } from './waiter.js';
export { runRace, type RaceMode, type RaceOptions, type RaceResult } from './race.js';
