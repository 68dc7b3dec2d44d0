/** The executor: pools over threads, processes or inline, and their errors. */
export { Pool } from './pool.js';
export { createPool } from './create-pool.js';
export type { Executor } from './executor.js';
export type { PoolOptions } from './options.js';
export type { FinishedTasks, PoolObserver, TaskRecord } from './observer.js';
export type { PoolStats, WorkerStats } from './stats.js';
export type { BackendKind } from './backends/types.js';
export { transfer } from './types.js';
export type { CallOptions, MapOptions, TaskArgs, TaskCaller, TaskItem, TaskName, TaskResult, Transferred } from './types.js';
export {
  AbortError,
  InvalidOptionError,
  ModuleLoadError,
  PoolClosedError,
  QueueFullError,
  ResultLostError,
  SerializationError,
  TaskError,
  TimeoutError,
  UnknownTaskError,
  WeftError,
  WorkerCrashedError,
} from './errors.js';
