/**
 * The pool: accepts tasks, queues them, hands them to workers in batches, and makes sure every
 * submitted task settles exactly once, whatever its worker does.
 */
import { performance } from 'node:perf_hooks';
import { inCompletionOrder } from './as-completed.js';
import { backendFor } from './backends/index.js';
import type { Backend, ExitInfo, SpawnOptions } from './backends/types.js';
import {
  AbortError,
  ModuleLoadError,
  PoolClosedError,
  QueueFullError,
  SerializationError,
  TaskError,
  TimeoutError,
  UnknownTaskError,
  WeftError,
  WorkerCrashedError,
  type RemoteError,
} from './errors.js';
import { checkTimeout, resolveOptions, USER_MODULE, type PoolOptions, type ResolvedOptions } from './options.js';
import { chunkSizeOf, taskCaller, type Executor } from './executor.js';
import type { PoolObserver } from './observer.js';
import { PipelineDepth } from './pipeline.js';
import {
  JOB_CALL,
  JOB_CHUNK,
  JOB_ISOLATED,
  JOB_SHARED,
  RESULT_ID,
  RESULT_OK,
  RESULT_RUN_MS,
  RESULT_STARTED_AT,
  RESULT_STATUS,
  RESULT_STRIDE,
  RESULT_THREW,
  RESULT_UNKNOWN_TASK,
  RESULT_UNSENDABLE,
  RESULT_VALUE,
  type ResultStatus,
  type Transferable,
  type WorkerMessage,
} from './protocol.js';
import { TaskQueue } from './queue.js';
import { SignalWatcher } from './signals.js';
import { StatsRecorder, type PoolStats } from './stats.js';
import { Task } from './task.js';
import type { AnyFunction, CallOptions, MapOptions, TaskArgs, TaskCaller, TaskItem, TaskName, TaskResult } from './types.js';
import { describeUnsendable } from './unsendable.js';
import { toModuleUrl } from './worker/load-module.js';
import { WorkerSlot } from './worker-slot.js';
import { FinishedBatch } from './finished-batch.js';
import { CopyOnce } from './copy-once.js';

/**
 * After this many workers in a row die before loading the module, the pool stops trying. A
 * worker killed from outside (SIGKILL, SIGTERM) while starting is less likely the module's fault,
 * so such deaths weigh less; a module that always dies at start still ends the loop.
 */
const MAX_START_FAILURES = 3;
const EXTERNAL_KILL_WEIGHT = 0.25;

const epochNow = (): number => performance.timeOrigin + performance.now();
/** How long the pool's thread stays awake for a short task's answer (see keepAwake). */
const AWAKE_MS = 0.02;

/**
 * A pool of workers running the functions of one task module.
 * @typeParam M - the task module's type, `typeof import('./tasks.js')`, which types `call`, `submit` and `map`.
 */
export class Pool<M = Record<string, AnyFunction>> implements Executor<M> {
  /** One typed method per exported task: `await pool.call.countPrimes(0, 1_000_000)`. */
  readonly call: TaskCaller<M>;
  /** The backend in use. */
  readonly backend: Backend['kind'];

  private readonly impl: Backend;
  private readonly observer: PoolObserver | undefined;
  private awakeUntil = 0;
  private awakeScheduled = false;
  /** The reused view passed to `observer.tasksFinished`. */
  private readonly finished = new FinishedBatch();
  /** Copies of large typed-array arguments made for the batch being sent (thread workers). */
  private readonly copyOnce = new CopyOnce();
  private readonly options: ResolvedOptions;
  private readonly spawnBase: Omit<SpawnOptions, 'name'>;
  private readonly moduleUrl: string;
  /** The module as errors name it: the user's, also when the workers load a wrapper of it. */
  private readonly shownModule: string;
  private readonly slots = new Set<WorkerSlot>();
  private readonly queue = new TaskQueue();
  private readonly depth: PipelineDepth;
  private readonly recorder = new StatsRecorder();
  private readonly signals = new SignalWatcher<Task>((task, reason) => this.abortTask(task, reason));
  /** Tells the observer of a task that failed without a worker's answer (one function for all tasks, not a closure each). */
  private readonly reportFailure: ((task: Task, error: unknown) => void) | undefined;
  private nextTaskId = 1;
  private nextWorkerIndex = 1;
  private taskNames: string[] | undefined;
  private loadError: ModuleLoadError | undefined;
  private startFailures = 0;
  private closed = false;
  private destroyed = false;
  private closing: Promise<void> | undefined;
  private dispatchScheduled = false;
  private referenced = false;
  private unrefScheduled = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(options: PoolOptions) {
    this.options = resolveOptions(options);
    this.impl = backendFor(this.options.backend);
    this.depth = new PipelineDepth(this.impl.pipelineBudgetMs);
    this.backend = this.impl.kind;
    this.moduleUrl = toModuleUrl(options.module);
    this.shownModule = (options as { [USER_MODULE]?: string })[USER_MODULE] ?? this.moduleUrl;
    this.spawnBase = {
      moduleUrl: this.moduleUrl,
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    };
    this.observer = options.observer;
    const failed = this.observer?.taskFailed?.bind(this.observer);
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
    if (this.readyCount() >= this.options.workers) return Promise.resolve();
    // Starting workers must keep the process alive while someone waits for them.
    if (!this.referenced) this.setReferenced(true);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Stops taking tasks, lets every accepted task finish, then stops the workers. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        await this.whenIdle();
        await this.stopAllWorkers();
      })();
    }
    return this.closing;
  }

  /** Stops now: every pending task rejects with `PoolClosedError`, and the workers are terminated. */
  async destroy(): Promise<void> {
    if (this.destroyed) return this.stopAllWorkers();
    this.closed = true;
    this.destroyed = true;
    const error = new PoolClosedError('the pool was destroyed before this task finished');
    for (const task of this.queue.drain()) task.reject(error);
    for (const slot of this.slots) for (const task of slot.takeAll()) task.reject(error);
    this.rejectReadyWaiters(error);
    this.notifyIfIdle();
    await this.stopAllWorkers();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Counters, latency percentiles and per-worker busy share. */
  stats(): PoolStats {
    const now = performance.now();
    let running = 0;
    for (const slot of this.slots) running += slot.inFlight;
    const r = this.recorder;
    return {
      backend: this.backend,
      workers: this.liveCount(),
      queued: this.queue.size,
      running,
      completed: r.completed,
      failed: r.failed,
      cancelled: r.cancelled,
      timedOut: r.timedOut,
      crashes: r.crashes,
      queueWaitMs: r.queueWait.summary(),
      runTimeMs: r.runTime.summary(),
      perWorker: [...this.slots].map((slot) => ({
        name: slot.name,
        pid: slot.channel.pid,
        tasks: slot.tasksDone,
        busyMs: slot.busyMs,
        busyShare: slot.busyShare(now),
      })),
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
    if (options?.timeout !== undefined) {
      try {
        checkTimeout('timeout', options.timeout);
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
    let busy = 0;
    for (const slot of this.slots) if (slot.state !== 'dead' && slot.state !== 'stopping' && slot.inFlight > 0) busy++;
    return Math.max(0, this.options.workers - busy);
  }

  // ---- dispatch ---------------------------------------------------------------------------

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => this.dispatch());
  }

  /** Hands queued tasks to ready workers, least loaded first, in batches sized by the pipeline depth. */
  private dispatch(): void {
    this.dispatchScheduled = false;
    if (this.destroyed || this.loadError) return;
    this.ensureWorkers();
    if (this.queue.size === 0) return;
    // Workers still starting will want their share soon: don't hand it all to the first one up.
    const sharers = Math.max(1, this.liveCount());
    while (this.queue.size > 0) {
      const slot = this.leastLoadedReady();
      if (!slot) break;
      const next = this.queue.peek()!;
      const room = this.depth.room(next.name, slot.inFlight);
      if (room <= 0) break;
      const fairShare = Math.ceil(this.queue.size / sharers);
      const count = Math.max(1, Math.min(room, fairShare));
      const batch: Task[] = [];
      while (batch.length < count && this.queue.size > 0) batch.push(this.queue.shift()!);
      this.send(slot, batch);
    }
  }

  private leastLoadedReady(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) if (slot.state === 'ready' && (!best || slot.inFlight < best.inFlight)) best = slot;
    return best;
  }

  private send(slot: WorkerSlot, batch: Task[]): void {
    const wasIdle = slot.inFlight === 0;
    const jobs: unknown[] = [];
    let transfer: Transferable[] | undefined;
    const copyOnce = this.impl.transfers ? this.copyOnce : undefined;
    copyOnce?.reset();
    for (const task of batch) {
      let kind = task.kind;
      if (task.controllable || this.depth.isLong(task.name)) kind |= JOB_ISOLATED;
      let payload = task.payload;
      if (this.impl.encodeArgs) {
        payload = this.impl.encodeArgs(payload);
        if (payload !== task.payload) kind |= JOB_SHARED;
      }
      if (copyOnce) {
        if (task.transfer) (transfer ??= []).push(...task.transfer);
        payload = copyOnce.apply(payload, task.transfer);
      }
      jobs.push(task.id, task.name, payload, kind);
    }
    const copied = copyOnce?.transfers();
    if (copied && copied.length > 0) (transfer ??= []).push(...copied);
    const sendStart = this.observer ? performance.now() : 0;
    try {
      slot.channel.send({ type: 'run', jobs }, transfer);
      if (this.observer) this.observer.batchSent?.(slot.name, batch.length, performance.now() - sendStart, epochNow());
    } catch (error) {
      // One task in the batch cannot travel: send the others one by one and reject it by name.
      if (batch.length > 1) {
        for (const task of batch) this.send(slot, [task]);
      } else {
        const task = batch[0];
        this.recorder.failed++;
        task.reject(new SerializationError(task.name, ...describeUnsendable(task.payload, task.kind === JOB_CHUNK, this.impl.kind, error)));
      }
      return;
    }
    for (const task of batch) {
      task.state = 'sent';
      task.slot = slot;
      slot.add(task);
    }
    if (wasIdle) {
      this.startRunning(slot);
      if (!this.depth.isLong(batch[0].name)) this.keepAwake();
    }
  }

  /**
   * Keeps this thread's event loop turning (one setImmediate after another) for up to {@link AWAKE_MS} while a
   * short task is out, instead of letting it sleep at once: the answer usually comes within microseconds, and
   * a thread that went to sleep takes tens of microseconds to wake (on a VM, its virtual CPU halts). Everything
   * else on the event loop keeps running meanwhile; only the CPU is kept busy, and for short tasks only.
   */
  private keepAwake(): void {
    this.awakeUntil = performance.now() + AWAKE_MS;
    if (this.awakeScheduled) return;
    this.awakeScheduled = true;
    const turn = (): void => {
      if (performance.now() < this.awakeUntil && !this.isIdle()) setImmediate(turn);
      else this.awakeScheduled = false;
    };
    setImmediate(turn);
  }

  /** The head of a worker's line is running now: its timeout clock starts. */
  private startRunning(slot: WorkerSlot): void {
    const head = slot.head();
    if (!head || head.settled) return;
    head.runningSince = performance.now();
    head.startTimer(() => {
      this.recorder.timedOut++;
      this.stopWorker(slot, head, new TimeoutError(head.name, head.timeoutMs!, true));
    });
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
      this.stopWorker(task.slot, task, error);
    } else {
      // Pipelined behind the running task: reject now; the worker's answer will be ignored.
      task.reject(error);
    }
  }

  /** Terminates a worker to stop the task it is running; tasks queued behind it go back to the pool. */
  private stopWorker(slot: WorkerSlot, running: Task, error: Error): void {
    running.reject(error);
    if (slot.state === 'dead' || slot.state === 'stopping') return;
    slot.state = 'stopping';
    slot.stoppedFor = running;
    this.requeue(slot.takeAll().filter((task) => task !== running));
    slot.channel.terminate();
    this.scheduleDispatch();
    this.notifyIfIdle();
  }

  private requeue(tasks: Task[]): void {
    const live = tasks.filter((task) => !task.settled);
    for (const task of live) {
      task.state = 'queued';
      task.slot = undefined;
    }
    this.queue.pushFront(live);
  }

  // ---- workers ----------------------------------------------------------------------------

  /** Starts workers up to what the queue needs (lazy) or up to `workers` (eager, or `minimum`). */
  private ensureWorkers(minimum = 0): void {
    if (this.destroyed || this.loadError) return;
    const target = this.options.start === 'eager' && !this.closed ? this.options.workers : minimum;
    const live = this.liveCount();
    const wanted = Math.min(this.options.workers, Math.max(target, live + this.queue.size));
    for (let i = live; i < wanted; i++) this.spawn();
  }

  private spawn(): void {
    const slot = new WorkerSlot(this.nextWorkerIndex++);
    this.slots.add(slot);
    try {
      slot.channel = this.impl.spawn(
        { ...this.spawnBase, name: `${this.impl.kind}-${slot.index}` },
        { message: (message) => this.onMessage(slot, message), exit: (info) => this.onExit(slot, info) },
      );
      slot.channel.setReferenced(this.referenced);
      this.observer?.workerStarted?.(slot.channel.name, epochNow());
    } catch (error) {
      slot.channel = { name: `${this.impl.kind}-${slot.index}`, send: () => {}, terminate: () => {}, setReferenced: () => {} };
      queueMicrotask(() => this.onExit(slot, { code: null, signal: null, reason: (error as Error).message }));
    }
  }

  private onMessage(slot: WorkerSlot, message: WorkerMessage): void {
    switch (message.type) {
      case 'results':
        this.onResults(slot, message.results);
        break;
      case 'ready':
        if (slot.state === 'starting') slot.state = 'ready';
        this.observer?.workerReady?.(slot.name, epochNow());
        this.taskNames = message.tasks;
        this.startFailures = 0;
        if (this.readyCount() >= this.options.workers) this.resolveReadyWaiters();
        this.dispatch();
        break;
      case 'load-error':
        this.failLoading(new ModuleLoadError(this.shownModule, message.error));
        break;
      case 'exiting':
        this.onExiting(slot, message.code);
        break;
    }
  }

  private onResults(slot: WorkerSlot, results: unknown[]): void {
    const observer = this.observer;
    const handleStart = observer ? performance.now() : 0;
    // One receive time for the whole message: its results all arrived together.
    const receivedAt = observer ? epochNow() : 0;
    const batch = observer?.tasksFinished ? this.finished : undefined;
    batch?.begin(slot.name, receivedAt, results);
    for (let i = 0; i < results.length; i += RESULT_STRIDE) {
      const id = results[i + RESULT_ID] as number;
      let task = slot.head();
      if (task && task.id === id) slot.shift();
      else task = slot.removeById(id);
      if (!task) continue;
      const runMs = results[i + RESULT_RUN_MS] as number;
      slot.tasksDone++;
      slot.busyMs += runMs;
      this.depth.observe(task.name, runMs);
      this.recorder.runTime.add(runMs);
      this.recorder.queueWait.add(Math.max(0, (results[i + RESULT_STARTED_AT] as number) - task.enqueuedAt));
      batch?.add(task, i);
      if (observer?.taskFinished) {
        observer.taskFinished({
          id: task.id,
          name: task.name,
          worker: slot.name,
          enqueuedAt: task.enqueuedAt,
          startedAt: results[i + RESULT_STARTED_AT] as number,
          runMs,
          receivedAt,
          outcome: results[i + RESULT_STATUS] === RESULT_OK ? 'ok' : 'threw',
        });
      }
      if (!task.settled) this.settleFromResult(task, slot, results[i + RESULT_STATUS] as ResultStatus, results[i + RESULT_VALUE]);
    }
    if (batch) {
      observer!.tasksFinished!(batch);
      batch.end();
    }
    if (observer) observer.resultsReceived?.(slot.name, results.length / RESULT_STRIDE, performance.now() - handleStart, epochNow());
    this.startRunning(slot);
    this.notifyIfIdle();
    this.dispatch();
  }

  private settleFromResult(task: Task, slot: WorkerSlot, status: ResultStatus, value: unknown): void {
    switch (status) {
      case RESULT_OK:
        this.recorder.completed++;
        task.resolve(value);
        return;
      case RESULT_THREW:
        this.recorder.failed++;
        task.reject(new TaskError(task.name, slot.name, value as RemoteError));
        return;
      case RESULT_UNSENDABLE:
        this.recorder.failed++;
        task.reject(new SerializationError(task.name, 'its result', (value as RemoteError).message));
        return;
      case RESULT_UNKNOWN_TASK:
        this.recorder.failed++;
        task.reject(new UnknownTaskError(task.name, value as string[]));
        return;
      default: {
        // A status this side does not know (a worker from another weft version?) still settles the task.
        const unknown: never = status;
        this.recorder.failed++;
        task.reject(new WeftError('WEFT_PROTOCOL', `task '${task.name}' got a result with unknown status ${String(unknown)} from ${slot.name}`));
      }
    }
  }

  /**
   * A task called process.exit: it fails now, without waiting for the process to be reaped
   * (which can take a while on a loaded machine), and nothing more is sent to that worker.
   */
  private onExiting(slot: WorkerSlot, code: number): void {
    slot.exitingCode = code;
    if (slot.state !== 'ready') return;
    slot.state = 'stopping';
    this.recorder.crashes++;
    const line = slot.takeAll();
    const culprit = line.shift();
    slot.stoppedFor = culprit;
    if (culprit && !culprit.settled) {
      this.recorder.failed++;
      culprit.reject(new WorkerCrashedError(culprit.name, slot.name, code, null));
    }
    this.requeue(line);
    this.scheduleDispatch();
  }

  private onExit(slot: WorkerSlot, info: ExitInfo): void {
    const wasStarting = slot.state === 'starting';
    const deliberate = slot.state === 'stopping';
    slot.markExited();
    this.slots.delete(slot);
    this.observer?.workerExited?.(slot.name, epochNow(), info);
    if (!deliberate && !this.destroyed) {
      if (wasStarting && !this.loadError) {
        this.startFailures += info.signal === 'SIGKILL' || info.signal === 'SIGTERM' ? EXTERNAL_KILL_WEIGHT : 1;
        if (this.startFailures >= MAX_START_FAILURES) {
          const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
          this.failLoading(
            new ModuleLoadError(this.shownModule, {
              name: 'WorkerStartError',
              message: `workers repeatedly died before loading the module (the last one ${how})${info.reason ? ` (${info.reason})` : ''}`,
            }),
          );
        }
      } else if (!wasStarting) {
        this.recorder.crashes++;
        const line = slot.takeAll();
        const culprit = line.shift();
        if (culprit && !culprit.settled) {
          this.recorder.failed++;
          culprit.reject(new WorkerCrashedError(culprit.name, slot.name, slot.exitingCode ?? info.code, info.signal, info.reason));
        }
        this.requeue(line);
      }
    }
    this.notifyIfIdle();
    if (!this.destroyed) this.scheduleDispatch();
  }

  /** The module cannot load: fail everything once and start no more workers. */
  private failLoading(error: ModuleLoadError): void {
    if (this.loadError) return;
    this.loadError = error;
    for (const task of this.queue.drain()) task.reject(error);
    for (const slot of this.slots) for (const task of slot.takeAll()) task.reject(error);
    this.rejectReadyWaiters(error);
    this.notifyIfIdle();
    void this.stopAllWorkers();
  }

  private async stopAllWorkers(): Promise<void> {
    // Whoever awaits close() or destroy() must see the workers' exits before the process ends.
    this.setReferenced(true);
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.state !== 'stopping') {
        slot.state = 'stopping';
        slot.channel.terminate();
      }
      exits.push(slot.exited);
    }
    await Promise.all(exits);
  }

  private liveCount(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.state === 'starting' || slot.state === 'ready') n++;
    return n;
  }

  private readyCount(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.state === 'ready') n++;
    return n;
  }

  private resolveReadyWaiters(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    this.notifyIfIdle();
  }

  private rejectReadyWaiters(error: unknown): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.queue.size > 0) return false;
    for (const slot of this.slots) if (slot.state !== 'stopping' && slot.inFlight > 0) return false;
    return true;
  }

  private notifyIfIdle(): void {
    if (!this.referenced && this.idleWaiters.length === 0) return;
    if (!this.isIdle()) return;
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
      if (this.referenced && this.isIdle() && !this.hasWaiters()) this.setReferenced(false);
    });
  }

  /** Someone awaits workers starting (`ready()`) or stopping (`close()`, `destroy()`). */
  private hasWaiters(): boolean {
    if (this.readyWaiters.length > 0) return true;
    for (const slot of this.slots) if (slot.state === 'stopping') return true;
    return false;
  }

  /** An idle pool never keeps the process alive; one with work does. */
  private setReferenced(referenced: boolean): void {
    this.referenced = referenced;
    for (const slot of this.slots) slot.channel.setReferenced(referenced);
  }
}

