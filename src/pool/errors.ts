/**
 * Every error a pool produces. Each is its own class so callers can branch with `instanceof`,
 * and each carries a stable `code` for logs and for crossing process boundaries.
 */

import { WeftError } from '../shared/errors.js';

export { WeftError };

/** The task function threw (or its promise rejected) inside a worker. */
export class TaskError extends WeftError {
  /** Name of the task that threw. */
  readonly task: string;
  /** Name of the worker it ran on, e.g. `thread-3`. */
  readonly worker: string;
  /** The `name` of the error the task threw (`TypeError`, ...). */
  readonly remoteName: string;
  /** The stack trace captured inside the worker. */
  readonly remoteStack: string | undefined;
  /** The value the task threw, when it was not an Error (or extra own properties when it was). */
  readonly details: unknown;
  constructor(task: string, worker: string, remote: RemoteError) {
    super('WEFT_TASK_FAILED', `task '${task}' threw on ${worker}: ${remote.name}: ${remote.message}`);
    this.task = task;
    this.worker = worker;
    this.remoteName = remote.name;
    this.remoteStack = remote.stack;
    this.details = remote.details;
    if (remote.stack) this.stack = `${this.name}: ${this.message}\n    --- worker stack ---\n${remote.stack}`;
  }
}

/** The worker running the task died: it exited, was killed by a signal, or ran out of memory. */
export class WorkerCrashedError extends WeftError {
  readonly task: string;
  readonly worker: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(task: string, worker: string, exitCode: number | null, signal: string | null, reason?: string) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super('WEFT_WORKER_CRASHED', `worker ${worker} ${how} while running task '${task}'${reason ? `: ${reason}` : ''}`);
    this.task = task;
    this.worker = worker;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/**
 * The task ran to its end, but its worker died before the result reached the pool (results travel in
 * batches, and a worker killed from outside takes the unsent ones with it). The task ran once; with
 * the `retries` option it runs again instead.
 */
export class ResultLostError extends WeftError {
  readonly task: string;
  readonly worker: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(task: string, worker: string, exitCode: number | null, signal: string | null) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super('WEFT_RESULT_LOST', `task '${task}' finished on ${worker}, but the worker ${how} before its result reached the pool`);
    this.task = task;
    this.worker = worker;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** The task ran longer than its `timeout`; its worker was terminated and replaced. */
export class TimeoutError extends WeftError {
  readonly task: string;
  readonly timeoutMs: number;
  constructor(task: string, timeoutMs: number, wasRunning: boolean) {
    super(
      'WEFT_TIMEOUT',
      wasRunning
        ? `task '${task}' exceeded its timeout of ${timeoutMs} ms; its worker was terminated`
        : `task '${task}' timed out after ${timeoutMs} ms`,
    );
    this.task = task;
    this.timeoutMs = timeoutMs;
  }
}

/** The task's `signal` was aborted. A queued task is removed; a running one has its worker terminated. */
export class AbortError extends WeftError {
  readonly task: string;
  constructor(task: string, reason: unknown) {
    super('WEFT_ABORTED', `task '${task}' was aborted${describeReason(reason)}`, { cause: reason });
    this.task = task;
  }
}

/** The pool's queue already holds `maxQueue` tasks. */
export class QueueFullError extends WeftError {
  readonly maxQueue: number;
  constructor(maxQueue: number) {
    super('WEFT_QUEUE_FULL', `the task queue is full (maxQueue = ${maxQueue}); wait for tasks to finish or raise maxQueue`);
    this.maxQueue = maxQueue;
  }
}

/** The pool was closed or destroyed: it takes no new tasks, and `destroy()` rejects pending ones with this. */
export class PoolClosedError extends WeftError {
  constructor(message = 'the pool is closed and accepts no new tasks') {
    super('WEFT_POOL_CLOSED', message);
  }
}

/** The task module has no exported function of that name. */
export class UnknownTaskError extends WeftError {
  readonly task: string;
  readonly available: readonly string[];
  constructor(task: string, available: readonly string[]) {
    super(
      'WEFT_UNKNOWN_TASK',
      `the task module has no exported function '${task}'; it exports: ${available.length ? available.join(', ') : '(no functions)'}`,
    );
    this.task = task;
    this.available = available;
  }
}

/** An argument could not be sent to a worker, or a result back from it. */
export class SerializationError extends WeftError {
  readonly task: string;
  /** `'to-worker'` for arguments, `'from-worker'` for a result. */
  readonly direction: 'to-worker' | 'from-worker';
  constructor(task: string, what: string, why: string, direction: 'to-worker' | 'from-worker' = 'to-worker') {
    const where = direction === 'to-worker' ? 'cannot be sent to the worker' : 'could not be sent back from the worker';
    super('WEFT_NOT_SENDABLE', `task '${task}': ${what} ${where}: ${why}`);
    this.task = task;
    this.direction = direction;
  }
}

/** An option had a wrong type or was out of its allowed range. */
export class InvalidOptionError extends WeftError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('WEFT_INVALID_OPTION', `invalid option '${option}': ${message}`);
    this.option = option;
  }
}

/** The task module could not be loaded in a worker. Reported once; the pool stops spawning workers. */
export class ModuleLoadError extends WeftError {
  readonly module: string;
  constructor(module: string, remote: RemoteError) {
    super('WEFT_MODULE_LOAD_FAILED', `the task module ${module} failed to load in a worker: ${remote.name}: ${remote.message}`);
    this.module = module;
    if (remote.stack) this.stack = `${this.name}: ${this.message}\n    --- worker stack ---\n${remote.stack}`;
  }
}

/** An error as it crosses from a worker: plain data, safe for any channel. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
  details?: unknown;
}

/** Turns anything thrown into plain data that survives structured clone and V8 serialisation. */
export function toRemoteError(thrown: unknown): RemoteError {
  if (thrown instanceof Error) {
    const extra: Record<string, unknown> = {};
    for (const key of Object.keys(thrown)) {
      const value = (thrown as unknown as Record<string, unknown>)[key];
      if (isPlainValue(value)) extra[key] = value;
    }
    return {
      name: thrown.name,
      message: thrown.message,
      stack: thrown.stack,
      details: Object.keys(extra).length ? extra : undefined,
    };
  }
  return { name: 'NonErrorThrown', message: safeString(thrown), details: isPlainValue(thrown) ? thrown : undefined };
}

function isPlainValue(value: unknown): boolean {
  const t = typeof value;
  return value === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function describeReason(reason: unknown): string {
  if (reason === undefined) return '';
  if (reason instanceof Error) return `: ${reason.message}`;
  return `: ${safeString(reason)}`;
}
