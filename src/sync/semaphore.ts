/**
 * A counting semaphore in shared memory: at most `count` holders at once, across threads and
 * (over a weft mapped segment) processes.
 */
import { SyncMisuseError, SyncTimeoutError } from './errors.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import { runWaitLoop, runWaitLoopAsync, type WaitLoop, type Waiter } from './waiter.js';

const BASE = 4;
const COUNT = 1; // permits available
const WAITERS = 2; // threads asleep (or about to be) on COUNT; lets release skip the wake call
const MAX = 3; // release may not raise COUNT above this

const NO_MAX = 0x7fffffff;

/** Options of {@link Semaphore.create}. */
export interface SemaphoreOptions extends CreateOptions {
  /**
   * Most permits the semaphore may hold; a `release` beyond it is a {@link SyncMisuseError}
   * (it means some code released what it never acquired). Default: no bound (2^31 - 1).
   */
  max?: number;
}

/**
 * Counting semaphore. `acquire` takes one permit, waiting while there is none; `release` returns
 * permits. Permits have no owner: any thread may release.
 *
 * `acquire()` blocks the calling thread (right for workers; on the main thread it freezes the
 * event loop: use `acquireAsync()` there). `acquire(ms)` throws {@link SyncTimeoutError};
 * `tryAcquire(ms)` returns false.
 *
 * @example
 * ```ts
 * const slots = Semaphore.create(2);            // at most 2 at once
 * // in each worker, given slots.state:
 * const s = Semaphore.from(state);
 * s.acquire();
 * try { useTheScarceThing(); } finally { s.release(); }
 * ```
 */
export class Semaphore {
  /** The shared state: pass it to another thread or process and call `Semaphore.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;
  private readonly statsBlock: StatsBlock | null;

  private constructor(view: Int32Array) {
    const a = attach('Semaphore', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
    this.statsBlock = a.stats;
  }

  /**
   * Creates a semaphore holding `initial` permits (0 or more), in new shared memory, in
   * `options.memory`, or with `{ placement: 'mapped' }` in a /dev/shm segment of its own that
   * process workers given its `.state` share.
   */
  static create(initial: number, options: SemaphoreOptions = {}): Semaphore {
    const max = options.max ?? NO_MAX;
    if (!Number.isInteger(initial) || initial < 0) {
      throw new SyncMisuseError(`Semaphore.create: initial count must be an integer >= 0, got ${initial}`);
    }
    if (!Number.isInteger(max) || max < 1 || max > NO_MAX) {
      throw new SyncMisuseError(`Semaphore.create: max must be an integer in [1, 2^31 - 1], got ${max}`);
    }
    if (initial > max) throw new SyncMisuseError(`Semaphore.create: initial count ${initial} exceeds max ${max}`);
    const view = allocate('Semaphore', BASE, options, true);
    Atomics.store(view, MAX, max);
    Atomics.store(view, COUNT, initial);
    return new Semaphore(view);
  }

  /** Attaches to a semaphore created elsewhere, from its {@link Semaphore.state}. */
  static from(state: Int32Array): Semaphore {
    return new Semaphore(state);
  }

  /** Bytes of memory a semaphore needs, for placing one with `options.memory`. */
  static byteLength(options: { stats?: boolean } = {}): number {
    return wordsFor(BASE, options.stats === true) * 4;
  }

  /** Permits available now (a snapshot). */
  get value(): number {
    return Atomics.load(this.state, COUNT);
  }

  /** The bound set at creation. */
  get max(): number {
    return Atomics.load(this.state, MAX);
  }

  /** Takes a permit, blocking the thread; throws {@link SyncTimeoutError} after `timeoutMs`. */
  acquire(timeoutMs?: number): void {
    if (!this.tryAcquire(timeoutMs ?? Infinity)) throw new SyncTimeoutError('Semaphore.acquire', timeoutMs ?? Infinity);
  }

  /** Takes a permit if one is (or becomes, within `timeoutMs`, default 0) available. */
  tryAcquire(timeoutMs = 0): boolean {
    if (this.takeNow()) return true;
    if (timeoutMs <= 0) return false;
    return runWaitLoop(this.waiter, this.state, this.waitForPermit(timeoutMs));
  }

  /** Takes a permit without blocking the event loop; rejects with {@link SyncTimeoutError}. */
  async acquireAsync(timeoutMs?: number): Promise<void> {
    if (!(await this.tryAcquireAsync(timeoutMs ?? Infinity))) {
      throw new SyncTimeoutError('Semaphore.acquireAsync', timeoutMs ?? Infinity);
    }
  }

  /** Async {@link Semaphore.tryAcquire}. */
  async tryAcquireAsync(timeoutMs = 0): Promise<boolean> {
    if (this.takeNow()) return true;
    if (timeoutMs <= 0) return false;
    return runWaitLoopAsync(this.waiter, this.state, this.waitForPermit(timeoutMs));
  }

  /** The fast path: a permit taken without waiting, counted as uncontended. */
  private takeNow(): boolean {
    if (!this.take()) return false;
    this.statsBlock?.uncontended();
    return true;
  }

  /** The wait for a permit, for either driver: true once one is taken, false at the deadline. */
  private *waitForPermit(timeoutMs: number): WaitLoop<boolean> {
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    const s = this.state;
    for (;;) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      // WAITERS goes up before the last look at COUNT, so a release that we miss sees it.
      Atomics.add(s, WAITERS, 1);
      try {
        yield { index: COUNT, expected: 0, timeoutMs: left };
      } finally {
        Atomics.sub(s, WAITERS, 1);
      }
      if (this.take()) {
        this.statsBlock?.contended(start);
        return true;
      }
    }
  }

  /** Returns `n` permits (default 1); more than `max` in total is a {@link SyncMisuseError}. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new SyncMisuseError(`Semaphore.release: n must be an integer >= 1, got ${n}`);
    const s = this.state;
    const max = Atomics.load(s, MAX);
    let c = Atomics.load(s, COUNT);
    for (;;) {
      if (c + n > max) {
        throw new SyncMisuseError(`Semaphore.release: ${n} more permit(s) would exceed the maximum of ${max} (count is ${c}); released more than acquired?`);
      }
      const seen = Atomics.compareExchange(s, COUNT, c, c + n);
      if (seen === c) break;
      c = seen;
    }
    if (Atomics.load(s, WAITERS) > 0) this.waiter.wake(s, COUNT, n);
  }

  /** Decrements COUNT if positive. */
  private take(): boolean {
    const s = this.state;
    let c = Atomics.load(s, COUNT);
    while (c > 0) {
      const seen = Atomics.compareExchange(s, COUNT, c, c - 1);
      if (seen === c) return true;
      c = seen;
    }
    return false;
  }

  /** Contention statistics, or null if created without `stats: true`. */
  stats(): ContentionStats | null {
    return this.statsBlock?.read() ?? null;
  }

  /** Zeroes the statistics (no-op without stats). */
  resetStats(): void {
    this.statsBlock?.reset();
  }
}
