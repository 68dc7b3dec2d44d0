/**
 * A mutual-exclusion lock in shared memory, usable from the main thread, worker threads and
 * (over a weft mapped segment) other processes.
 *
 * The lock word follows the classic three-state futex design (Drepper, "Futexes Are Tricky"):
 * 0 unlocked, 1 locked, 2 locked and maybe waited on. Lock and unlock cost one atomic each when
 * nobody competes; only a thread that finds the lock taken marks it 2 and sleeps, and only an
 * unlock that sees 2 pays for a wake-up.
 */
import { SyncMisuseError, SyncTimeoutError } from './errors.js';
import { describeOwner, selfId } from './identity.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import type { Waiter } from './waiter.js';

const BASE = 4;
const STATE = 1; // 0 unlocked, 1 locked, 2 locked with (possible) waiters
const OWNER = 2; // selfId of the holder, 0 when free

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;

/**
 * Mutex over an Int32Array of shared memory.
 *
 * Not reentrant: locking it again from the thread that holds it is a deadlock, reported as a
 * {@link SyncMisuseError} by the synchronous forms. Ownership is per thread: `unlock()` from a
 * thread that does not hold it throws. On one thread, async code sharing the lock through
 * `lockAsync` is excluded properly, but every async function on that thread counts as the owner.
 *
 * `lock()` blocks the calling thread. That is what workers should do; on the main thread it
 * freezes the event loop (timers, I/O, messages) until the lock is free, which Node allows but
 * rarely wants: use `lockAsync()` / `withLockAsync()` there.
 *
 * Timeouts: `lock(ms)` and `withLock(fn, ms)` throw {@link SyncTimeoutError}, since the code after
 * them assumes the lock is held; `tryLock(ms)` returns false.
 *
 * @example
 * ```ts
 * const m = Mutex.create();
 * const counter = new Int32Array(new SharedArrayBuffer(4));
 * worker.postMessage({ lock: m.state, counter });
 * // in the worker:
 * const lock = Mutex.from(data.lock);
 * lock.withLock(() => { data.counter[0] = data.counter[0] + 1; });
 * ```
 */
export class Mutex {
  /** How many times a contended `lock()` re-checks the word before it sleeps. */
  static spinCount = 64;

  /** The shared state: pass it to another thread or process and call `Mutex.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;
  private readonly statsBlock: StatsBlock | null;

  private constructor(view: Int32Array) {
    const a = attach('Mutex', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
    this.statsBlock = a.stats;
  }

  /**
   * Creates an unlocked mutex in new shared memory, or in `options.memory`. With
   * `{ placement: 'mapped' }` it lives in a /dev/shm segment of its own, so process workers that
   * are given its `.state` lock the same mutex:
   *
   * ```ts
   * const lock = Mutex.create({ placement: 'mapped' });
   * await pool.call.addMany(counter, lock.state, 1000); // process task: Mutex.from(state).withLock(...)
   * ```
   */
  static create(options: CreateOptions = {}): Mutex {
    return new Mutex(allocate('Mutex', BASE, options, true));
  }

  /** Attaches to a mutex created elsewhere, from its {@link Mutex.state}. */
  static from(state: Int32Array): Mutex {
    return new Mutex(state);
  }

  /** Bytes of memory a mutex needs, for placing one in a segment with `options.memory`. */
  static byteLength(options: { stats?: boolean } = {}): number {
    return wordsFor(BASE, options.stats === true) * 4;
  }

  /** Acquires the lock, blocking the thread; throws {@link SyncTimeoutError} after `timeoutMs`. */
  lock(timeoutMs?: number): void {
    if (!this.tryLock(timeoutMs ?? Infinity)) throw new SyncTimeoutError('Mutex.lock', timeoutMs ?? Infinity);
  }

  /**
   * Acquires the lock if it is free, or becomes free within `timeoutMs` (default 0: don't wait).
   * Returns whether it was acquired.
   */
  tryLock(timeoutMs = 0): boolean {
    const s = this.state;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
      s[OWNER] = selfId; // only the holder writes OWNER; the lock word's atomics order it
      this.statsBlock?.uncontended();
      return true;
    }
    if (timeoutMs <= 0) return false;
    if (s[OWNER] === selfId) {
      // Blocking this thread would keep the holder (this thread) from ever unlocking.
      throw new SyncMisuseError('Mutex.lock: this thread already holds the mutex (it is not reentrant); waiting would deadlock');
    }
    return this.lockSlow(deadlineAfter(timeoutMs));
  }

  private lockSlow(deadline: number): boolean {
    const s = this.state;
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // A short spin catches locks held for a few hundred nanoseconds, which is most of them,
    // without paying for a sleep and a wake-up.
    for (let i = 0; i < Mutex.spinCount; i++) {
      if (Atomics.load(s, STATE) === UNLOCKED && Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
        return this.acquired(start);
      }
    }
    // From here on the word says "contended" whenever we might be asleep, so unlock wakes us.
    while (Atomics.exchange(s, STATE, CONTENDED) !== UNLOCKED) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      this.waiter.wait(s, STATE, CONTENDED, left);
    }
    return this.acquired(start);
  }

  private acquired(startNs: bigint): true {
    this.state[OWNER] = selfId;
    this.statsBlock?.contended(startNs);
    return true;
  }

  /** Releases the lock; throws {@link SyncMisuseError} if this thread does not hold it. */
  unlock(): void {
    const s = this.state;
    const owner = s[OWNER];
    if (owner !== selfId || Atomics.load(s, STATE) === UNLOCKED) {
      throw new SyncMisuseError(
        Atomics.load(s, STATE) === UNLOCKED
          ? 'Mutex.unlock: the mutex is not locked'
          : `Mutex.unlock: the mutex is held by ${describeOwner(owner)}, not by this thread`,
      );
    }
    s[OWNER] = 0;
    if (Atomics.sub(s, STATE, 1) !== LOCKED) {
      // It was CONTENDED: hand the lock back fully free and wake one sleeper to compete for it.
      Atomics.store(s, STATE, UNLOCKED);
      this.waiter.wake(s, STATE, 1);
    }
  }

  /** Acquires the lock without blocking the event loop; rejects with {@link SyncTimeoutError}. */
  async lockAsync(timeoutMs?: number): Promise<void> {
    if (!(await this.tryLockAsync(timeoutMs ?? Infinity))) throw new SyncTimeoutError('Mutex.lockAsync', timeoutMs ?? Infinity);
  }

  /** Async {@link Mutex.tryLock}: resolves whether the lock was acquired within `timeoutMs`. */
  async tryLockAsync(timeoutMs = 0): Promise<boolean> {
    const s = this.state;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
      s[OWNER] = selfId;
      this.statsBlock?.uncontended();
      return true;
    }
    if (timeoutMs <= 0) return false;
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // No spinning: the event loop has better things to do than burn a turn.
    while (Atomics.exchange(s, STATE, CONTENDED) !== UNLOCKED) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      await this.waiter.waitAsync(s, STATE, CONTENDED, left);
    }
    return this.acquired(start);
  }

  /**
   * Runs `fn` holding the lock and releases it however `fn` ends. For a function that returns a
   * promise use {@link Mutex.withLockAsync}: here the lock would be released before it settles,
   * so a thenable result is reported as misuse.
   */
  withLock<T>(fn: () => T, timeoutMs?: number): T {
    this.lock(timeoutMs);
    let result: T;
    try {
      result = fn();
    } finally {
      this.unlock();
    }
    if (isThenable(result)) {
      result.then(undefined, () => {}); // its rejection is reported by the throw below
      throw new SyncMisuseError('Mutex.withLock: fn returned a promise, which ran partly unlocked; use withLockAsync');
    }
    return result;
  }

  /** Runs `fn` (sync or async) holding the lock, acquired without blocking the event loop. */
  async withLockAsync<T>(fn: () => T | PromiseLike<T>, timeoutMs?: number): Promise<T> {
    await this.lockAsync(timeoutMs);
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }

  /** Whether some thread holds the lock (a snapshot: it may change right after). */
  isLocked(): boolean {
    return Atomics.load(this.state, STATE) !== UNLOCKED;
  }

  /** Whether the calling thread holds the lock. */
  isHeldByCurrentThread(): boolean {
    return this.state[OWNER] === selfId && Atomics.load(this.state, STATE) !== UNLOCKED;
  }

  /** Contention statistics, or null if the mutex was created without `stats: true`. */
  stats(): ContentionStats | null {
    return this.statsBlock?.read() ?? null;
  }

  /** Zeroes the statistics (no-op without stats). */
  resetStats(): void {
    this.statsBlock?.reset();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
