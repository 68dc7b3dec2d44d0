/**
 * Types that turn a task module into a typed pool API: `typeof import('./tasks.js')` in, a `call`
 * object whose methods have the module's own argument and result types out.
 */
import { TRANSFER_MARK, type Transferable } from './protocol.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** A value returned or sent together with the buffers to move (not copy) with it. See {@link transfer}. */
export interface Transferred<T> {
  readonly [TRANSFER_MARK]: true;
  readonly value: T;
  readonly transfer: Transferable[];
}

/** Names of the module's exported functions. */
export type TaskName<M> = { [K in keyof M]: M[K] extends AnyFunction ? K : never }[keyof M] & string;

/** Argument tuple of task `K`. */
export type TaskArgs<M, K extends TaskName<M>> = M[K] extends (...args: infer A) => unknown ? A : never;

/** What awaiting task `K` gives: its return value, unwrapped from promises and from {@link transfer}. */
export type TaskResult<M, K extends TaskName<M>> = M[K] extends (...args: never[]) => infer R ? Unwrapped<Awaited<R>> : never;

type Unwrapped<R> = R extends Transferred<infer V> ? V : R;

/** The type of a task's first argument, for `map` and `asCompleted`, which call `fn(item)`. */
export type TaskItem<M, K extends TaskName<M>> = TaskArgs<M, K> extends [infer First, ...unknown[]] ? First : never;

/** One typed method per task: `pool.call.countPrimes(0, 1000)`. */
export type TaskCaller<M> = { [K in TaskName<M>]: (...args: TaskArgs<M, K>) => Promise<TaskResult<M, K>> };

/** Options for one call. */
export interface CallOptions {
  /** Aborting it removes a queued task, or terminates (and replaces) the worker running it. */
  signal?: AbortSignal;
  /** Milliseconds the task may run before its worker is terminated and the call rejects with `TimeoutError`. */
  timeout?: number;
  /** Buffers to move to a thread worker instead of copying (ignored by other backends). */
  transfer?: Transferable[];
  /** Times the task runs again if its worker dies under it; overrides the pool's `retries` (see there). Idempotent tasks only. */
  retries?: number;
}

/** Options for `map` and `asCompleted`. */
export interface MapOptions extends Omit<CallOptions, 'transfer'> {
  /** Items sent to a worker as one job; results still come back one per item, in order. Default 1. */
  chunkSize?: number;
}

/**
 * Wraps a task's return value so the listed buffers move to the pool instead of being copied
 * (thread workers). Processes and inline ignore the list.
 * @example
 * export function makeArray(n: number) { const a = new Float64Array(n); return transfer(a, [a.buffer]); }
 */
export function transfer<T>(value: T, list: Transferable[]): Transferred<T> {
  return { [TRANSFER_MARK]: true, value, transfer: list };
}

export type { AnyFunction };
