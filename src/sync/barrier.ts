/**
 * A reusable barrier in shared memory: `parties` threads (or processes) wait until all of them
 * have arrived, then all go on together, and the barrier is ready for the next round.
 */
import { SyncMisuseError, SyncTimeoutError } from './errors.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import { deadlineAfter, timeLeft } from './time.js';
import { runWaitLoop, runWaitLoopAsync, type WaitLoop, type Waiter } from './waiter.js';

const BASE = 4;
// One word holds both the generation (bits 16..30) and how many have arrived in it (bits 0..15),
// so that "arrive", "trip" and "withdraw after a timeout" are each a single compare-and-swap:
// with two words a party giving up could withdraw from a generation that has just tripped.
const WORD = 1;
const PARTIES = 2;

const COUNT_MASK = 0xffff;
const GEN_SHIFT = 16;
const GEN_MASK = 0x7fff;
/** Largest number of parties. */
export const MAX_PARTIES = COUNT_MASK;

const generationOf = (w: number): number => (w >>> GEN_SHIFT) & GEN_MASK;

/**
 * Reusable (cyclic) barrier.
 *
 * `wait()` returns the caller's arrival index in its generation, 0 for the first to arrive and
 * `parties - 1` for the last, which is the one that releases the others (handy to pick one party
 * for a serial step; the indexes of the others are only unique while nobody withdraws). After a timeout the caller withdraws its arrival and gets a
 * {@link SyncTimeoutError}; the barrier stays usable and the others keep waiting for a full set.
 *
 * `wait()` blocks the calling thread; on the main thread use `waitAsync()`.
 *
 * @example
 * ```ts
 * const b = Barrier.create(3);
 * // in each of the 3 workers, given b.state:
 * const barrier = Barrier.from(state);
 * for (let step = 0; step < steps; step++) { compute(step); barrier.wait(); }
 * ```
 */
export class Barrier {
  /** The shared state: pass it to another thread or process and call `Barrier.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;

  private constructor(view: Int32Array) {
    const a = attach('Barrier', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
  }

  /**
   * Creates a barrier for `parties` participants (1 to {@link MAX_PARTIES}), in new shared memory,
   * in `options.memory`, or with `{ placement: 'mapped' }` in a /dev/shm segment of its own that
   * process workers given its `.state` share.
   */
  static create(parties: number, options: Omit<CreateOptions, 'stats'> = {}): Barrier {
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw new SyncMisuseError(`Barrier.create: parties must be an integer in [1, ${MAX_PARTIES}], got ${parties}`);
    }
    const view = allocate('Barrier', BASE, options, false);
    Atomics.store(view, PARTIES, parties);
    return new Barrier(view);
  }

  /** Attaches to a barrier created elsewhere, from its {@link Barrier.state}. */
  static from(state: Int32Array): Barrier {
    return new Barrier(state);
  }

  /** Bytes of memory a barrier needs, for placing one with `options.memory`. */
  static byteLength(): number {
    return wordsFor(BASE, false) * 4;
  }

  /** Number of participants per generation. */
  get parties(): number {
    return Atomics.load(this.state, PARTIES);
  }

  /** How many generations have completed (modulo 2^15). */
  get generation(): number {
    return generationOf(Atomics.load(this.state, WORD));
  }

  /** Parties waiting in the current generation (a snapshot). */
  get waiting(): number {
    return Atomics.load(this.state, WORD) & COUNT_MASK;
  }

  /** Arrives and blocks until all parties have; throws {@link SyncTimeoutError} after `timeoutMs`. */
  wait(timeoutMs?: number): number {
    return runWaitLoop(this.waiter, this.state, this.pass(timeoutMs, 'Barrier.wait'));
  }

  /** Like {@link Barrier.wait} without blocking the event loop. */
  async waitAsync(timeoutMs?: number): Promise<number> {
    return runWaitLoopAsync(this.waiter, this.state, this.pass(timeoutMs, 'Barrier.waitAsync'));
  }

  /** Arrival and the wait for the trip, for either driver (`what` names the call in a timeout). */
  private *pass(timeoutMs: number | undefined, what: string): WaitLoop<number> {
    const deadline = deadlineAfter(timeoutMs);
    const { index, generation } = this.arrive();
    if (index === this.parties - 1) return index;
    const s = this.state;
    for (;;) {
      const w = Atomics.load(s, WORD);
      if (generationOf(w) !== generation) return index;
      const left = timeLeft(deadline);
      if (left <= 0) {
        if (this.withdraw(generation)) throw new SyncTimeoutError(what, timeoutMs ?? Infinity);
        return index; // the barrier tripped while we were giving up: we passed after all
      }
      // Later arrivals change the word too; then the wait returns at once and we look again.
      yield { index: WORD, expected: w, timeoutMs: left };
    }
  }

  /** Counts the caller in; the last party starts the next generation and wakes everyone. */
  private arrive(): { index: number; generation: number } {
    const s = this.state;
    const parties = Atomics.load(s, PARTIES);
    let w = Atomics.load(s, WORD);
    for (;;) {
      const generation = generationOf(w);
      const index = w & COUNT_MASK;
      const last = index + 1 === parties;
      const next = last ? ((generation + 1) & GEN_MASK) << GEN_SHIFT : w + 1;
      const seen = Atomics.compareExchange(s, WORD, w, next);
      if (seen === w) {
        if (last) this.waiter.wake(s, WORD);
        return { index, generation };
      }
      w = seen;
    }
  }

  /** Takes back an arrival in `generation`; false if that generation has already tripped. */
  private withdraw(generation: number): boolean {
    const s = this.state;
    let w = Atomics.load(s, WORD);
    while (generationOf(w) === generation) {
      const seen = Atomics.compareExchange(s, WORD, w, w - 1);
      if (seen === w) return true;
      w = seen;
    }
    return false;
  }
}
