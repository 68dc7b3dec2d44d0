/**
 * A mutual-exclusion lock in shared memory, usable from the main thread, worker threads and
 * (over a weft mapped segment) other processes.
 *
 * The lock word follows the futex design (Drepper, "Futexes Are Tricky"), with the holder named
 * in the word itself, as Linux robust futexes do with the TID: 0 unlocked, otherwise the
 * holder's id, with bit 31 set when it may be waited on. Lock and unlock cost one atomic each
 * when nobody competes; only a thread that finds the lock taken sets bit 31 and sleeps, and only
 * an unlock that sees it pays for a wake-up.
 *
 * Robustness (as pthread robust mutexes): the holder's id is its liveness token, so a waiter
 * that has slept a while can find the holder dead and take the lock over, flagged inconsistent.
 * Taking the word and naming the holder are one atomic, so there is no moment, whatever stops
 * a thread, where the lock is held by nobody known.
 */
import { OwnerDiedError, SyncMisuseError, SyncTimeoutError, type OwnerDiedReason } from './errors.js';
import { abandonIfHeld, describeHeld, memBuffer, memOffset, noteHeld, noteReleased, type Holdable } from './held.js';
import { describeOwner, selfId } from './identity.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import { LIVENESS_SLICE_MS, liveness, myToken } from './token.js';
import type { Waiter } from './waiter.js';

const BASE = 4;
// 0 unlocked; else bits 0-30 the holder's id (its liveness token, or NO_TOKEN for a thread
// without one) and bit 31 WAITED when a thread may sleep on the word.
const STATE = 1;
// selfId of the holder; while unlocked, 0, or the reason code of an inconsistent mutex (codes are
// below 1024 and selfIds never are, so the two cannot be confused).
const OWNER = 2;
// Bit 31: inconsistent (a holder died or was abandoned; cleared by markConsistent). Written only
// by the holder.
const ROBUST = 3;

const INCONSISTENT = 1 << 31;
const WAITED = 1 << 31;
const ID_MASK = 0x7fffffff;
// The id of a holder without a liveness token. Tokens are generation << 16 | slot with the
// generation at least 1 (native/src/liveness.c), so no token is below 0x10000: such an id is
// never checked for liveness, and a lock it holds is never taken over.
const NO_TOKEN = 1;
const FIRST_TOKEN = 0x10000;

const REASONS: readonly OwnerDiedReason[] = ['not-repaired', 'owner-died', 'task-ended', 'not-repaired'];
const reasonCode = (r: OwnerDiedReason): number => (r === 'owner-died' ? 1 : r === 'task-ended' ? 2 : 3);

const UNLOCKED = 0;

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
 * The holder's token is in the lock word itself: the compare-and-swap that takes the lock names
 * the holder, and unlock's atomic that frees it is its last step, so a holder stopped anywhere
 * (`worker.terminate()`, which V8 delivers at function entries, loop back-edges and calls to
 * builtins such as `Atomics.*`; or SIGKILL) is always found. A holder without a token (a
 * process without the addon) is never taken over, however long it holds the lock: a waiter
 * cannot tell whether it lives.
 *
 * Ownership (`unlock`, `isHeldByCurrentThread`, `markConsistent`, the not-reentrant check) is
 * decided by the token in the lock word when this thread has one, which no other live thread of
 * the machine shares; only without tokens does it fall back to the thread's pid-based id (see
 * identity.ts), which can collide across PID namespaces.
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
  /** What this thread writes into STATE: its token, or NO_TOKEN without one. */
  private readonly id = this.token !== 0 ? this.token : NO_TOKEN;

  /** See held.ts. */
  readonly [memBuffer]: ArrayBufferLike;
  readonly [memOffset]: number;

  private constructor(view: Int32Array) {
    const a = attach('Mutex', BASE, view);
    this.state = a.view;
    this[memBuffer] = a.view.buffer;
    this[memOffset] = a.view.byteOffset;
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

  // Termination windows: worker.terminate() can stop a thread at the entry of any call,
  // including each Atomics builtin, but not between plain statements. So each acquisition's
  // compare-and-swap puts this thread's id into STATE (no window at all), and what follows it
  // (OWNER, the flag check) are plain loads and stores; and release's freeing atomic is its last
  // step, so a thread stopped at its entry still holds the lock under its own, dead, id.

  private take(timeoutMs: number, op: string): boolean {
    const s = this.state;
    const id = this.id;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, id) === UNLOCKED) {
      this.statsBlock?.uncontended();
      return this.owned(op);
    }
    if (timeoutMs <= 0) return false;
    this.checkNotMine();
    return this.lockSlow(deadlineAfter(timeoutMs), op);
  }

  /** Whether this thread holds the lock: by the token in STATE when this thread has one. */
  private mine(): boolean {
    const s = this.state;
    const held = Atomics.load(s, STATE) & ID_MASK;
    return this.token !== 0 ? held === this.token : held !== UNLOCKED && s[OWNER] === selfId;
  }

  private checkNotMine(): void {
    if (this.mine()) {
      // Blocking this thread would keep the holder (this thread) from ever unlocking.
      throw new SyncMisuseError('Mutex.lock: this thread already holds the mutex (it is not reentrant); waiting would deadlock');
    }
  }

  /**
   * Records this thread in OWNER once STATE names it, lists the lock as held, and throws
   * OwnerDiedError (holding) if the mutex is flagged. Only the holder writes OWNER and ROBUST;
   * STATE's atomics order those plain accesses.
   */
  private owned(op: string): true {
    const s = this.state;
    const flagged = s[ROBUST] < 0;
    const reason = s[OWNER];
    s[OWNER] = selfId;
    noteHeld(this);
    if (flagged) throw new OwnerDiedError(op, REASONS[reason & 3]);
    return true;
  }

  /**
   * Takes the lock over if `seen` (a value of STATE) names a holder that is dead: one
   * compare-and-swap replaces the dead holder's id by ours, so among waiters that all found it
   * dead exactly one wins, and a holder that unlocked or changed in the meantime is never
   * taken from. Then flags the mutex (plain stores: we hold it).
   */
  private takeOverFromDead(seen: number): boolean {
    const s = this.state;
    const holder = seen & ID_MASK;
    if (holder < FIRST_TOKEN || liveness(holder) !== 'dead') return false;
    // WAITED stays set: others may sleep on the word, and our unlock must wake them.
    if (Atomics.compareExchange(s, STATE, seen, this.id | WAITED) !== seen) return false;
    s[ROBUST] = INCONSISTENT;
    s[OWNER] = selfId;
    noteHeld(this);
    return true;
  }

  private lockSlow(deadline: number, op: string): boolean {
    const s = this.state;
    const id = this.id;
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // A short spin catches locks held for a few hundred nanoseconds, which is most of them,
    // without paying for a sleep and a wake-up.
    for (let i = 0; i < Mutex.spinCount; i++) {
      if (Atomics.load(s, STATE) === UNLOCKED && Atomics.compareExchange(s, STATE, UNLOCKED, id) === UNLOCKED) {
        return this.acquired(start, op);
      }
    }
    // From here on the word has WAITED set whenever we might be asleep, so unlock wakes us; and
    // we take the lock with WAITED set, since others may still sleep. Sleeps are sliced so that
    // the holder's liveness is looked at every LIVENESS_SLICE_MS.
    let check = performance.now() + LIVENESS_SLICE_MS;
    for (;;) {
      const seen = this.markWaited(id);
      if (seen === UNLOCKED) return this.acquired(start, op);
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (now >= check) {
        check = now + LIVENESS_SLICE_MS;
        if (this.takeOverFromDead(seen)) return this.tookOver(start, op);
      }
      this.waiter.wait(s, STATE, seen, Math.min(left, check - now));
    }
  }

  /**
   * One step of a waiter: takes the lock (with WAITED) if it is free and returns UNLOCKED, or
   * makes sure the word has WAITED set and returns its value, to sleep on.
   */
  private markWaited(id: number): number {
    const s = this.state;
    for (;;) {
      const v = Atomics.load(s, STATE);
      if (v === UNLOCKED) {
        if (Atomics.compareExchange(s, STATE, UNLOCKED, id | WAITED) === UNLOCKED) return UNLOCKED;
      } else if ((v & WAITED) !== 0 || Atomics.compareExchange(s, STATE, v, v | WAITED) === v) {
        return v | WAITED;
      }
    }
  }

  private acquired(startNs: bigint, op: string): true {
    this.statsBlock?.contended(startNs);
    return this.owned(op);
  }

  private tookOver(startNs: bigint, op: string): never {
    this.statsBlock?.contended(startNs);
    throw new OwnerDiedError(op, 'owner-died');
  }

  /** Releases the lock; throws {@link SyncMisuseError} if this thread does not hold it. */
  unlock(): void {
    const s = this.state;
    if (!this.mine()) {
      const owner = s[OWNER];
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
    s[OWNER] = s[ROBUST] < 0 ? reason : 0;
    // The freeing atomic is the last step: stopped before it, the lock is still ours by name.
    const id = this.id;
    if (Atomics.compareExchange(s, STATE, id, UNLOCKED) !== id) {
      // WAITED was set: hand the lock back fully free and wake one sleeper to compete for it.
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
    const id = this.id;
    if (Atomics.compareExchange(s, STATE, UNLOCKED, id) === UNLOCKED) {
      this.statsBlock?.uncontended();
      return this.owned(op);
    }
    if (timeoutMs <= 0) return false;
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    // No spinning: the event loop has better things to do than burn a turn.
    let check = performance.now() + LIVENESS_SLICE_MS;
    for (;;) {
      const seen = this.markWaited(id);
      if (seen === UNLOCKED) return this.acquired(start, op);
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (now >= check) {
        check = now + LIVENESS_SLICE_MS;
        if (this.takeOverFromDead(seen)) return this.tookOver(start, op);
      }
      await this.waiter.waitAsync(s, STATE, seen, Math.min(left, check - now));
    }
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
    Atomics.store(this.state, ROBUST, 0);
  }

  /** False while the mutex is flagged inconsistent (lockers get {@link OwnerDiedError}). */
  isConsistent(): boolean {
    return Atomics.load(this.state, ROBUST) >= 0;
  }

  /** For {@link releaseHeldLocks}: releases the lock flagged if this thread holds it. */
  [abandonIfHeld](): string | null {
    if (!this.isHeldByCurrentThread()) return null;
    this.state[ROBUST] = INCONSISTENT;
    this.release(reasonCode('task-ended'));
    return describeHeld('Mutex', this.state, this.waiter, this.statsBlock);
  }

  /** Whether some thread holds the lock (a snapshot: it may change right after). */
  isLocked(): boolean {
    return Atomics.load(this.state, STATE) !== UNLOCKED;
  }

  /** Whether the calling thread holds the lock. */
  isHeldByCurrentThread(): boolean {
    return this.mine();
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
