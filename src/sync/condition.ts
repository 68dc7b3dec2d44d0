/**
 * A condition variable in shared memory, used with a {@link Mutex}: wait until some state
 * protected by the mutex changes, without spinning.
 */
import { SyncMisuseError, type OwnerDiedError } from './errors.js';
import { allocate, attach, wordsFor, type CreateOptions } from './layout.js';
import type { Mutex } from './mutex.js';
import { deadlineAfter, timeLeft } from './time.js';
import type { Waiter } from './waiter.js';

const BASE = 4;
// Every notify bumps SEQ. A waiter reads SEQ before it unlocks the mutex and sleeps only while
// SEQ is still that value, so a notify that lands between the unlock and the sleep is not lost.
const SEQ = 1;
const WAITERS = 2; // lets notify skip the wake call (a syscall for mapped memory) when nobody waits

/**
 * Condition variable.
 *
 * Like every condition variable, `wait` may return without a matching notify (a spurious
 * wake-up: e.g. a notify that landed just as another waiter was going to sleep wakes both), and
 * a notified waiter may find the state changed back by the time it holds the mutex again. So
 * always wait in a loop on the condition you care about, or use {@link Condition.waitFor}:
 *
 * @example
 * ```ts
 * const m = Mutex.create();
 * const cv = Condition.create();
 * // consumer (holding nothing yet):
 * m.withLock(() => {
 *   cv.waitFor(m, () => queue[0] > 0);     // same as: while (!(queue[0] > 0)) cv.wait(m);
 *   queue[0]--;
 * });
 * // producer:
 * m.withLock(() => { queue[0]++; });
 * cv.notifyOne();
 * ```
 *
 * Timeouts are an ordinary outcome here: `wait` returns false, `waitFor` returns the final value
 * of the predicate. Either way the mutex is held again when they return; re-acquiring it is not
 * bounded by the timeout. `wait` blocks the calling thread; on the main thread use the async forms
 * with a mutex taken by `lockAsync`.
 *
 * If the mutex's holder died while this party slept (see {@link Mutex}), re-taking the mutex
 * throws {@link OwnerDiedError} from `wait`, with the mutex held, as `lock()` does.
 */
export class Condition {
  /** The shared state: pass it to another thread or process and call `Condition.from` there. */
  readonly state: Int32Array;
  private readonly waiter: Waiter;

  private constructor(view: Int32Array) {
    const a = attach('Condition', BASE, view);
    this.state = a.view;
    this.waiter = a.waiter;
  }

  /**
   * Creates a condition variable in new shared memory, in `options.memory`, or with
   * `{ placement: 'mapped' }` in a /dev/shm segment of its own that process workers given its
   * `.state` share (use it with a mutex placed the same way).
   */
  static create(options: Omit<CreateOptions, 'stats'> = {}): Condition {
    return new Condition(allocate('Condition', BASE, options, false));
  }

  /** Attaches to a condition variable created elsewhere, from its {@link Condition.state}. */
  static from(state: Int32Array): Condition {
    return new Condition(state);
  }

  /** Bytes of memory a condition variable needs, for placing one with `options.memory`. */
  static byteLength(): number {
    return wordsFor(BASE, false) * 4;
  }

  /**
   * Releases `mutex` (which the caller must hold), sleeps until notified or `timeoutMs` passes,
   * and takes `mutex` again. Returns false if it timed out. May wake spuriously: see the class doc.
   */
  wait(mutex: Mutex, timeoutMs?: number): boolean {
    const deadline = deadlineAfter(timeoutMs);
    const seq = this.enter(mutex, 'wait');
    let result;
    try {
      result = this.waiter.wait(this.state, SEQ, seq, timeLeft(deadline));
    } finally {
      Atomics.sub(this.state, WAITERS, 1);
      mutex.lock();
    }
    return result !== 'timed-out';
  }

  /** Like {@link Condition.wait} without blocking the event loop (re-locks with `lockAsync`). */
  async waitAsync(mutex: Mutex, timeoutMs?: number): Promise<boolean> {
    const deadline = deadlineAfter(timeoutMs);
    const seq = this.enter(mutex, 'waitAsync');
    let result;
    try {
      result = await this.waiter.waitAsync(this.state, SEQ, seq, timeLeft(deadline));
    } finally {
      Atomics.sub(this.state, WAITERS, 1);
      await mutex.lockAsync();
    }
    return result !== 'timed-out';
  }

  /**
   * Waits until `predicate()` is true, checking it with `mutex` held, for at most `timeoutMs` in
   * total. Returns the predicate's last value (false means it timed out). The caller holds
   * `mutex` before and after.
   */
  waitFor(mutex: Mutex, predicate: () => boolean, timeoutMs?: number): boolean {
    const deadline = deadlineAfter(timeoutMs);
    while (!predicate()) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      this.wait(mutex, left);
    }
    return true;
  }

  /** Async {@link Condition.waitFor}. */
  async waitForAsync(mutex: Mutex, predicate: () => boolean, timeoutMs?: number): Promise<boolean> {
    const deadline = deadlineAfter(timeoutMs);
    while (!predicate()) {
      const left = timeLeft(deadline);
      if (left <= 0) return false;
      await this.waitAsync(mutex, left);
    }
    return true;
  }

  /** Wakes one waiter (if any); returns how many sleeping waiters were woken (0 or 1). */
  notifyOne(): number {
    Atomics.add(this.state, SEQ, 1);
    return Atomics.load(this.state, WAITERS) > 0 ? this.waiter.wake(this.state, SEQ, 1) : 0;
  }

  /** Wakes every waiter; returns how many sleeping waiters were woken. */
  notifyAll(): number {
    Atomics.add(this.state, SEQ, 1);
    return Atomics.load(this.state, WAITERS) > 0 ? this.waiter.wake(this.state, SEQ) : 0;
  }

  /** Waiters that have released the mutex and not yet woken (a snapshot). */
  get waiting(): number {
    return Atomics.load(this.state, WAITERS);
  }

  /** Registers a waiter and releases the mutex; returns the SEQ to sleep on. */
  private enter(mutex: Mutex, call: string): number {
    if (!mutex.isHeldByCurrentThread()) {
      throw new SyncMisuseError(`Condition.${call}: the calling thread must hold the mutex`);
    }
    const seq = Atomics.load(this.state, SEQ);
    Atomics.add(this.state, WAITERS, 1);
    mutex.unlock();
    return seq;
  }
}
