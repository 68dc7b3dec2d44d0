/**
 * A counting semaphore in shared memory: at most `count` holders at once, across threads and
 * (over a weft mapped segment) processes.
 */
import { SemaphoreHoldersFullError, SyncMisuseError, SyncTimeoutError } from './errors.js';
import { abandonIfHeld, describeHeld, listed, noteHeld, noteReleased, type Holdable } from './held.js';
import { HolderTable, MAX_HOLDERS } from './holders.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import { LIVENESS_SLICE_MS, myToken } from './token.js';
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
  /**
   * Keep a table of this many holder slots (1 to 4096) recording which thread holds how many
   * permits, so that permits held by a thread that dies (exits, is terminated, its process is
   * killed) come back: a waiter that has waited {@link LIVENESS_SLICE_MS} ms or more looks for
   * dead holders and returns their permits, each exactly once. {@link releaseHeldLocks} also
   * returns the permits a finished task kept. Give one slot per thread that may hold permits at
   * once (at most the permit count); a thread that finds every slot taken by others gets
   * {@link SemaphoreHoldersFullError}, its permit given back. With a table, permits belong to
   * the thread that took them: releasing more than this thread holds is a {@link SyncMisuseError}.
   * Costs a compare-and-swap more per acquire and release; needs the addon's liveness tokens
   * (without them the table is not used). Default: no table (permits have no owner).
   */
  holders?: number;
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
export class Semaphore implements Holdable {
  /** The shared state: pass it to another thread or process and call `Semaphore.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;
  private readonly statsBlock: StatsBlock | null;
  /** The holder table, when created with `holders` and liveness tokens exist here. */
  private readonly table: HolderTable | null;
  private readonly token = myToken();
  /** See held.ts. */
  [listed] = false;

  private constructor(view: Int32Array) {
    const a = attach('Semaphore', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
    this.statsBlock = a.stats;
    this.table = a.ext !== null && this.token > 0 ? new HolderTable(a.ext) : null;
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
    const holders = holdersOption(options.holders);
    const view = allocate('Semaphore', BASE, options, true, holders > 0 ? HolderTable.words(holders) : 0);
    if (holders > 0) HolderTable.initialise(view.subarray(BASE), holders);
    Atomics.store(view, MAX, max);
    Atomics.store(view, COUNT, initial);
    return new Semaphore(view);
  }

  /** Attaches to a semaphore created elsewhere, from its {@link Semaphore.state}. */
  static from(state: Int32Array): Semaphore {
    return new Semaphore(state);
  }

  /** Bytes of memory a semaphore needs, for placing one with `options.memory`. */
  static byteLength(options: { stats?: boolean; holders?: number } = {}): number {
    const holders = holdersOption(options.holders);
    return wordsFor(BASE, options.stats === true, holders > 0 ? HolderTable.words(holders) : 0) * 4;
  }

  /** Permits the calling thread holds, as the holder table says (0 without a table). */
  heldByCurrentThread(): number {
    return this.table?.countOf(this.token) ?? 0;
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

  /** Decrements COUNT if positive, and records the permit in the holder table. */
  private take(): boolean {
    if (!this.takePermit()) return false;
    if (this.table === null) return true;
    if (!this.table.add(this.token, 1)) {
      this.addPermits(1);
      throw new SemaphoreHoldersFullError('Semaphore.acquire', this.table.size);
    }
    noteHeld(this);
    return true;
  }

  /** The wait for a permit, for either driver: true once one is taken, false at the deadline. */
  private *waitForPermit(timeoutMs: number): WaitLoop<boolean> {
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    const s = this.state;
    let check = performance.now() + LIVENESS_SLICE_MS;
    for (;;) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (this.table !== null && now >= check) {
        check = now + LIVENESS_SLICE_MS;
        const reclaimed = this.table.reclaimDead(this.token);
        if (reclaimed > 0) this.addPermits(reclaimed);
      }
      // WAITERS goes up before the last look at COUNT, so a release that we miss sees it.
      Atomics.add(s, WAITERS, 1);
      try {
        // Sliced only with a table, whose dead holders are looked for between slices.
        yield { index: COUNT, expected: 0, timeoutMs: this.table === null ? left : Math.min(left, check - now) };
      } finally {
        Atomics.sub(s, WAITERS, 1);
      }
      if (this.take()) {
        this.statsBlock?.contended(start);
        return true;
      }
    }
  }

  /**
   * Returns `n` permits (default 1); more than `max` in total is a {@link SyncMisuseError}, and
   * so, with a holder table, is releasing more than this thread holds.
   */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new SyncMisuseError(`Semaphore.release: n must be an integer >= 1, got ${n}`);
    if (this.table !== null) {
      const left = this.table.sub(this.token, n);
      if (left < 0) {
        throw new SyncMisuseError(
          `Semaphore.release: this thread holds ${this.table.countOf(this.token)} permit(s), cannot release ${n} (with holders, permits belong to the thread that took them)`,
        );
      }
      if (left === 0) noteReleased(this);
    }
    this.addPermits(n);
  }

  /** For {@link releaseHeldLocks}: gives back the permits this thread still holds. */
  [abandonIfHeld](): string | null {
    const n = this.table?.takeAll(this.token) ?? 0;
    if (n === 0) return null;
    this.addPermits(n);
    return `${describeHeld('Semaphore', this.state, this.waiter, this.statsBlock)}: ${n} permit(s)`;
  }

  /** Adds `n` permits to COUNT (at most up to max) and wakes as many waiters. */
  private addPermits(n: number): void {
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
  private takePermit(): boolean {
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

function holdersOption(holders: number | undefined): number {
  if (holders === undefined) return 0;
  if (!Number.isInteger(holders) || holders < 1 || holders > MAX_HOLDERS) {
    throw new SyncMisuseError(`Semaphore: holders must be an integer in [1, ${MAX_HOLDERS}], got ${holders}`);
  }
  return holders;
}
