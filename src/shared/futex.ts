/**
 * Cross-process futex over an Int32Array whose memory is shared.
 *
 * V8's `Atomics.wait`/`Atomics.notify` keep their waiters in a list inside the process, so a
 * notify in one process never wakes a waiter in another. For memory mapped from /dev/shm into
 * several processes these functions call the Linux futex directly (without FUTEX_PRIVATE_FLAG,
 * so the kernel keys waiters by the mapped page rather than by the address space).
 *
 * They also work on a plain in-memory SharedArrayBuffer between threads of one process, but the
 * two mechanisms do not see each other: code that waits on a word must be woken by the same
 * mechanism. {@link isMapped} tells which one a buffer needs.
 */
import { native, tryNative, type WaitResult } from './native.js';
import { SharedArgumentError } from './argument-error.js';

export type { WaitResult } from './native.js';

function checkArgs(op: string, view: Int32Array, index: number, timeoutMs: number | undefined): number {
  if (!(view instanceof Int32Array)) throw new SharedArgumentError(op, 'view', `must be an Int32Array, got ${describe(view)}`);
  if (!(view.buffer instanceof SharedArrayBuffer)) {
    throw new SharedArgumentError(op, 'view', 'must be over a SharedArrayBuffer, got one over an ArrayBuffer');
  }
  if (!Number.isInteger(index) || index < 0 || index >= view.length) {
    throw new SharedArgumentError(op, 'index', `must be an integer in [0, ${view.length}), got ${index}`);
  }
  if (timeoutMs === undefined || timeoutMs === Infinity) return -1;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    throw new SharedArgumentError(op, 'timeoutMs', `must be a number of milliseconds, got ${String(timeoutMs)}`);
  }
  return Math.max(0, timeoutMs);
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return (value as object).constructor?.name ?? 'an object';
}

/**
 * Blocks the calling thread while `view[index] === expected`, until woken by {@link futexWake}
 * (from any process mapping the same memory) or until `timeoutMs` elapses (default: forever).
 * Like `Atomics.wait`, 'ok' may also be a spurious wake-up: callers re-check their condition.
 *
 * The wait sleeps in slices of at most 50 ms so that it ends when its thread is terminated
 * (`worker.terminate()`, `process.exit()`). So change the word before you wake: a bare
 * `futexWake` with no store before it can fall between two slices and be missed, whereas the
 * new value is always seen. Every weft primitive stores before it wakes.
 */
export function futexWait(view: Int32Array, index: number, expected: number, timeoutMs?: number): WaitResult {
  const t = checkArgs('futexWait', view, index, timeoutMs);
  return native().futexWait(view, index, expected | 0, t);
}

/**
 * Like {@link futexWait} but the blocking wait runs on a small thread of its own (not libuv's
 * pool, so fs and crypto never queue behind waits), and the event loop keeps running. A pending
 * wait keeps the process alive, as a timer would; prefer a timeout.
 */
export function futexWaitAsync(
  view: Int32Array,
  index: number,
  expected: number,
  timeoutMs?: number,
): Promise<WaitResult> {
  try {
    const t = checkArgs('futexWaitAsync', view, index, timeoutMs);
    return native().futexWaitAsync(view, index, expected | 0, t);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Wakes up to `count` (default: all) waiters on `view[index]`; returns how many were woken. */
export function futexWake(view: Int32Array, index: number, count = Infinity): number {
  checkArgs('futexWake', view, index, undefined);
  const n = count === Infinity ? 0x7fffffff : Math.max(0, Math.min(0x7fffffff, Math.floor(count)));
  return native().futexWake(view, index, n);
}

/**
 * True when `buffer` is a /dev/shm mapping made by weft (in any thread of this process), i.e.
 * when waits on it must use the futex rather than `Atomics.wait`. Never throws: a buffer can
 * only be mapped if the addon is built.
 */
export function isMapped(buffer: ArrayBufferLike): boolean {
  if (!(buffer instanceof SharedArrayBuffer)) return false;
  let known = mappedness.get(buffer);
  if (known === undefined) {
    const addon = tryNative();
    known = addon !== undefined && addon.segmentOf(new Uint8Array(buffer, 0, 0)) !== undefined;
    mappedness.set(buffer, known);
  }
  return known;
}

// A buffer is mapped or not for its whole life (its mapping goes only when it is collected), so
// the answer is kept per buffer: the view and the native call are paid once, not on every wait.
const mappedness = new WeakMap<SharedArrayBuffer, boolean>();
