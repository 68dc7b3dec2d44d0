/**
 * What every executor offers (the pool, the auto backend's pool, any later backend), and the
 * pieces of that surface they share.
 */
import { checkInteger } from './options.js';
import type { PoolStats } from './stats.js';
import type { AnyFunction, CallOptions, MapOptions, TaskArgs, TaskCaller, TaskItem, TaskName, TaskResult } from './types.js';

/**
 * Runs the functions of one task module.
 * @typeParam M - the task module's type, `typeof import('./tasks.js')`, which types `call`, `submit` and `map`.
 */
export interface Executor<M = Record<string, AnyFunction>> extends AsyncDisposable {
  /** One typed method per exported task: `await pool.call.countPrimes(0, 1_000_000)`. */
  readonly call: TaskCaller<M>;
  /** Runs task `name` with `args`; the promise settles with its result or a typed error. */
  submit<K extends TaskName<M>>(name: K, args: TaskArgs<M, K>, options?: CallOptions): Promise<TaskResult<M, K>>;
  /** `fn(item)` for every item; resolves with the results in input order, rejects with the first error. */
  map<K extends TaskName<M>>(name: K, items: Iterable<TaskItem<M, K>>, options?: MapOptions): Promise<TaskResult<M, K>[]>;
  /** `fn(item)` for every item, yielding `{ index, value }` as each finishes; stopping early aborts the rest. */
  asCompleted<K extends TaskName<M>>(
    name: K,
    items: Iterable<TaskItem<M, K>>,
    options?: Omit<MapOptions, 'chunkSize'>,
  ): AsyncGenerator<{ index: number; value: TaskResult<M, K> }>;
  /** Resolves once every worker has loaded the task module. */
  ready(): Promise<void>;
  /** Counters, latency percentiles and per-worker busy share. */
  stats(): PoolStats;
  /** Stops taking tasks, lets every accepted task finish, then stops the workers. */
  close(): Promise<void>;
  /** Stops now: pending tasks reject with `PoolClosedError`. */
  destroy(): Promise<void>;
}

/**
 * The typed `call` object: `method(name)` makes the function behind `call[name]`, once per name.
 * @internal
 */
export function taskCaller<M>(method: (name: string) => (...args: unknown[]) => Promise<unknown>): TaskCaller<M> {
  const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as TaskCaller<M>, {
    get: (_target, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      let fn = cache.get(name);
      if (!fn) cache.set(name, (fn = method(name)));
      return fn;
    },
  });
}

/** The checked `chunkSize` of a `map` call (default 1). @internal */
export function chunkSizeOf(options: MapOptions): number {
  const chunkSize = options.chunkSize ?? 1;
  checkInteger('chunkSize', chunkSize, 1, Number.MAX_SAFE_INTEGER);
  return chunkSize;
}
