/** Pool options, their defaults, and the checks that turn a bad option into a clear error. */
import { availableParallelism } from 'node:os';
import type { BackendKind } from './backends/types.js';
import { InvalidOptionError } from './errors.js';
import type { PoolObserver } from './observer.js';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** The task module: a path, `file:` URL string or URL object. Its exported functions are the tasks. */
  module: string | URL;
  /**
   * `'thread'` (default), `'process'`, `'inline'` (same thread: the sequential baseline), or `'cluster'` (the
   * `weft worker` processes serving this module through Redis: needs `connection`; see docs/cluster.md).
   * `createPool` also takes `'auto'` (see `AutoPoolOptions`).
   */
  backend?: BackendKind;
  /**
   * Number of workers. Default: `os.availableParallelism()`; always 1 for inline. For `'cluster'`, how many
   * batches the pool keeps out at once (default 8): the machines' own `weft worker --workers` sets their cores.
   */
  workers?: number;
  /**
   * Cluster backend: the Redis URL, `redis://[user][:password]@host[:port][/db][?prefix=name]`, or `rediss://`
   * for TLS. The prefix (default `weft`) namespaces every key.
   */
  connection?: string;
  /** Cluster backend: the queue `weft worker --queue` serves. Default: `'weft'`. */
  queue?: string;
  /** `'lazy'` (default) starts workers when tasks arrive; `'eager'` starts them all at once. */
  start?: 'lazy' | 'eager';
  /** Most tasks waiting in the queue; one more rejects with `QueueFullError`. Default: unbounded. */
  maxQueue?: number;
  /** Default per-task timeout in ms (a call's own `timeout` wins). Default: none. */
  timeout?: number;
  /**
   * How many times a task runs again when its worker dies under it: killed, crashed, out of memory, or
   * `process.exit` while running it, or dead before sending back the result of a task it had finished.
   * Only for idempotent tasks: a retried task may have done part or all of its work already. A call's own
   * `retries` wins. Timeouts, aborts and errors the task throws are never retried. Default: 0, so a task
   * runs at most once, and one whose worker dies under it rejects with `WorkerCrashedError` (it was
   * running) or `ResultLostError` (it had finished); tasks the worker had not started run elsewhere.
   */
  retries?: number;
  /**
   * Milliseconds a worker may take to load the task module (its top-level code and awaits) before the
   * pool gives up: before the module has loaded anywhere, every call and `ready()` then reject with
   * `ModuleLoadError` ("did not finish loading in N ms"); a worker stuck starting after the module did
   * load elsewhere is just replaced. Separate from `timeout`, which bounds a task's run: loading a large
   * module on a busy machine can take far longer than a task. Default: 30000.
   */
  loadTimeout?: number;
  /** Heap and stack limits per worker; exceeding them crashes that worker, which is replaced. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
  /** Extra Node flags for workers. */
  execArgv?: string[];
  /** Extra environment variables for process workers. */
  env?: NodeJS.ProcessEnv;
  /** Receives task, message and worker events (telemetry, traces). Default: none, at no cost. */
  observer?: PoolObserver;
}

/**
 * An options key for the module the user gave when the pool loads a wrapper of it instead (the profiled module):
 * errors name the user's module, not the wrapper's URL.
 */
export const USER_MODULE = Symbol.for('weft.userModule');

export interface ResolvedOptions {
  backend: BackendKind;
  workers: number;
  start: 'lazy' | 'eager';
  maxQueue: number;
  timeout: number | undefined;
  retries: number;
  loadTimeout: number;
}

const BACKENDS: readonly BackendKind[] = ['thread', 'process', 'inline', 'cluster'];
/** Batches a cluster pool keeps out at once by default (see `workers`). */
const DEFAULT_CLUSTER_WORKERS = 8;
/** Far more workers than cores only thrashes; this catches typos like 1e6 while allowing oversubscription. */
export const MAX_WORKERS = 1024;
/** More retries than this hides a task that kills its worker every time. */
export const MAX_RETRIES = 100;
const DEFAULT_LOAD_TIMEOUT_MS = 30_000;

/** What a worker count breaks: not an integer from 1 to the maximum, or not 1 where exactly one worker runs. */
export type WorkersProblem = 'range' | 'single';

/**
 * The worker-count rule, for every layer that takes one: `given`, or when undefined the available
 * parallelism (1 for a backend that runs on the calling thread, `single`); an integer from 1 to `max`
 * ({@link MAX_WORKERS} unless given), and exactly 1 when `single`. A count that breaks it goes to `fail`
 * (range first), which throws the caller's own error.
 */
export function resolveWorkers(
  given: unknown,
  single: boolean,
  fail: (problem: WorkersProblem, value: unknown, max: number) => never,
  max = MAX_WORKERS,
): number {
  const workers = given ?? (single ? 1 : availableParallelism());
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > max) fail('range', workers, max);
  if (single && workers !== 1) fail('single', workers, max);
  return workers as number;
}

/** `fail` for {@link resolveWorkers} with the pool's error: `InvalidOptionError` on `workers`. */
export function invalidWorkers(problem: WorkersProblem, value: unknown, max: number): never {
  if (problem === 'single') {
    throw new InvalidOptionError('workers', `the inline backend runs on the calling thread and has exactly 1 worker, got ${describe(value)}`);
  }
  throw new InvalidOptionError('workers', `expected an integer from 1 to ${max}, got ${describe(value)}`);
}

export function resolveOptions(options: PoolOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object with at least { module }');
  const { module } = options;
  if (!(module instanceof URL) && (typeof module !== 'string' || module.length === 0)) {
    throw new InvalidOptionError('module', 'expected a path, file URL string or URL of the task module');
  }
  const backend = options.backend ?? 'thread';
  if ((backend as string) === 'auto') {
    throw new InvalidOptionError('backend', "'auto' is made by createPool({ backend: 'auto', ... }), which returns an AutoPool; new Pool() takes 'thread', 'process', 'inline' or 'cluster'");
  }
  if (!BACKENDS.includes(backend)) {
    throw new InvalidOptionError('backend', `expected one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${describe(backend)}`);
  }
  if (backend !== 'cluster' && options.connection !== undefined) {
    throw new InvalidOptionError('connection', `only the cluster backend takes a connection; this pool's backend is '${backend}'`);
  }
  if (backend === 'cluster' && options.connection === undefined) {
    throw new InvalidOptionError('connection', "the cluster backend needs the Redis URL its weft workers use, e.g. 'redis://127.0.0.1:6379'");
  }
  const workers = resolveWorkers(options.workers ?? (backend === 'cluster' ? DEFAULT_CLUSTER_WORKERS : undefined), backend === 'inline', invalidWorkers);
  const start = options.start ?? 'lazy';
  if (start !== 'lazy' && start !== 'eager') throw new InvalidOptionError('start', `expected 'lazy' or 'eager', got ${describe(start)}`);
  const maxQueue = options.maxQueue ?? Infinity;
  if (maxQueue !== Infinity) checkInteger('maxQueue', maxQueue, 0, Number.MAX_SAFE_INTEGER);
  if (options.timeout !== undefined) checkTimeout('timeout', options.timeout);
  const retries = options.retries ?? 0;
  checkInteger('retries', retries, 0, MAX_RETRIES);
  const loadTimeout = options.loadTimeout ?? DEFAULT_LOAD_TIMEOUT_MS;
  checkTimeout('loadTimeout', loadTimeout);
  const limits = options.resourceLimits;
  if (limits !== undefined) {
    if (typeof limits !== 'object' || limits === null) throw new InvalidOptionError('resourceLimits', 'expected an object');
    for (const key of ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'] as const) {
      const value = limits[key];
      if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
        throw new InvalidOptionError(`resourceLimits.${key}`, `expected a positive number of megabytes, got ${describe(value)}`);
      }
    }
  }
  if (options.execArgv !== undefined && !(Array.isArray(options.execArgv) && options.execArgv.every((a) => typeof a === 'string'))) {
    throw new InvalidOptionError('execArgv', 'expected an array of strings');
  }
  return { backend, workers, start, maxQueue, timeout: options.timeout, retries, loadTimeout };
}

/** Checks a per-call timeout (or the pool default). */
export function checkTimeout(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0) || value > 2_147_483_647) {
    throw new InvalidOptionError(name, `expected a number of milliseconds from 1 to 2147483647, got ${describe(value)}`);
  }
}

export function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
