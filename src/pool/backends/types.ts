/**
 * The one seam between the pool and the ways of running code. A backend starts workers; the
 * pool knows nothing else about threads or processes.
 */
import type { ProgressWords } from '../progress.js';
import type { ParentMessage, Transferable, WorkerMessage } from '../protocol.js';

/** How a worker ended. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Extra detail, e.g. an out-of-memory error reported by the runtime. */
  reason?: string;
}

/** What a started worker reports to the pool. */
export interface WorkerEvents {
  message(message: WorkerMessage): void;
  /** Called exactly once, after every message the worker sent has been delivered. */
  exit(info: ExitInfo): void;
}

/** A running worker, as the pool sees it. */
export interface WorkerChannel {
  /** e.g. `thread-2` or `process-1 (pid 4242)`. */
  readonly name: string;
  /** Operating-system process id for process workers. */
  readonly pid?: number;
  /** The worker's progress record, when it can have one (see progress.ts). */
  readonly progress?: ProgressWords;
  /** Sends a batch. Throws synchronously when the message cannot be serialised. */
  send(message: ParentMessage, transfer?: Transferable[]): void;
  /** Stops the worker now, even mid-task. Idempotent; `exit` follows. */
  terminate(): void;
  /**
   * Stops one task where it runs and keeps the worker (cluster workers, which are lines of remote jobs). When
   * present, a timeout or abort calls this instead of `terminate`; the task's answer still comes, and is ignored.
   */
  cancel?(taskId: number): void;
  /** Whether this worker keeps the parent's event loop alive (only while the pool has work). */
  setReferenced(referenced: boolean): void;
}

/** Options every backend understands. */
export interface SpawnOptions {
  moduleUrl: string;
  name: string;
  /** Heap limits: threads apply them natively, processes as V8 flags. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
  /** Extra Node flags for the worker (processes) or its execArgv (threads). */
  execArgv?: string[];
  /** Environment variables for process workers. */
  env?: NodeJS.ProcessEnv;
}

/** A way of running tasks: threads, processes, or inline. */
export interface Backend {
  readonly kind: BackendKind;
  /** Whether transfer lists move memory (threads) rather than being ignored. */
  readonly transfers: boolean;
  /** Milliseconds of work to keep queued in each worker (see pipeline.ts). */
  readonly pipelineBudgetMs: number;
  /**
   * Whether a worker runs the tasks of its line at once rather than one after another (a cluster worker: a line of
   * jobs, each run over a machine's cores). Then a task with a timeout or signal goes alone to an empty worker,
   * which takes nothing else until it is answered: its timeout and its stop concern that task only.
   */
  readonly concurrentLine?: boolean;
  spawn(options: SpawnOptions, events: WorkerEvents): WorkerChannel;
  /** Rewrites arguments before sending, e.g. shared-memory arrays into handles a process can map. */
  encodeArgs?(args: unknown[]): unknown[];
  /** Why no worker has loaded the module yet, for the `loadTimeout` error (cluster: what it is waiting for). */
  loadTimeoutReason?(): string;
  /** Releases what the backend holds for its pool (cluster: the Redis connections), after every worker exited. */
  close?(): Promise<void>;
}

/** The backends that run on this machine (what the auto backend chooses among). */
export type LocalBackendKind = 'thread' | 'process' | 'inline';
export type BackendKind = LocalBackendKind | 'cluster';
