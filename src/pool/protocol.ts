/**
 * The messages between a pool and its workers, in one place.
 *
 * Tasks travel in batches: one message carries many jobs, and one reply carries many results,
 * because per-message cost (not per-task cost) dominates small tasks. Batches are flat arrays
 * with a fixed stride rather than arrays of objects: fewer objects to clone or serialise.
 */
import type { DoorbellSlot } from './process-doorbells.js';
import type { RemoteError } from './errors.js';

/** Fields of one job inside a {@link RunMessage}'s flat `jobs` array. */
export const JOB_STRIDE = 4;
/** Job kinds: a single call `fn(...args)`, or a chunk where `fn(item)` runs for each item. */
export const JOB_CALL = 0;
export const JOB_CHUNK = 1;
/**
 * Flag on a job's kind: report every earlier result before starting it, and its own right after.
 * Set for tasks with a timeout or signal, and for long tasks, so the pool always knows which task
 * a worker is running: a timeout then measures the right task, and no finished result waits
 * behind a long one (or is lost with a worker terminated to stop another task).
 */
export const JOB_ISOLATED = 2;
/** Flag on a job's kind: its arguments hold shared-memory handles that the worker must re-attach. */
export const JOB_SHARED = 4;

/** Parent to worker: run these jobs, in order. `jobs` = [id, taskName, argsOrItems, kind, ...]. */
export interface RunMessage {
  type: 'run';
  jobs: unknown[];
}

export type ParentMessage = RunMessage;

/** Fields of one result inside a {@link ResultsMessage}'s flat `results` array. */
export const RESULT_STRIDE = 5;
/** Where each field of a result sits, from the result's start: `results[i + RESULT_STATUS]`. */
export const RESULT_ID = 0;
export const RESULT_STATUS = 1;
/** The returned value, or for a failure what describes it (see {@link ResultStatus}). */
export const RESULT_VALUE = 2;
/** When the task started, as an epoch time in ms (timeOrigin + now), comparable across threads and processes. */
export const RESULT_STARTED_AT = 3;
export const RESULT_RUN_MS = 4;
/** Result statuses. */
export const RESULT_OK = 0;
/** The task threw: the value is a RemoteError. */
export const RESULT_THREW = 1;
/** The result could not be sent: the value is a RemoteError saying why. */
export const RESULT_UNSENDABLE = 2;
/** The module has no such task: the value is the module's task names. */
export const RESULT_UNKNOWN_TASK = 3;
/**
 * The worker that ran it died (a cluster machine's local worker): the value is a {@link CrashInfo}. The task
 * fails with WorkerCrashedError, or runs again if it has retries left, as on a local worker.
 */
export const RESULT_CRASHED = 4;
export type ResultStatus = typeof RESULT_OK | typeof RESULT_THREW | typeof RESULT_UNSENDABLE | typeof RESULT_UNKNOWN_TASK | typeof RESULT_CRASHED;

/** How a remote worker died under a task. */
export interface CrashInfo {
  worker: string;
  exitCode: number | null;
  signal: string | null;
  reason?: string;
}

/**
 * Worker to parent: finished jobs. `results` = [id, status, valueOrError, startedAt, runMs, ...], at the offsets
 * RESULT_ID .. RESULT_RUN_MS.
 */
export interface ResultsMessage {
  type: 'results';
  results: unknown[];
}

/** Worker to parent: the task module loaded; these are its task names. */
export interface ReadyMessage {
  type: 'ready';
  tasks: string[];
  /** Whether the worker keeps its progress record (see progress.ts); without it the pool must guess after a crash. */
  progress: boolean;
}

/** Worker to parent: the task module failed to load. The worker exits after sending it. */
export interface LoadErrorMessage {
  type: 'load-error';
  error: RemoteError;
}

/** Worker to parent: a task called `process.exit(code)`; sent (after pending results) just before exiting. */
export interface ExitingMessage {
  type: 'exiting';
  code: number;
}

/**
 * Worker to parent (cluster workers): what became of these tasks is unknown (their job was lost with a machine
 * or with Redis). Each fails with WorkerCrashedError, or runs again if it has retries left; the worker goes on.
 */
export interface LostMessage {
  type: 'lost';
  ids: number[];
  reason: string;
}

export type WorkerMessage = ResultsMessage | ReadyMessage | LoadErrorMessage | ExitingMessage | LostMessage;

/** What a worker needs to start: where the task module is. */
export interface WorkerData {
  /** A file URL of the task module. */
  moduleUrl: string;
  /** A human name for the worker, used in errors. */
  name: string;
  /** Thread workers: the state of their doorbell, and the process's count of active thread workers (see doorbell.ts). */
  doorbell?: Int32Array;
  activeWorkers?: Int32Array;
  /** Thread workers: their progress record (see progress.ts). Process workers find theirs beside the doorbell. */
  progress?: Int32Array;
  /** Process workers: where their doorbell lives. */
  doorbellSlot?: DoorbellSlot;
  /** Process workers: the pool's process, which they must not outlive. */
  parentPid?: number;
  /**
   * The native addon's file as the pool's process loaded it (undefined if it has not): the worker loads that
   * file first, sparing it node-gyp-build's search (see useAddonAt in shared/native.ts).
   */
  addonPath?: string;
}

/** Symbol used to mark a value returned with a transfer list (see `transfer()`); `Symbol.for` so it matches across module copies. */
export const TRANSFER_MARK = Symbol.for('weft.transfer');

/** Something a thread worker can receive by move instead of copy (an ArrayBuffer, a MessagePort, ...). */
export type { Transferable } from 'node:worker_threads';
