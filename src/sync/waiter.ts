/**
 * Chooses how to sleep on a word of shared memory, once per piece of memory.
 *
 * - An in-process `SharedArrayBuffer` (threads of one process): `Atomics.wait`/`notify`, and
 *   `Atomics.waitAsync` for the async form, falling back to polling with backoff where
 *   `waitAsync` is missing.
 * - A weft /dev/shm mapping (shared with other processes): the Linux futex through weft's
 *   addon, because V8 keeps `Atomics.wait` waiters in a per-process list that a notify from
 *   another process never reaches.
 *
 * The async form on mapped memory parks a small thread of the addon's per pending wait (see
 * `futexWaitAsync`), not one of libuv's pool, so file-system and DNS work never queue behind it.
 *
 * Both sides of one word must use the same mechanism, and they do, since the choice depends only
 * on the memory. Every primitive in this folder changes the word it waits on before it wakes
 * anybody; that is what makes the polling fallback (which only sees values) correct.
 */
import { futexWait, futexWaitAsync, futexWake, isMapped } from '../shared/futex.js';
import { SyncMisuseError } from './errors.js';

/** Outcome of one wait, as named by `Atomics.wait`. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** Sleep/wake operations on words of one piece of shared memory. */
export interface Waiter {
  /** `'atomics'` for in-process memory, `'futex'` for a cross-process mapping. */
  readonly kind: 'atomics' | 'futex';
  /** Blocks the thread while `view[index] === expected`, at most `timeoutMs` (default forever). */
  wait(view: Int32Array, index: number, expected: number, timeoutMs?: number): WaitResult;
  /** Like `wait` without blocking the event loop. */
  waitAsync(view: Int32Array, index: number, expected: number, timeoutMs?: number): Promise<WaitResult>;
  /** Wakes up to `count` (default all) waiters of `view[index]`; returns how many woke. */
  wake(view: Int32Array, index: number, count?: number): number;
}

type WaitAsyncFn = (
  view: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

const nativeWaitAsync = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;
let forcePolling = false;

/**
 * Test hook: makes the async form poll as it would where `Atomics.waitAsync` is missing.
 * Affects in-process memory only, for the whole thread.
 */
export function setPollingFallback(on: boolean): void {
  forcePolling = on;
}

/** True when async waits on in-process memory use `Atomics.waitAsync` rather than polling. */
export function hasNativeWaitAsync(): boolean {
  return typeof nativeWaitAsync === 'function' && !forcePolling;
}

function toTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return Infinity;
  if (Number.isNaN(timeoutMs)) throw new SyncMisuseError('timeout must be a number of milliseconds, got NaN');
  return Math.max(0, timeoutMs);
}

const noop = (): void => {};

/**
 * A pending `Atomics.waitAsync` does not keep Node's event loop alive: a program whose only
 * work left is awaiting a lock would exit silently. A referenced timer keeps it running.
 */
function keepAlive<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(noop, 1 << 30);
  return p.finally(() => clearInterval(timer));
}

async function pollUntilChanged(view: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult> {
  const deadline = performance.now() + timeoutMs;
  if (Atomics.load(view, index) !== expected) return 'not-equal';
  // Back off from a macrotask turn to 8 ms: short waits stay short, long ones cost little CPU.
  let delay = 0;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return 'timed-out';
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    if (Atomics.load(view, index) !== expected) return 'ok';
    delay = delay === 0 ? 0.5 : Math.min(delay * 2, 8);
  }
}

const atomicsWaiter: Waiter = {
  kind: 'atomics',
  wait(view, index, expected, timeoutMs) {
    return Atomics.wait(view, index, expected, toTimeout(timeoutMs));
  },
  waitAsync(view, index, expected, timeoutMs) {
    let t: number;
    try {
      t = toTimeout(timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!hasNativeWaitAsync()) return pollUntilChanged(view, index, expected, t);
    const r = nativeWaitAsync!(view, index, expected, t);
    return r.async ? keepAlive(r.value) : Promise.resolve(r.value);
  },
  wake(view, index, count) {
    return Atomics.notify(view, index, count === undefined ? Infinity : count);
  },
};

const futexWaiter: Waiter = {
  kind: 'futex',
  wait(view, index, expected, timeoutMs) {
    return futexWait(view, index, expected, toTimeout(timeoutMs));
  },
  waitAsync(view, index, expected, timeoutMs) {
    try {
      return futexWaitAsync(view, index, expected, toTimeout(timeoutMs));
    } catch (err) {
      return Promise.reject(err);
    }
  },
  wake(view, index, count) {
    return futexWake(view, index, count === undefined ? Infinity : count);
  },
};

/**
 * The waiter for the memory under `view`. Throws {@link SyncMisuseError} when the memory is not
 * shared at all, since a primitive in private memory would silently synchronise nothing.
 */
export function waiterFor(view: Int32Array): Waiter {
  const buffer = view.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new SyncMisuseError(
      'synchronisation state must live in shared memory (a SharedArrayBuffer or a weft mapped segment), ' +
        `got an Int32Array over ${Object.prototype.toString.call(buffer).slice(8, -1)}`,
    );
  }
  return isMapped(buffer) ? futexWaiter : atomicsWaiter;
}

/** One sleep that a wait loop asks for: while `view[index] === expected`, at most `timeoutMs`. */
export interface Sleep {
  readonly index: number;
  readonly expected: number;
  readonly timeoutMs: number;
}

/**
 * A primitive's wait loop, written once as a generator: it yields each {@link Sleep} it needs,
 * is resumed with that sleep's outcome, and returns the loop's result. {@link runWaitLoop} drives
 * it on a blocked thread, {@link runWaitLoopAsync} without blocking the event loop. A sleep that
 * throws is thrown into the loop, so its `finally` blocks run in both drivers.
 */
export type WaitLoop<T> = Generator<Sleep, T, WaitResult>;

/** Runs `loop` to its end, sleeping with `waiter.wait` on `view`. */
export function runWaitLoop<T>(waiter: Waiter, view: Int32Array, loop: WaitLoop<T>): T {
  let step = loop.next();
  while (step.done !== true) {
    const { index, expected, timeoutMs } = step.value;
    let result: WaitResult;
    try {
      result = waiter.wait(view, index, expected, timeoutMs);
    } catch (err) {
      step = loop.throw(err);
      continue;
    }
    step = loop.next(result);
  }
  return step.value;
}

/** Runs `loop` to its end, sleeping with `waiter.waitAsync` on `view`. */
export async function runWaitLoopAsync<T>(waiter: Waiter, view: Int32Array, loop: WaitLoop<T>): Promise<T> {
  let step = loop.next();
  while (step.done !== true) {
    const { index, expected, timeoutMs } = step.value;
    let result: WaitResult;
    try {
      result = await waiter.waitAsync(view, index, expected, timeoutMs);
    } catch (err) {
      step = loop.throw(err);
      continue;
    }
    step = loop.next(result);
  }
  return step.value;
}
