/**
 * A counting semaphore in shared memory: at most `count` holders at once, across threads and
 * (over a weft mapped segment) processes.
 */
import { SemaphoreHoldersFullError, SyncMisuseError, SyncTimeoutError } from './errors.js';
import { abandonIfHeld, describeHeld, memBuffer, memOffset, noteHeld, noteReleased, type Holdable } from './held.js';
import { HolderTable, MAX_HOLDERS } from './holders.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { ContentionStats, StatsBlock } from './stats.js';
import { deadlineAfter, timeLeft } from './time.js';
import { LIVENESS_SLICE_MS, myToken } from './token.js';

/**
 * How long (ms) a free permit must stay out of reach for want of a table slot before that is
 * {@link SemaphoreHoldersFullError}: a releaser frees its slot right after it returns its permit,
 * so a full table seen once may be passing; one seen this long is too small.
 */
const FULL_GRACE_MS = 20;
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
   * once (at most the permit count); a waiting thread that finds every slot taken by holders
   * while a permit is available, for 20 ms on end, gets {@link SemaphoreHoldersFullError} (no
   * permit is taken; `tryAcquire()` without a timeout just returns false). With a
   * table, permits belong to the thread that took them: releasing more than this thread holds
   * is a {@link SyncMisuseError}.
   *
   * A thread that is terminated (`worker.terminate()`) at any moment never loses nor creates a
   * permit. V8 delivers termination at function entries, loop back-edges and calls to builtins
   * (each `Atomics.*` call among them), never between plain statements: so the slot is claimed
   * before a permit is taken, and the one atomic that moves a permit (taking it from, or
   * returning it to, the count) is followed by a plain store to the slot's count. A process
   * SIGKILLed between those two instructions either loses the permit it was taking (taken, not
   * yet recorded) or makes one (returned, still recorded, so given back again when its death is
   * found); with `max` no higher than the initial count the latter is capped there.
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
  /** Set by {@link Semaphore.take} when it found a permit free but every slot of the table held by a holder. */
  private tableFull = false;

  /** See held.ts. */
  readonly [memBuffer]: ArrayBufferLike;
  readonly [memOffset]: number;

  private constructor(view: Int32Array) {
    const a = attach('Semaphore', BASE, view);
    this.state = a.view;
    this[memBuffer] = a.view.buffer;
    this[memOffset] = a.view.byteOffset;
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
    const view = allocate('Semaphore', BASE, options, true, holders > 0 ? HolderTable.words(holders) : 0, (v) => {
      if (holders > 0) HolderTable.initialise(v.subarray(BASE), holders);
      Atomics.store(v, MAX, max);
      Atomics.store(v, COUNT, initial);
    });
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

  /**
   * Decrements COUNT if positive, and records the permit in the holder table. The slot is
   * claimed first (ours with count 0 is harmless if we die before the permit), and the count is
   * incremented in the statement right after the compare-and-swap that took the permit.
   */
  private take(): boolean {
    const table = this.table;
    if (table === null) return this.takePermit();
    const s = this.state;
    const t = table.t;
    const token = this.token;
    const at = table.claim(token);
    if (at < 0) {
      // No slot: "not now". Whether that is a table too small (an error) or a releaser that has
      // returned its permit and not yet freed its slot (a passing state) takes a while to tell;
      // the wait loop tells it (see FULL_GRACE_MS).
      this.tableFull = Atomics.load(s, COUNT) > 0 && table.fullOfHolders();
      return false;
    }
    let c = Atomics.load(s, COUNT);
    while (c > 0) {
      const seen = Atomics.compareExchange(s, COUNT, c, c - 1);
      if (seen === c) {
        t[at] = t[at] + 1; // plain: nothing between the CAS and this can be stopped (see `holders`)
        noteHeld(this);
        return true;
      }
      c = seen;
    }
    table.freeIfEmpty(token, at);
    return false;
  }

  /** The wait for a permit, for either driver: true once one is taken, false at the deadline. */
  private *waitForPermit(timeoutMs: number): WaitLoop<boolean> {
    const deadline = deadlineAfter(timeoutMs);
    const start = this.statsBlock ? process.hrtime.bigint() : 0n;
    const s = this.state;
    let check = performance.now() + LIVENESS_SLICE_MS;
    let fullSince: number | undefined;
    for (;;) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      const now = performance.now();
      if (this.table !== null && now >= check) {
        check = now + LIVENESS_SLICE_MS;
        const reclaimed = this.table.reclaimDead(this.token, s, COUNT, MAX);
        if (reclaimed > 0 && Atomics.load(s, WAITERS) > 0) this.waiter.wake(s, COUNT, reclaimed);
      }
      // WAITERS goes up before the last look at COUNT, so a release that we miss sees it.
      Atomics.add(s, WAITERS, 1);
      try {
        // Sliced only with a table, whose dead holders are looked for between slices. While the
        // table is full, a permit is free: sleep briefly on its current count instead of on 0.
        yield fullSince !== undefined
          ? { index: COUNT, expected: Atomics.load(s, COUNT), timeoutMs: Math.min(left, 1) }
          : { index: COUNT, expected: 0, timeoutMs: this.table === null ? left : Math.min(left, check - now) };
      } finally {
        Atomics.sub(s, WAITERS, 1);
      }
      if (this.take()) {
        this.statsBlock?.contended(start);
        return true;
      }
      if (!this.tableFull) fullSince = undefined;
      else if (fullSince === undefined) fullSince = performance.now();
      else if (performance.now() - fullSince > FULL_GRACE_MS) throw new SemaphoreHoldersFullError('Semaphore.acquire', this.table!.size);
    }
  }

  /**
   * Returns `n` permits (default 1); more than `max` in total is a {@link SyncMisuseError}, and
   * so, with a holder table, is releasing more than this thread holds.
   */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new SyncMisuseError(`Semaphore.release: n must be an integer >= 1, got ${n}`);
    const table = this.table;
    if (table === null) {
      this.addPermits(n);
      return;
    }
    const s = this.state;
    const t = table.t;
    const token = this.token;
    const at = table.find(token);
    const held = at < 0 ? 0 : Atomics.load(t, at);
    if (held < n) {
      throw new SyncMisuseError(
        `Semaphore.release: this thread holds ${held} permit(s), cannot release ${n} (with holders, permits belong to the thread that took them)`,
      );
    }
    // Only this thread changes its count, so `held` stays true; the bound is checked before
    // anything changes (a thread without a table releasing at the same moment could still push
    // COUNT past max: it released what it never took).
    this.checkRoom(n);
    // Returned first, by the one atomic, then unrecorded by a plain store that termination cannot
    // precede (see the `holders` doc): stopped at the atomic's entry, nothing changed.
    Atomics.add(s, COUNT, n);
    t[at] = held - n;
    if (held === n) {
      Atomics.compareExchange(t, at - 1, token, 0); // free the slot: the table holds current holders only
      noteReleased(this);
    }
    if (Atomics.load(s, WAITERS) > 0) this.waiter.wake(s, COUNT, n);
  }

  /** For {@link releaseHeldLocks}: gives back the permits this thread still holds. */
  [abandonIfHeld](): string | null {
    const table = this.table;
    if (table === null) return null;
    const s = this.state;
    this.checkRoom(table.countOf(this.token));
    const n = table.takeAll(this.token, s, COUNT);
    if (n === 0) return null;
    if (Atomics.load(s, WAITERS) > 0) this.waiter.wake(s, COUNT, n);
    return `${describeHeld('Semaphore', s, this.waiter, this.statsBlock)}: ${n} permit(s)`;
  }

  /** Throws if `n` more permits would exceed max (a snapshot of COUNT). */
  private checkRoom(n: number): void {
    const max = Atomics.load(this.state, MAX);
    const c = Atomics.load(this.state, COUNT);
    if (c + n > max) {
      throw new SyncMisuseError(`Semaphore.release: ${n} more permit(s) would exceed the maximum of ${max} (count is ${c}); released more than acquired?`);
    }
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
