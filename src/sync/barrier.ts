/**
 * A reusable barrier in shared memory: `parties` threads (or processes) wait until all of them
 * have arrived, then all go on together, and the barrier is ready for the next round. It can be
 * broken, as Python's `threading.Barrier`: see {@link Barrier}.
 */
import { BrokenBarrierError, SyncMisuseError, SyncTimeoutError } from './errors.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import { PartyTable } from './parties.js';
import { deadlineAfter, timeLeft } from './time.js';
import { LIVENESS_SLICE_MS, myToken } from './token.js';
import { runWaitLoop, runWaitLoopAsync, type WaitLoop, type Waiter } from './waiter.js';

const BASE = 4;
// One word holds the broken flag (bit 31), the generation (bits 16..30) and how many have arrived
// in it (bits 0..15), so that "arrive", "trip" and "break" are each a single compare-and-swap and
// a generation that tripped can never also be broken, nor the reverse.
const WORD = 1;
const PARTIES = 2;
// Why the barrier broke, and which generation last ended broken (by reset()): bits 0..14 that
// generation, bit 15 set once any did, bits 16..19 the reason. A waiter that finds the generation
// changed under it looks here to tell "tripped" (it passes) from "reset" (it gets the error).
const ENDED = 3;

const COUNT_MASK = 0xffff;
const GEN_SHIFT = 16;
const GEN_MASK = 0x7fff;
const BROKEN = 1 << 31;
const ENDED_VALID = 1 << 15;
/** Largest number of parties. */
export const MAX_PARTIES = COUNT_MASK;

const Reason = { Aborted: 1, Timeout: 2, PartyDied: 3, Reset: 4 } as const;
const REASON_TEXT: Record<number, string> = {
  [Reason.Aborted]: 'abort() was called',
  [Reason.Timeout]: "a party's wait timed out",
  [Reason.PartyDied]: 'a party of the previous round died (thread ended, or process killed) before arriving',
  [Reason.Reset]: 'reset() was called while parties waited',
};

const generationOf = (w: number): number => (w >>> GEN_SHIFT) & GEN_MASK;

/** Options of {@link Barrier.create}. */
export interface BarrierOptions extends Omit<CreateOptions, 'stats'> {
  /**
   * Record each party's liveness token as it arrives, so that a waiter that has waited
   * {@link LIVENESS_SLICE_MS} ms or more can see that a party of the previous generation, not yet
   * arrived in this one, has died, and break the barrier (everyone gets
   * {@link BrokenBarrierError}) instead of waiting for its timeout. Assumes each generation has
   * the same parties: a party that ends normally and is replaced by a new thread looks dead.
   * A party that never arrived (in the first generation, or the first after `reset()`) cannot
   * be known. Takes 2 x parties words more; needs the addon's liveness tokens. Default false.
   */
  watchParties?: boolean;
}

/**
 * Reusable (cyclic) barrier that can break.
 *
 * `wait()` returns the caller's arrival index in its generation, 0 for the first to arrive and
 * `parties - 1` for the last, which is the one that releases the others (handy to pick one party
 * for a serial step).
 *
 * Broken state (as Python's `threading.Barrier`): {@link Barrier.abort} breaks the barrier, and
 * so does a waiter whose timeout runs out (that waiter gets {@link SyncTimeoutError}) and, with
 * `watchParties`, a dead party. Every waiting party and every later `wait` then throws
 * {@link BrokenBarrierError}, until {@link Barrier.reset} returns the barrier to its initial
 * state (parties waiting in it at that moment get the error too). A timed-out waiter used to
 * withdraw its arrival while the others kept waiting for a full set; it now breaks the barrier,
 * so they learn at once that the round failed.
 *
 * `wait()` blocks the calling thread; on the main thread use `waitAsync()`.
 *
 * @example
 * ```ts
 * const b = Barrier.create(3);
 * // in each of the 3 workers, given b.state:
 * const barrier = Barrier.from(state);
 * for (let step = 0; step < steps; step++) {
 *   compute(step);
 *   try { barrier.wait(10_000); } catch (e) { if (e instanceof BrokenBarrierError) break; throw e; }
 * }
 * ```
 */
export class Barrier {
  /** The shared state: pass it to another thread or process and call `Barrier.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;
  private readonly table: PartyTable | null;
  private readonly token = myToken();

  private constructor(view: Int32Array) {
    const a = attach('Barrier', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
    this.table = a.ext !== null && this.token > 0 ? new PartyTable(a.ext) : null;
  }

  /**
   * Creates a barrier for `parties` participants (1 to {@link MAX_PARTIES}), in new shared memory,
   * in `options.memory`, or with `{ placement: 'mapped' }` in a /dev/shm segment of its own that
   * process workers given its `.state` share.
   */
  static create(parties: number, options: BarrierOptions = {}): Barrier {
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw new SyncMisuseError(`Barrier.create: parties must be an integer in [1, ${MAX_PARTIES}], got ${parties}`);
    }
    const ext = options.watchParties === true ? PartyTable.words(parties) : 0;
    const view = allocate('Barrier', BASE, options, false, ext, (v) => Atomics.store(v, PARTIES, parties));
    return new Barrier(view);
  }

  /** Attaches to a barrier created elsewhere, from its {@link Barrier.state}. */
  static from(state: Int32Array): Barrier {
    return new Barrier(state);
  }

  /**
   * Bytes of memory a barrier needs, for placing one with `options.memory`; with `watchParties`
   * give the number of parties too.
   */
  static byteLength(options: { parties?: number; watchParties?: boolean } = {}): number {
    if (options.watchParties !== true) return wordsFor(BASE, false) * 4;
    if (options.parties === undefined) throw new SyncMisuseError('Barrier.byteLength: with watchParties, give parties');
    return wordsFor(BASE, false, PartyTable.words(options.parties)) * 4;
  }

  /** Number of participants per generation. */
  get parties(): number {
    return Atomics.load(this.state, PARTIES);
  }

  /** How many generations have ended, tripped or reset (modulo 2^15). */
  get generation(): number {
    return generationOf(Atomics.load(this.state, WORD));
  }

  /** Parties waiting in the current generation (a snapshot). */
  get waiting(): number {
    return Atomics.load(this.state, WORD) & COUNT_MASK;
  }

  /** Whether the barrier is broken (a snapshot); `wait` throws {@link BrokenBarrierError} while it is. */
  get broken(): boolean {
    return Atomics.load(this.state, WORD) < 0;
  }

  /**
   * Arrives and blocks until all parties have. Throws {@link SyncTimeoutError} after `timeoutMs`,
   * breaking the barrier; {@link BrokenBarrierError} if it is or becomes broken.
   */
  wait(timeoutMs?: number): number {
    return runWaitLoop(this.waiter, this.state, this.pass(timeoutMs, 'Barrier.wait'));
  }

  /** Like {@link Barrier.wait} without blocking the event loop. */
  async waitAsync(timeoutMs?: number): Promise<number> {
    return runWaitLoopAsync(this.waiter, this.state, this.pass(timeoutMs, 'Barrier.waitAsync'));
  }

  /**
   * Breaks the barrier: every party waiting now, and every later `wait`, throws
   * {@link BrokenBarrierError} until {@link Barrier.reset}. E.g. for a party that cannot go on,
   * so the others do not wait for it in vain. Does nothing on a barrier already broken.
   */
  abort(): void {
    for (;;) {
      const w = Atomics.load(this.state, WORD);
      if (w < 0 || this.breakIn(generationOf(w), Reason.Aborted)) return;
    }
  }

  /**
   * Returns the barrier to its initial state (nobody arrived, not broken) in a new generation.
   * Parties waiting in it at that moment get {@link BrokenBarrierError}. Meant for when every
   * party has seen the barrier broken, or before any has arrived: a party arriving while
   * another resets may land on either side of the reset.
   */
  reset(): void {
    const s = this.state;
    for (;;) {
      const w = Atomics.load(s, WORD);
      const generation = generationOf(w);
      // Broken first: that freezes the generation (no trip, no arrival), so that what ENDED says
      // about it cannot be contradicted by a trip racing the reset.
      if (w >= 0 && !this.breakIn(generation, Reason.Reset)) continue;
      const frozen = Atomics.load(s, WORD);
      if (frozen >= 0 || generationOf(frozen) !== generation) break; // another reset got there first
      const reason = (Atomics.load(s, ENDED) >>> 16) & 0xf;
      Atomics.store(s, ENDED, ENDED_VALID | generation | ((reason || Reason.Reset) << 16));
      this.table?.clear();
      // Only a reset changes a broken word, so this fails only if another reset won.
      Atomics.compareExchange(s, WORD, frozen, ((generation + 1) & GEN_MASK) << GEN_SHIFT);
      break;
    }
    this.waiter.wake(s, WORD);
  }

  /** Arrival and the wait for the trip, for either driver (`what` names the call in errors). */
  private *pass(timeoutMs: number | undefined, what: string): WaitLoop<number> {
    const deadline = deadlineAfter(timeoutMs);
    const { index, generation } = this.arrive(what);
    if (index === this.parties - 1) return index;
    const s = this.state;
    let check = performance.now() + LIVENESS_SLICE_MS;
    for (;;) {
      const w = Atomics.load(s, WORD);
      if (generationOf(w) !== generation) return this.afterGeneration(generation, index, what);
      if (w < 0) throw this.brokenError(what);
      const left = timeLeft(deadline);
      if (left <= 0) {
        if (this.breakIn(generation, Reason.Timeout)) throw new SyncTimeoutError(what, timeoutMs ?? Infinity);
        continue; // it tripped, was reset or broke meanwhile: look again
      }
      const now = performance.now();
      if (this.table !== null && now >= check) {
        check = now + LIVENESS_SLICE_MS;
        if (this.table.missingPartyDied(generation, w & COUNT_MASK, this.token)) {
          this.breakIn(generation, Reason.PartyDied);
          continue;
        }
      }
      // Later arrivals change the word too; then the wait returns at once and we look again.
      yield { index: WORD, expected: w, timeoutMs: this.table === null ? left : Math.min(left, check - now) };
    }
  }

  /** The generation moved on: we passed, unless it ended by reset() (see ENDED). */
  private afterGeneration(generation: number, index: number, what: string): number {
    const ended = Atomics.load(this.state, ENDED);
    if ((ended & ENDED_VALID) !== 0 && (ended & GEN_MASK) === generation) throw this.brokenError(what);
    return index;
  }

  /** Counts the caller in; the last party starts the next generation and wakes everyone. */
  private arrive(what: string): { index: number; generation: number } {
    const s = this.state;
    const parties = Atomics.load(s, PARTIES);
    let w = Atomics.load(s, WORD);
    for (;;) {
      if (w < 0) throw this.brokenError(what);
      const generation = generationOf(w);
      const index = w & COUNT_MASK;
      const last = index + 1 === parties;
      const next = last ? ((generation + 1) & GEN_MASK) << GEN_SHIFT : w + 1;
      const seen = Atomics.compareExchange(s, WORD, w, next);
      if (seen === w) {
        this.table?.record(generation, index, this.token);
        if (last) this.waiter.wake(s, WORD);
        return { index, generation };
      }
      w = seen;
    }
  }

  /** Breaks `generation` if it is current and not broken yet; true if this call broke it. */
  private breakIn(generation: number, reason: number): boolean {
    const s = this.state;
    let w = Atomics.load(s, WORD);
    while (w >= 0 && generationOf(w) === generation) {
      const seen = Atomics.compareExchange(s, WORD, w, w | BROKEN);
      if (seen === w) {
        // Written after the flag, by the one that set it: ENDED must never name a generation
        // that might still trip (see reset).
        Atomics.store(s, ENDED, (Atomics.load(s, ENDED) & (ENDED_VALID | GEN_MASK)) | (reason << 16));
        this.waiter.wake(s, WORD);
        return true;
      }
      w = seen;
    }
    return false;
  }

  private brokenError(what: string): BrokenBarrierError {
    const reason = (Atomics.load(this.state, ENDED) >>> 16) & 0xf;
    return new BrokenBarrierError(what, REASON_TEXT[reason] ?? 'broken');
  }
}
