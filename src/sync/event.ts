/**
 * A manual-reset event in shared memory: a flag that threads (or processes) can wait on.
 */
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import { deadlineAfter, timeLeft } from './time.js';
import { runWaitLoop, runWaitLoopAsync, type WaitLoop, type Waiter } from './waiter.js';

const BASE = 4;
const FLAG = 1; // 1 set, 0 clear
// Bumped by every set(): waiters sleep on it, so a set() followed at once by clear() still
// releases everyone who was waiting, as with Python's threading.Event.
const SETS = 2;
const WAITERS = 3;

/**
 * Manual-reset event. `set()` releases every current and future waiter until `clear()`.
 *
 * `wait(ms)` returns true once the event has been set, false on timeout (a timeout is an
 * ordinary outcome, not an error). `wait` blocks the calling thread; on the main thread use
 * `waitAsync`.
 *
 * @example
 * ```ts
 * const ready = Event.create();
 * // in workers, given ready.state:
 * if (!Event.from(state).wait(5_000)) throw new Error('never got ready');
 * // in the main thread, when the data is in place:
 * ready.set();
 * ```
 */
export class Event {
  /** The shared state: pass it to another thread or process and call `Event.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;

  private constructor(view: Int32Array) {
    const a = attach('Event', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
  }

  /**
   * Creates an event, clear unless `initiallySet`, in new shared memory, in `options.memory`, or
   * with `{ placement: 'mapped' }` in a /dev/shm segment of its own that process workers given its
   * `.state` share.
   */
  static create(initiallySet = false, options: Omit<CreateOptions, 'stats'> = {}): Event {
    const view = allocate('Event', BASE, options, false, 0, (v) => Atomics.store(v, FLAG, initiallySet ? 1 : 0));
    return new Event(view);
  }

  /** Attaches to an event created elsewhere, from its {@link Event.state}. */
  static from(state: Int32Array): Event {
    return new Event(state);
  }

  /** Bytes of memory an event needs, for placing one with `options.memory`. */
  static byteLength(): number {
    return wordsFor(BASE, false) * 4;
  }

  /** Whether the event is set (a snapshot). */
  isSet(): boolean {
    return Atomics.load(this.state, FLAG) === 1;
  }

  /** Sets the event and wakes every waiter. */
  set(): void {
    const s = this.state;
    Atomics.store(s, FLAG, 1);
    Atomics.add(s, SETS, 1);
    if (Atomics.load(s, WAITERS) > 0) this.waiter.wake(s, SETS);
  }

  /** Clears the event; later waiters block until the next `set()`. */
  clear(): void {
    Atomics.store(this.state, FLAG, 0);
  }

  /** Blocks until the event is set; false if `timeoutMs` passed first. */
  wait(timeoutMs?: number): boolean {
    const sets = Atomics.load(this.state, SETS);
    if (this.isSet()) return true;
    return runWaitLoop(this.waiter, this.state, this.waitForSet(sets, timeoutMs));
  }

  /** Like {@link Event.wait} without blocking the event loop. */
  async waitAsync(timeoutMs?: number): Promise<boolean> {
    const sets = Atomics.load(this.state, SETS);
    if (this.isSet()) return true;
    return runWaitLoopAsync(this.waiter, this.state, this.waitForSet(sets, timeoutMs));
  }

  /** The wait for a `set()` after the one numbered `sets`, for either driver. */
  private *waitForSet(sets: number, timeoutMs: number | undefined): WaitLoop<boolean> {
    const s = this.state;
    const deadline = deadlineAfter(timeoutMs);
    Atomics.add(s, WAITERS, 1);
    try {
      for (;;) {
        if (Atomics.load(s, SETS) !== sets) return true;
        const left = timeLeft(deadline);
        if (left <= 0) return Atomics.load(s, FLAG) === 1;
        yield { index: SETS, expected: sets, timeoutMs: left };
      }
    } finally {
      Atomics.sub(s, WAITERS, 1);
    }
  }
}
