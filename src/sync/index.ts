/**
 * weft's synchronisation primitives: all state in shared memory (a SharedArrayBuffer, or a weft
 * /dev/shm mapping to share with other processes), so each works from the main thread, worker
 * threads and worker processes alike. Create one, pass its `.state` to a task as an ordinary
 * argument, and re-attach there with `X.from(state)`.
 */
export { SyncError, SyncMisuseError, SyncTimeoutError } from './errors.js';
export { Mutex } from './mutex.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { Barrier, MAX_PARTIES } from './barrier.js';
export { Condition } from './condition.js';
export { Event } from './event.js';
export { AtomicCounter, AtomicBigCounter } from './counter.js';
export type { CreateOptions } from './layout.js';
export type { ContentionStats } from './stats.js';
export { waiterFor, hasNativeWaitAsync, type Waiter, type WaitResult } from './waiter.js';
export { runRace, type RaceMode, type RaceOptions, type RaceResult } from './race.js';
