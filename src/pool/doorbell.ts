/**
 * A few shared counters between a pool and one worker, so a worker that polls for work while idle (see
 * `IDLE_POLL_MS` in worker/runtime.ts) learns at once that a batch was sent, and can tell when its polling is
 * in the way. Thread workers share them in a SharedArrayBuffer; process workers in a slot of a mapped
 * /dev/shm segment of the parent's (see {@link ProcessDoorbells}).
 *
 * Why: on a small machine the scheduler likes to wake the pool's thread on the CPU of the worker that just
 * replied to it. A worker that keeps polling there holds the pool's thread off until it stops, which turns a
 * round trip of a few microseconds into hundreds. So when the pool has not handled the worker's last results
 * shortly after they were sent, the worker sleeps on the doorbell instead (a futex wait, which frees the CPU),
 * and the pool rings it with every batch it sends.
 */

import { availableParallelism } from 'node:os';

const RUNG = 0; // batches the pool has sent (rung after each)
const SENT = 1; // results messages the worker has posted
const HANDLED = 2; // results messages the pool has handled
const BUSY = 3; // 1 while this worker counts itself in the active workers
/** The words of one doorbell. */
export const WORDS = 4;

/**
 * Thread workers of this process that are running or polling, over all pools: a worker polls only while that
 * count, plus the pool's own thread, fits in the machine's cores, so polling never takes a CPU that the pool's
 * thread or a busy worker needs (e.g. while the pool copies large arguments to every worker).
 */
const ACTIVE_WORKERS = new Int32Array(new SharedArrayBuffer(4));

export class Doorbell {
  readonly view: Int32Array;
  readonly active: Int32Array;
  /** Whether the worker can sleep on the bell (threads: Atomics.wait does not reach across processes). */
  readonly canSleep: boolean;
  private readonly cores = availableParallelism();

  constructor(view: Int32Array = new Int32Array(new SharedArrayBuffer(WORDS * 4)), active: Int32Array = ACTIVE_WORKERS, canSleep = true) {
    this.view = view;
    this.active = active;
    this.canSleep = canSleep;
  }

  // ---- the pool's side ----

  /** A batch was posted to the worker: wake it if it sleeps on the bell. */
  ring(): void {
    Atomics.add(this.view, RUNG, 1);
    Atomics.notify(this.view, RUNG, 1);
  }

  /** A results message from the worker was handled. */
  handled(): void {
    Atomics.add(this.view, HANDLED, 1);
  }

  /** The worker exited: if it died counted as active (terminated mid-task), it no longer is. */
  exited(): void {
    if (Atomics.exchange(this.view, BUSY, 0) === 1) Atomics.sub(this.active, 0, 1);
  }

  // ---- the worker's side ----

  /** This worker started (or stopped) running or polling. */
  busy(on: boolean): void {
    // In this order, a worker that dies between the two steps leaves the count too high by one at worst.
    if (on) {
      Atomics.add(this.active, 0, 1);
      Atomics.store(this.view, BUSY, 1);
    } else {
      Atomics.store(this.view, BUSY, 0);
      Atomics.sub(this.active, 0, 1);
    }
  }

  /** Whether polling leaves a core for the pool's thread and every other busy worker (this one is counted). */
  roomToPoll(): boolean {
    return Atomics.load(this.active, 0) + 1 <= this.cores;
  }

  /** A results message was posted to the pool. */
  sent(): void {
    Atomics.add(this.view, SENT, 1);
  }

  /** The bell's count now: read it before looking for work, and pass it to {@link Doorbell.sleep}. */
  rings(): number {
    return Atomics.load(this.view, RUNG);
  }

  /** Whether results the worker posted still wait for the pool. */
  poolBehind(): boolean {
    return Atomics.load(this.view, SENT) !== Atomics.load(this.view, HANDLED);
  }

  /** Sleeps until the bell rings after `seen` (returns at once if it already has) or `ms` pass. */
  sleep(seen: number, ms: number): void {
    Atomics.wait(this.view, RUNG, seen, ms);
  }
}

/** Thread workers of this process counted as active now (for tests and diagnostics). */
export function activeThreadWorkers(): number {
  return Atomics.load(ACTIVE_WORKERS, 0);
}
