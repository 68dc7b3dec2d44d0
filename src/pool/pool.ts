/**
 * The pool: accepts tasks, queues them, hands them to workers in batches, and makes sure every
 * submitted task settles exactly once, whatever its worker does. The workers themselves, and the
 * traffic with them, are in worker-set.ts.
 */
import { performance } from 'node:perf_hooks';
import { inCompletionOrder } from './as-completed.js';
import { backendFor } from './backends/index.js';
import type { Backend, BackendKind } from './backends/types.js';
import { AbortError, ModuleLoadError, PoolClosedError, QueueFullError, TaskError, UnknownTaskError } from './errors.js';
import { chunkSizeOf, taskCaller, type Executor } from './executor.js';
import { checkInteger, checkTimeout, MAX_RETRIES, resolveOptions, USER_MODULE, type PoolOptions, type ResolvedOptions } from './options.js';
import { PipelineDepth } from './pipeline.js';
import { JOB_CALL, JOB_CHUNK } from './protocol.js';
import { TaskQueue } from './queue.js';
import { SignalWatcher } from './signals.js';
import { StatsRecorder, type PoolStats } from './stats.js';
import { Task } from './task.js';
import type { AnyFunction, CallOptions, MapOptions, TaskArgs, TaskCaller, TaskItem, TaskName, TaskResult } from './types.js';
import { toModuleUrl } from './worker/load-module.js';
import { WorkerSet } from './worker-set.js';

const epochNow = (): number => performance.timeOrigin + performance.now();
const RESOLVED = Promise.resolve();

/**
 * A pool of workers running the functions of one task module.
 * @typeParam M - the task module's type, `typeof import('./tasks.js')`, which types `call`, `submit` and `map`.
 */
export class Pool<M = Record<string, AnyFunction>> implements Executor<M> {
  /** One typed method per exported task: `await pool.call.countPrimes(0, 1_000_000)`. */
  readonly call: TaskCaller<M>;
  /** The backend in use. */
  readonly backend: BackendKind;

  private readonly options: ResolvedOptions;
  private readonly workers: WorkerSet;
  private readonly impl: Backend;
  private readonly queue = new TaskQueue();
  private readonly depth: PipelineDepth;
  private readonly recorder = new StatsRecorder();
  private readonly signals = new SignalWatcher<Task>((task, reason) => this.abortTask(task, reason));
  /** Tells the observer of a task that failed without a worker's answer (one function for all tasks, not a closure each). */
  private readonly reportFailure: ((task: Task, error: unknown) => void) | undefined;
  private nextTaskId = 1;
  private taskNames: string[] | undefined;
  private loadError: ModuleLoadError | undefined;
  private closed = false;
  private destroyed = false;
  private closing: Promise<void> | undefined;
  private dispatchScheduled = false;
  private readonly dispatchNow = (): void => this.dispatch();
  private referenced = false;
  private unrefScheduled = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(options: PoolOptions) {
    this.options = resolveOptions(options);
    const moduleUrl = toModuleUrl(options.module);
    const impl = backendFor(this.options.backend, { connection: options.connection, queue: options.queue, moduleUrl, loadTimeoutMs: this.options.loadTimeout });
    this.impl = impl;
    this.depth = new PipelineDepth(impl.pipelineBudgetMs);
    this.backend = impl.kind;
    const observer = options.observer;
    this.workers = new WorkerSet(
      {
        workerReady: (tasks) => {
          this.taskNames = tasks;
          if (this.workers.readyCount() >= this.options.workers) this.resolveReadyWaiters();
          this.dispatch();
        },
        failLoading: (error) => this.failLoading(error),
        notifyIfIdle: () => this.notifyIfIdle(),
        dispatch: () => this.dispatch(),
        scheduleDispatch: () => this.scheduleDispatch(),
        destroyed: () => this.destroyed,
        loadFailed: () => this.loadError !== undefined,
      },
      impl,
      { moduleUrl, resourceLimits: options.resourceLimits, execArgv: options.execArgv, env: options.env },
      (options as { [USER_MODULE]?: string })[USER_MODULE] ?? moduleUrl,
      this.queue,
      this.depth,
      this.recorder,
      observer,
      this.options.loadTimeout,
    );
    const failed = observer?.taskFailed?.bind(observer);
    this.reportFailure = failed
      ? (task, error) => {
          // Failures that came back from a worker (TaskError) were reported by taskFinished.
          if (!(error instanceof TaskError) && error instanceof Error) failed({ id: task.id, name: task.name, worker: task.slot?.name, error, at: epochNow() });
        }
      : undefined;
    this.call = this.makeCaller({});
    if (this.options.start === 'eager') this.ensureWorkers();
  }

  /** Runs task `name` with `args`; the promise settles with its result or a typed error. */
  submit<K extends TaskName<M>>(name: K, args: TaskArgs<M, K>, options?: CallOptions): Promise<TaskResult<M, K>> {
    return this.enqueue(name, args as unknown[], JOB_CALL, options) as Promise<TaskResult<M, K>>;
  }

  /** Untyped form of `submit`: `pool.run('countPrimes', 0, 1000)`. */
  run(name: string, ...args: unknown[]): Promise<unknown> {
    return this.enqueue(name, args, JOB_CALL, undefined);
  }

  /** The typed `call` object with per-call options: `pool.with({ timeout: 1000 }).call.slowTask()`. */
  with(options: CallOptions): { call: TaskCaller<M> } {
    return { call: this.makeCaller(options) };
  }

  /**
   * Calls `fn(item)` for every item and resolves with the results in input order. With `chunkSize`
   * > 1, that many items travel to a worker as one job. Rejects with the first error.
   */
  async map<K extends TaskName<M>>(name: K, items: Iterable<TaskItem<M, K>>, options: MapOptions = {}): Promise<TaskResult<M, K>[]> {
    const chunkSize = chunkSizeOf(options);
    const list = Array.from(items as Iterable<unknown>);
    if (chunkSize === 1) {
      return Promise.all(list.map((item) => this.enqueue(name, [item], JOB_CALL, options))) as Promise<TaskResult<M, K>[]>;
    }
    const chunks: Promise<unknown>[] = [];
    for (let i = 0; i < list.length; i += chunkSize) {
      chunks.push(this.enqueue(name, list.slice(i, i + chunkSize), JOB_CHUNK, options));
    }
    const results = (await Promise.all(chunks)) as unknown[][];
    return results.flat() as TaskResult<M, K>[];
  }

  /**
   * Calls `fn(item)` for every item and yields `{ index, value }` as each finishes, fastest first
   * (Python's `as_completed`). Throws the first error; stopping early aborts the calls still pending.
   */
  asCompleted<K extends TaskName<M>>(
    name: K,
    items: Iterable<TaskItem<M, K>>,
    options: Omit<MapOptions, 'chunkSize'> = {},
  ): AsyncGenerator<{ index: number; value: TaskResult<M, K> }> {
    const start = (item: unknown, signal: AbortSignal): Promise<unknown> => this.enqueue(name, [item], JOB_CALL, { ...options, signal });
    return inCompletionOrder(items as Iterable<unknown>, start, options.signal) as AsyncGenerator<{ index: number; value: TaskResult<M, K> }>;
  }

  /** Starts every worker (if not started) and resolves once all have loaded the task module. */
  ready(): Promise<void> {
    if (this.loadError) return Promise.reject(this.loadError);
    if (this.closed) return Promise.reject(new PoolClosedError());
    this.ensureWorkers(this.options.workers);
    if (this.workers.readyCount() >= this.options.workers) return Promise.resolve();
    // Starting workers must keep the process alive while someone waits for them.
    if (!this.referenced) this.setReferenced(true);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Stops taking tasks, lets every accepted task finish, then stops the workers. Waiting for the tasks
   * is bounded only by their own `timeout` (give one to tasks that may hang); stopping the workers is
   * bounded: a worker that has not exited 1 s after being terminated is given up on (a
   * `WEFT_WORKER_STUCK` warning), so the promise settles.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        await this.whenIdle();
        // Workers not ready by now never will be: whoever awaits ready() learns that the pool closed.
        this.rejectReadyWaiters(new PoolClosedError());
        await this.stopAllWorkers();
      })();
    }
    return this.closing;
  }

  /**
   * Stops now: every pending task rejects with `PoolClosedError`, and the workers are terminated. Settles
   * within about a second whatever the workers do: one that has not exited 1 s after being terminated is
   * given up on (a `WEFT_WORKER_STUCK` warning) and no longer keeps the process alive.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return this.stopAllWorkers();
    this.closed = true;
    this.destroyed = true;
    const error = new PoolClosedError('the pool was destroyed before this task finished');
    for (const task of this.queue.drain()) task.reject(error);
    this.workers.rejectAll(error);
    this.rejectReadyWaiters(error);
    this.notifyIfIdle();
    await this.stopAllWorkers();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The task module's exported functions, once a worker has loaded it (after `ready()` or a first call); else undefined. */
  tasks(): readonly string[] | undefined {
    return this.taskNames;
  }

  /** Counters, latency percentiles and per-worker busy share. */
  stats(): PoolStats {
    const { running, perWorker } = this.workers.stats();
    const r = this.recorder;
    return {
      backend: this.backend,
      workers: this.workers.liveCount(),
      queued: this.queue.size,
      running,
      completed: r.completed,
      failed: r.failed,
      cancelled: r.cancelled,
      timedOut: r.timedOut,
      crashes: r.crashes,
      retried: r.retried,
      queueWaitMs: r.queueWait.summary(),
      runTimeMs: r.runTime.summary(),
      perWorker,
    };
  }

  // ---- submission -------------------------------------------------------------------------

  private makeCaller(options: CallOptions): TaskCaller<M> {
    return taskCaller((name) => (...args) => this.enqueue(name, args, JOB_CALL, options));
  }

  private enqueue(name: string, payload: unknown[], kind: number, options: CallOptions | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const refusal = this.refusal(name, options);
      if (refusal) return reject(refusal);
      const task = new Task(
        this.nextTaskId++,
        name,
        payload,
        kind,
        options?.transfer,
        options?.timeout ?? this.options.timeout,
        epochNow(),
        resolve,
        reject,
        this.reportFailure,
      );
      task.retriesLeft = options?.retries ?? this.options.retries;
      if (options?.signal) {
        task.controllable = true;
        task.onSettle(this.signals.watch(options.signal, task));
      }
      this.queue.push(task);
      if (!this.referenced) this.setReferenced(true);
      this.scheduleDispatch();
    });
  }

  /** Why a new task cannot be accepted, if it cannot. */
  private refusal(name: string, options: CallOptions | undefined): Error | undefined {
    if (this.loadError) return this.loadError;
    if (this.closed) return new PoolClosedError();
    if (typeof name !== 'string') return new UnknownTaskError(String(name), this.taskNames ?? []);
    if (this.taskNames && !this.taskNames.includes(name)) return new UnknownTaskError(name, this.taskNames);
    if (options?.timeout !== undefined || options?.retries !== undefined) {
      try {
        if (options.timeout !== undefined) checkTimeout('timeout', options.timeout);
        if (options.retries !== undefined) checkInteger('retries', options.retries, 0, MAX_RETRIES);
      } catch (error) {
        return error as Error;
      }
    }
    if (options?.signal?.aborted) return new AbortError(name, options.signal.reason);
    if (this.options.maxQueue !== Infinity && this.queue.size >= this.options.maxQueue + this.idleCapacity()) {
      return new QueueFullError(this.options.maxQueue);
    }
    return undefined;
  }

  /** Workers that could take a task right away (idle, or not started yet): the queue may exceed maxQueue by this many. */
  private idleCapacity(): number {
    return Math.max(0, this.options.workers - this.workers.busyCount());
  }

  // ---- dispatch ---------------------------------------------------------------------------

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    // A promise reaction, not queueMicrotask: that one wraps each callback in an async resource, whose
    // bookkeeping costs more than the dispatch on this path (and is more code for V8 to optimise while a
    // fresh pool warms up).
    void RESOLVED.then(this.dispatchNow);
  }

  /** Hands queued tasks to ready workers, least loaded first, in batches sized by the pipeline depth. */
  private dispatch(): void {
    this.dispatchScheduled = false;
    if (this.destroyed || this.loadError) return;
    const live = this.ensureWorkers();
    if (this.queue.size === 0) return;
    // Workers still starting will want their share soon: don't hand it all to the first one up.
    const sharers = Math.max(1, live);
    // Each worker's share of what is queued now: recomputed after every batch, it shrank with the queue and cut a
    // burst into a long tail of ever smaller batches (2,000 tasks on 8 cluster workers: 46 jobs, the last 1 task each).
    const fairShare = Math.ceil(this.queue.size / sharers);
    const solo = this.impl.concurrentLine === true;
    while (this.queue.size > 0) {
      const slot = this.workers.leastLoadedReady();
      if (!slot) break;
      const next = this.queue.peek()!;
      if (solo && next.controllable) {
        // Alone, to an empty worker (see Backend.concurrentLine).
        if (slot.inFlight > 0) break;
        this.workers.send(slot, [this.queue.shift()!]);
        continue;
      }
      const room = this.depth.room(next.name, slot.inFlight);
      if (room <= 0) break;
      const count = Math.max(1, Math.min(room, fairShare));
      const batch: Task[] = [];
      while (batch.length < count && this.queue.size > 0 && !(solo && this.queue.peek()!.controllable)) batch.push(this.queue.shift()!);
      this.workers.send(slot, batch);
    }
  }

  private abortTask(task: Task, reason: unknown): void {
    if (task.settled) return;
    const error = new AbortError(task.name, reason);
    this.recorder.cancelled++;
    if (task.state === 'queued') {
      this.queue.forget();
      task.reject(error);
      this.notifyIfIdle();
    } else if (task.slot && task.slot.head() === task) {
      this.workers.stop(task.slot, task, error);
    } else {
      // Pipelined behind the running task: reject now; the worker's answer will be ignored. A worker that can
      // stop one task (cluster) is told to, since it may be running it already.
      task.reject(error);
      task.slot?.channel.cancel?.(task.id);
    }
  }

  // ---- workers ----------------------------------------------------------------------------

  /**
   * Starts workers up to what the queue needs (lazy) or up to `workers` (eager, or `minimum`); returns how many
   * are starting or ready. A lazy pool counts a worker that is idle or still starting as one that will take a
   * queued task: a caller that awaits each call keeps one worker, instead of booting a second one (a hundred
   * milliseconds of CPU on a small machine) beside the first while it answers.
   */
  private ensureWorkers(minimum = 0): number {
    const live = this.workers.liveCount();
    if (this.destroyed || this.loadError || live >= this.options.workers) return live;
    // Someone awaits ready(): a worker that died starting is replaced for them too.
    const all = !this.closed && (this.options.start === 'eager' || this.readyWaiters.length > 0);
    const target = all ? this.options.workers : minimum;
    const wanted = Math.min(this.options.workers, Math.max(target, live, this.workers.busyCount() + this.queue.size));
    let started = live;
    while (started < wanted && this.workers.spawn()) started++;
    return started;
  }

  /** The module cannot load: fail everything once and start no more workers. */
  private failLoading(error: ModuleLoadError): void {
    if (this.loadError) return;
    this.loadError = error;
    for (const task of this.queue.drain()) task.reject(error);
    this.workers.rejectAll(error);
    this.rejectReadyWaiters(error);
    this.notifyIfIdle();
    void this.stopAllWorkers();
  }

  private async stopAllWorkers(): Promise<void> {
    // Whoever awaits close() or destroy() must see the workers' exits before the process ends.
    this.setReferenced(true);
    await this.workers.stopAll();
    await this.impl.close?.();
  }

  private resolveReadyWaiters(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    this.notifyIfIdle();
  }

  private rejectReadyWaiters(error: unknown): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  private whenIdle(): Promise<void> {
    if (this.workers.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIfIdle(): void {
    if (!this.referenced && this.idleWaiters.length === 0) return;
    if (!this.workers.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (!this.hasWaiters()) this.scheduleUnref();
  }

  /**
   * Lets go of the event loop one turn later, if still idle: a caller awaiting tasks one after
   * another submits the next in the same turn, and should not pay for unref and ref each time.
   */
  private scheduleUnref(): void {
    if (this.unrefScheduled) return;
    this.unrefScheduled = true;
    setImmediate(() => {
      this.unrefScheduled = false;
      if (this.referenced && this.workers.isIdle() && !this.hasWaiters()) this.setReferenced(false);
    });
  }

  /** Someone awaits workers starting (`ready()`) or stopping (`close()`, `destroy()`). */
  private hasWaiters(): boolean {
    return this.readyWaiters.length > 0 || this.workers.anyStopping();
  }

  /** An idle pool never keeps the process alive; one with work does. */
  private setReferenced(referenced: boolean): void {
    this.referenced = referenced;
    this.workers.setReferenced(referenced);
  }
}
