/**
 * What a pool tells an observer, for telemetry, traces and profiles. Off unless `observer` is
 * given, and then each hook is a plain call, so a pool without one pays a single check per batch.
 * Every time is an epoch time in milliseconds (`performance.timeOrigin + performance.now()`), which
 * is comparable across the parent, its worker threads and its worker processes.
 */
import type { ExitInfo } from './backends/types.js';

/** One task whose worker reported back (it returned, or threw). */
export interface TaskRecord {
  id: number;
  name: string;
  /** The worker that ran it, e.g. `thread-2`. */
  worker: string;
  /** When it was submitted (parent clock). */
  enqueuedAt: number;
  /** When the worker started it (worker clock). */
  startedAt: number;
  /** How long the task function ran inside the worker. */
  runMs: number;
  /** When the parent received its result. */
  receivedAt: number;
  /** Whether the task function returned (`ok`) or threw (`threw`); unsendable results and unknown names count as `threw`. */
  outcome: 'ok' | 'threw';
}

/**
 * The tasks one results message settled, read by index (`0 <= i < count`). The pool reuses this view
 * for the next message: read what you need during the call and keep no reference to it.
 */
export interface FinishedTasks {
  /** The worker that ran them, e.g. `thread-2`. */
  readonly worker: string;
  /** When the parent received the message (epoch ms). */
  readonly receivedAt: number;
  readonly count: number;
  id(i: number): number;
  name(i: number): string;
  /** When it was submitted (parent clock). */
  enqueuedAt(i: number): number;
  /** When the worker started it (worker clock). */
  startedAt(i: number): number;
  /** How long the task function ran inside the worker. */
  runMs(i: number): number;
  /** The task function returned (false: it threw, its result could not be sent, or its name was unknown). */
  ok(i: number): boolean;
}

/** Hooks a pool calls; implement any subset. They run on the pool's thread and must be cheap. */
export interface PoolObserver {
  /** A task's result came back from its worker. Convenient; {@link PoolObserver.tasksFinished} is the cheap form. */
  taskFinished?(record: TaskRecord): void;
  /**
   * The tasks of one results message came back from their worker. Called once per message with a reused view,
   * so it costs no object per task: the form to use for recording every task of a busy pool.
   */
  tasksFinished?(batch: FinishedTasks): void;
  /** A task settled without a result from a worker: timed out, aborted, its worker crashed, or the pool closed. */
  taskFailed?(failure: { id: number; name: string; worker?: string; error: Error; at: number }): void;
  /** A batch of `tasks` jobs was handed to `worker`; `sendMs` is the time spent serialising and posting it. */
  batchSent?(worker: string, tasks: number, sendMs: number, at: number): void;
  /** A results message from `worker` was handled; `handleMs` is the time spent settling its `results` tasks. */
  resultsReceived?(worker: string, results: number, handleMs: number, at: number): void;
  /** A worker was started, became ready (module loaded), or exited. */
  workerStarted?(worker: string, at: number): void;
  workerReady?(worker: string, at: number): void;
  workerExited?(worker: string, at: number, info: ExitInfo): void;
}

const HOOKS = ['taskFinished', 'tasksFinished', 'taskFailed', 'batchSent', 'resultsReceived', 'workerStarted', 'workerReady', 'workerExited'] as const;

/**
 * One observer that calls every given observer's hooks, in order. It has only the hooks that at least one of them
 * has, since a pool skips the work behind a hook nobody listens to.
 */
export function combineObservers(...observers: (PoolObserver | undefined)[]): PoolObserver | undefined {
  const present = observers.filter((o): o is PoolObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  const combined: Record<string, (...args: unknown[]) => void> = {};
  for (const hook of HOOKS) {
    const listeners = present.filter((o) => typeof o[hook] === 'function') as Record<string, (...args: unknown[]) => void>[];
    if (listeners.length > 0) combined[hook] = (...args) => listeners.forEach((o) => o[hook](...args));
  }
  return combined as PoolObserver;
}
