/**
 * A mutual-exclusion lock in shared memory, usable from the main thread, worker threads and
 * (over a weft mapped segment) other processes.
 *
 * The lock word follows the classic three-state futex design (Drepper, "Futexes Are Tricky"):
 * 0 unlocked, 1 locked, 2 locked and maybe waited on. Lock and unlock cost one atomic each when
 * nobody competes; only a thread that finds the lock taken marks it 2 and sleeps, and only an
 * unlock that sees 2 pays for a wake-up.
 *
 * Robustness (as pthread robust mutexes): the holder also records its liveness token, so a
 * waiter that has slept a while can find the holder dead and take the lock over, flagged
 * inconsistent. That costs the fast path two plain stores and a plain load, no atomics.
 */
import { OwnerDiedError, SyncMisuseError, SyncTimeoutError, type OwnerDiedReason } from './errors.js';
import { abandonIfHeld, describeHeld, listed, noteHeld, noteReleased, type Holdable } from './held.js';
import { describeOwner, selfId } from './identity.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import { LIVENESS_SLICE_MS, liveness, myToken } from './token.js';
import type { Waiter } from './waiter.js';

const BASE = 4;
const STATE = 1; // 0 unlocked, 1 locked, 2 locked with (possible) waiters
// selfId of the holder; while unlocked, 0, or the reason code of an inconsistent mutex (codes are
// below 1024 and selfIds never are, so the two cannot be confused).
const OWNER = 2;
// Bit 31: inconsistent (a holder died or was abandoned; cleared by markConsistent). Bits 0-30:
// the holder's liveness token, 0 while unlocked. Unlock clears the token before it frees STATE,
// so a token seen while STATE is held never belongs to an earlier holder.
const ROBUST = 3;

const INCONSISTENT = 1 << 31;
const TOKEN_MASK = 0x7fffffff;

const REASONS: readonly OwnerDiedReason[] = ['not-repaired', 'owner-died', 'task-ended', 'not-repaired'];
const reasonCode = (r: OwnerDiedReason): number => (r === 'owner-died' ? 1 : r === 'task-ended' ? 2 : 3);

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
 * Robust: if the holder dies holding the lock (its thread exits or is terminated, its process
 * is killed), a waiter takes the lock over within about {@link LIVENESS_SLICE_MS} ms (it looks
 * at the holder between bounded sleeps) and gets {@link OwnerDiedError} **while holding it**;
 * so does a locker after {@link releaseHeldLocks} released a lock a task left held. The mutex
 * stays flagged inconsistent until a holder calls {@link Mutex.markConsistent}: every locker
 * gets the error until then. Needs weft's native addon (liveness tokens); without it a dead
 * holder's lock stays held, as before. `tryLock()` with no timeout never looks at the holder.
 * A holder that dies in the few instructions between taking the lock word and recording its
 * token is not recognised (its token reads 0, "unknown"): rare, and never a false takeover.
 *
 * @example Recovering after a holder died
 * ```ts
 * try {
 *   m.lock();
 * } catch (e) {
 *   if (!(e instanceof OwnerDiedError)) throw e;
 *   rebuildIndex(shared);  // we hold the lock: make the protected data whole again
 *   m.markConsistent();
 * }
 * try { update(shared); } finally { m.unlock(); }
 * ```
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
export class Mutex implements Holdable {
  /** How many times a contended `lock()` re-checks the word before it sleeps. */
  static spinCount = 64;

  /** The shared state: pass it to another thread or process and call `Mutex.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;
  private readonly statsBlock: StatsBlock | null;
  /** This thread's liveness token: an object is only ever used on the thread that made it. */
  private readonly token = myToken();
  /** See held.ts. */
  [listed] = false;

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
    if (!this.take(timeoutMs ?? Infinity, 'Mutex.lock')) throw new SyncTimeoutError('Mutex.lock', timeoutMs ?? Infinity);
  }

  /**
   * Acquires the lock if it is free, or becomes free within `timeoutMs` (default 0: don't wait).
   * Returns whether it was acquired. Throws {@link OwnerDiedError}, holding the lock, when a
   * previous holder died or was abandoned (see the class doc).
   */
  tryLock(timeoutMs = 0): boolean {
    return this.take(timeoutMs, 'Mutex.tryLock');
  }

  private take(timeoutMs: number, op: string): boolean {
    const s = this.state;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
      this.statsBlock?.uncontended();
      return this.own(op);
    }
    if (timeoutMs <= 0) return false;
    this.checkNotMine();
    return this.lockSlow(deadlineAfter(timeoutMs), op);
  }

  private checkNotMine(): void {
    if (this.state[OWNER] === selfId) {
      // Blocking this thread would keep the holder (this thread) from ever unlocking.
      throw new SyncMisuseError('Mutex.lock: this thread already holds the mutex (it is not reentrant); waiting would deadlock');
    }
  }

  /**
   * Records this thread as the holder once STATE is taken; throws OwnerDiedError (holding) if
   * the mutex is flagged. Only the holder writes OWNER and ROBUST's token; STATE's atomics order
   * those plain stores.
   */
  private own(op: string): true {
    const s = this.state;
    const robust = s[ROBUST];
    const reason = s[OWNER];
    s[ROBUST] = (robust & INCONSISTENT) | this.token;
    s[OWNER] = selfId;
    noteHeld(this);
    if (robust < 0) throw new OwnerDiedError(op, REASONS[reason & 3]);
    return true;
  }

  /**
   * Takes the lock over if its recorded holder is dead. One compare-and-swap on ROBUST decides
   * among waiters that all found it dead; STATE stays held throughout, so nobody else can slip in.
   */
  private takeOverFromDead(): boolean {
    const s = this.state;
    const robust = Atomics.load(s, ROBUST);
    const holder = robust & TOKEN_MASK;
    if (holder === 0 || Atomics.load(s, STATE) === UNLOCKED || liveness(holder) !== 'dead') return false;
    if (Atomics.compareExchange(s, ROBUST, robust, INCONSISTENT | this.token) !== robust) return false;
    // A dead holder never unlocks, and waiters only ever write CONTENDED: STATE is ours, and
    // CONTENDED makes our unlock wake the others.
    Atomics.store(s, STATE, CONTENDED);
    s[OWNER] = selfId;
    noteHeld(this);
    return true;
  }

  private lockSlow(deadline: number, op: string): boolean {
    const s = this.state;
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // A short spin catches locks held for a few hundred nanoseconds, which is most of them,
    // without paying for a sleep and a wake-up.
    for (let i = 0; i < Mutex.spinCount; i++) {
      if (Atomics.load(s, STATE) === UNLOCKED && Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
        return this.acquired(start, op);
      }
    }
    // From here on the word says "contended" whenever we might be asleep, so unlock wakes us.
    // Sleeps are sliced so that the holder's liveness is looked at every LIVENESS_SLICE_MS.
    let check = performance.now() + LIVENESS_SLICE_MS;
    while (Atomics.exchange(s, STATE, CONTENDED) !== UNLOCKED) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (now >= check) {
        check = now + LIVENESS_SLICE_MS;
        if (this.takeOverFromDead()) return this.tookOver(start, op);
      }
      this.waiter.wait(s, STATE, CONTENDED, Math.min(left, check - now));
    }
    return this.acquired(start, op);
  }

  private acquired(startNs: bigint, op: string): true {
    this.statsBlock?.contended(startNs);
    return this.own(op);
  }

  private tookOver(startNs: bigint, op: string): never {
    this.statsBlock?.contended(startNs);
    throw new OwnerDiedError(op, 'owner-died');
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
    this.release(reasonCode('not-repaired'));
  }

  /** Frees the lock; if it is flagged, leaves `reason` for the next locker's OwnerDiedError. */
  private release(reason: number): void {
    const s = this.state;
    noteReleased(this);
    if (s[ROBUST] < 0) {
      s[OWNER] = reason;
      s[ROBUST] = INCONSISTENT;
    } else {
      s[OWNER] = 0;
      s[ROBUST] = 0;
    }
    if (Atomics.sub(s, STATE, 1) !== LOCKED) {
      // It was CONTENDED: hand the lock back fully free and wake one sleeper to compete for it.
      Atomics.store(s, STATE, UNLOCKED);
      this.waiter.wake(s, STATE, 1);
    }
  }

  /** Acquires the lock without blocking the event loop; rejects with {@link SyncTimeoutError}. */
  async lockAsync(timeoutMs?: number): Promise<void> {
    if (!(await this.takeAsync(timeoutMs ?? Infinity, 'Mutex.lockAsync'))) {
      throw new SyncTimeoutError('Mutex.lockAsync', timeoutMs ?? Infinity);
    }
  }

  /**
   * Async {@link Mutex.tryLock}: resolves whether the lock was acquired within `timeoutMs`;
   * rejects with {@link OwnerDiedError}, holding the lock, as `tryLock` throws it.
   */
  async tryLockAsync(timeoutMs = 0): Promise<boolean> {
    return this.takeAsync(timeoutMs, 'Mutex.tryLockAsync');
  }

  private async takeAsync(timeoutMs: number, op: string): Promise<boolean> {
    const s = this.state;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
      this.statsBlock?.uncontended();
      return this.own(op);
    }
    if (timeoutMs <= 0) return false;
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // No spinning: the event loop has better things to do than burn a turn.
    let check = performance.now() + LIVENESS_SLICE_MS;
    while (Atomics.exchange(s, STATE, CONTENDED) !== UNLOCKED) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (now >= check) {
        check = now + LIVENESS_SLICE_MS;
        if (this.takeOverFromDead()) return this.tookOver(start, op);
      }
      await this.waiter.waitAsync(s, STATE, CONTENDED, Math.min(left, check - now));
    }
    return this.acquired(start, op);
  }

  /**
   * Runs `fn` holding the lock and releases it however `fn` ends. For a function that returns a
   * promise use {@link Mutex.withLockAsync}: here the lock would be released before it settles,
   * so a thenable result is reported as misuse.
   *
   * If the mutex is inconsistent (a previous holder died or was abandoned), `fn` does not run:
   * the lock is released, still flagged, and the {@link OwnerDiedError} rethrown. Recover with
   * `lock()`, a repair and {@link Mutex.markConsistent} (see the class doc), then use withLock again.
   */
  withLock<T>(fn: () => T, timeoutMs?: number): T {
    try {
      this.lock(timeoutMs);
    } catch (err) {
      throw this.giveBack(err);
    }
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

  /**
   * Runs `fn` (sync or async) holding the lock, acquired without blocking the event loop. On an
   * inconsistent mutex it releases the lock and rejects with {@link OwnerDiedError}, as `withLock`.
   */
  async withLockAsync<T>(fn: () => T | PromiseLike<T>, timeoutMs?: number): Promise<T> {
    try {
      await this.lockAsync(timeoutMs);
    } catch (err) {
      throw this.giveBack(err);
    }
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }

  /** After an OwnerDiedError from a `with...` acquisition: release, keeping the original reason. */
  private giveBack(err: unknown): unknown {
    if (err instanceof OwnerDiedError) this.release(reasonCode(err.reason));
    return err;
  }

  /**
   * Declares the protected data repaired after an {@link OwnerDiedError}: clears the
   * inconsistent flag, so later lockers acquire normally. The caller must hold the lock
   * ({@link SyncMisuseError} otherwise); on a consistent mutex it does nothing.
   */
  markConsistent(): void {
    if (!this.isHeldByCurrentThread()) {
      throw new SyncMisuseError('Mutex.markConsistent: this thread does not hold the mutex; lock it (and repair the data) first');
    }
    Atomics.and(this.state, ROBUST, TOKEN_MASK);
  }

  /** False while the mutex is flagged inconsistent (lockers get {@link OwnerDiedError}). */
  isConsistent(): boolean {
    return Atomics.load(this.state, ROBUST) >= 0;
  }

  /** For {@link releaseHeldLocks}: releases the lock flagged if this thread holds it. */
  [abandonIfHeld](): string | null {
    if (!this.isHeldByCurrentThread()) return null;
    Atomics.or(this.state, ROBUST, INCONSISTENT);
    this.release(reasonCode('task-ended'));
    return describeHeld('Mutex', this.state, this.waiter, this.statsBlock);
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
