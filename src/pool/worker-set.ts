/**
 * The pool's workers and the traffic with them: starting one (spawn), sending it batches and settling
 * the tasks its results name, replacing one that died (its running task fails, the tasks behind it go
 * back to the queue), and stopping them (one to end the task it runs, or all). The pool decides what
 * to send and when; this side tells it through {@link PoolSide} when that may have changed.
 */
import { performance } from 'node:perf_hooks';
import type { Backend, ExitInfo, SpawnOptions, WorkerEvents } from './backends/types.js';
import { CopyOnce } from './copy-once.js';
import { ModuleLoadError, SerializationError, TaskError, TimeoutError, UnknownTaskError, WeftError, WorkerCrashedError, type RemoteError } from './errors.js';
import { FinishedBatch } from './finished-batch.js';
import type { PoolObserver } from './observer.js';
import type { PipelineDepth } from './pipeline.js';
import {
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
  RESULT_CRASHED,
  type CrashInfo,
  RESULT_UNSENDABLE,
  RESULT_VALUE,
  type ResultStatus,
  type Transferable,
  type WorkerMessage,
} from './protocol.js';
import type { TaskQueue } from './queue.js';
import type { PoolStats, StatsRecorder } from './stats.js';
import type { Task } from './task.js';
import { describeUnsendable } from './unsendable.js';
import { WorkerSlot } from './worker-slot.js';
import { Aftermath } from './aftermath.js';
import { StartGuard } from './start-guard.js';

/**
 * How long (ms) the pool waits for a terminated worker to exit before it gives up on it: a thread blocked
 * in native code cannot be stopped until it returns, and close() and destroy() must still settle.
 */
const EXIT_WAIT_MS = 1000;

const epochNow = (): number => performance.timeOrigin + performance.now();
/** How long the pool's thread stays awake for a short task's answer (see keepAwake). */
const AWAKE_MS = 0.02;

/** What the worker set needs of the pool that owns it. */
export interface PoolSide {
  /** A worker loaded the module, whose task names are `tasks`. */
  workerReady(tasks: string[]): void;
  /** The module cannot load: the pool fails everything and starts no more workers. */
  failLoading(error: ModuleLoadError): void;
  notifyIfIdle(): void;
  dispatch(): void;
  scheduleDispatch(): void;
  destroyed(): boolean;
  loadFailed(): boolean;
}

export class WorkerSet {
  /** An array, not a Set: the pool scans it several times per call, and an indexed loop is the least code. */
  private readonly slots: WorkerSlot[] = [];
  /** The reused view passed to `observer.tasksFinished`. */
  private readonly finished = new FinishedBatch();
  /** Copies of large typed-array arguments made for the batch being sent (thread workers). */
  private readonly copyOnce = new CopyOnce();
  private readonly aftermath: Aftermath;
  private readonly starts: StartGuard;
  private nextWorkerIndex = 1;
  private referenced = false;
  private awakeUntil = 0;
  private awakeScheduled = false;

  constructor(
    private readonly pool: PoolSide,
    private readonly impl: Backend,
    private readonly spawnBase: Omit<SpawnOptions, 'name'>,
    /** The module as errors name it: the user's, also when the workers load a wrapper of it. */
    private readonly shownModule: string,
    /** The pool's queue, its pipeline depth, counters and observer, shared with it. */
    private readonly queue: TaskQueue,
    private readonly depth: PipelineDepth,
    private readonly recorder: StatsRecorder,
    private readonly observer: PoolObserver | undefined,
    /** Ms a worker may take to load the module (the pool's `loadTimeout`). */
    private readonly loadTimeoutMs: number,
  ) {
    this.aftermath = new Aftermath(queue, recorder);
    this.starts = new StartGuard(loadTimeoutMs);
  }

  // ---- spawn ------------------------------------------------------------------------------

  /** Starts a worker, unless a start-up death asks for a pause (then the pool is told to dispatch once it is over). */
  spawn(): boolean {
    if (!this.starts.mayStart(() => this.pool.dispatch())) return false;
    const slot = new WorkerSlot(this.nextWorkerIndex++);
    this.slots.push(slot);
    const events: WorkerEvents = { message: (message) => this.onMessage(slot, message), exit: (info) => this.onExit(slot, info) };
    try {
      slot.channel = this.impl.spawn({ ...this.spawnBase, name: `${this.impl.kind}-${slot.index}` }, events);
      slot.channel.setReferenced(this.referenced);
      this.observer?.workerStarted?.(slot.channel.name, epochNow());
    } catch (error) {
      slot.channel = { name: `${this.impl.kind}-${slot.index}`, send: () => {}, terminate: () => {}, setReferenced: () => {} };
      queueMicrotask(() => this.onExit(slot, { code: null, signal: null, reason: (error as Error).message }));
    }
    slot.timer = setTimeout(() => this.onLoadTimeout(slot), this.loadTimeoutMs);
    if (!this.referenced) slot.timer.unref();
    return true;
  }

  private forget(slot: WorkerSlot): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
  }

  /** Workers started and not yet stopping or exited. */
  liveCount(): number {
    let n = 0;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i].state === 'starting' || slots[i].state === 'ready') n++;
    return n;
  }

  readyCount(): number {
    let n = 0;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i].state === 'ready') n++;
    return n;
  }

  /** Workers running tasks (and not being stopped). */
  busyCount(): number {
    let busy = 0;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot.state !== 'dead' && slot.state !== 'stopping' && slot.inFlight > 0) busy++;
    }
    return busy;
  }

  leastLoadedReady(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    const slots = this.slots;
    const solo = this.impl.concurrentLine === true;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot.state !== 'ready' || (best && slot.inFlight >= best.inFlight)) continue;
      // A worker holding a task that must be alone (see Backend.concurrentLine) takes nothing else.
      if (solo && slot.head()?.controllable) continue;
      best = slot;
    }
    return best;
  }

  /** Nothing queued and no worker (other than one being stopped) running a task. */
  isIdle(): boolean {
    if (this.queue.size > 0) return false;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i].state !== 'stopping' && slots[i].inFlight > 0) return false;
    return true;
  }

  /** Some worker is being stopped (someone will await its exit). */
  anyStopping(): boolean {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i].state === 'stopping') return true;
    return false;
  }

  /** Whether the workers keep the process alive. */
  setReferenced(referenced: boolean): void {
    this.referenced = referenced;
    this.starts.setReferenced(referenced);
    for (const slot of this.slots) {
      slot.channel.setReferenced(referenced);
      if (referenced) slot.timer?.ref();
      else slot.timer?.unref();
    }
  }

  /** The tasks sent to workers and not finished, and each worker's figures. */
  stats(): Pick<PoolStats, 'running' | 'perWorker'> {
    const now = performance.now();
    let running = 0;
    for (const slot of this.slots) running += slot.inFlight;
    const perWorker = this.slots.map((slot) => ({
      name: slot.name,
      pid: slot.channel.pid,
      tasks: slot.tasksDone,
      busyMs: slot.busyMs,
      busyShare: slot.busyShare(now),
    }));
    return { running, perWorker };
  }

  // ---- send and settle --------------------------------------------------------------------

  send(slot: WorkerSlot, batch: Task[]): void {
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
    // After the send's try: an observer that throws must not make the batch look unsent (it would go twice).
    if (this.observer) this.observer.batchSent?.(slot.name, batch.length, performance.now() - sendStart, epochNow());
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
      this.stop(slot, head, new TimeoutError(head.name, head.timeoutMs!, true));
    });
  }

  private onMessage(slot: WorkerSlot, message: WorkerMessage): void {
    switch (message.type) {
      case 'results':
        this.onResults(slot, message.results);
        break;
      case 'ready':
        if (slot.state === 'starting') {
          slot.state = 'ready';
          clearTimeout(slot.timer);
          slot.timer = undefined;
        }
        if (message.progress) slot.progress = slot.channel.progress;
        this.observer?.workerReady?.(slot.name, epochNow());
        this.starts.ready();
        this.pool.workerReady(message.tasks);
        break;
      case 'load-error':
        this.pool.failLoading(new ModuleLoadError(this.shownModule, message.error));
        break;
      case 'exiting':
        this.onExiting(slot, message.code);
        break;
      case 'lost':
        this.onLost(slot, message.ids, message.reason);
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
    this.pool.notifyIfIdle();
    // Nothing waits (a caller awaiting one call at a time): no dispatch, which would otherwise be compiled
    // into this function too. Replacing dead workers is the exit handler's job, not this one's.
    if (this.queue.size > 0) this.pool.dispatch();
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
        task.reject(new SerializationError(task.name, 'its result', (value as RemoteError).message, 'from-worker'));
        return;
      case RESULT_UNKNOWN_TASK:
        this.recorder.failed++;
        task.reject(new UnknownTaskError(task.name, value as string[]));
        return;
      case RESULT_CRASHED: {
        const crash = value as CrashInfo;
        const error = new WorkerCrashedError(task.name, `${crash.worker} on ${slot.name}`, crash.exitCode, crash.signal, crash.reason);
        if (this.aftermath.crashed(task, error)) {
          this.aftermath.requeue([task]);
          this.pool.scheduleDispatch();
        }
        return;
      }
      default: {
        // A status this side does not know (a worker of another weft version?) still settles the task.
        const unknown: never = status;
        this.recorder.failed++;
        task.reject(new WeftError('WEFT_PROTOCOL', `task '${task.name}' got a result with unknown status ${String(unknown)} from ${slot.name}`));
      }
    }
  }

  /** Tasks whose fate is unknown (a cluster job lost): each fails as crashed, or runs again with retries left. */
  private onLost(slot: WorkerSlot, ids: number[], reason: string): void {
    const again: Task[] = [];
    for (const id of ids) {
      const task = slot.removeById(id);
      if (!task || task.settled) continue;
      if (this.aftermath.crashed(task, new WorkerCrashedError(task.name, slot.name, null, null, reason))) again.push(task);
    }
    this.aftermath.requeue(again);
    this.startRunning(slot);
    this.pool.notifyIfIdle();
    this.pool.scheduleDispatch();
  }

  // ---- replace ----------------------------------------------------------------------------

  /**
   * A task called process.exit: it fails now, without waiting for the process to be reaped
   * (which can take a while on a loaded machine), and nothing more is sent to that worker.
   */
  private onExiting(slot: WorkerSlot, code: number): void {
    slot.exitingCode = code;
    if (slot.state !== 'ready') return;
    slot.state = 'stopping';
    this.recorder.crashes++;
    this.aftermath.exiting(slot, code);
    this.pool.scheduleDispatch();
  }

  private onExit(slot: WorkerSlot, info: ExitInfo): void {
    if (slot.state === 'dead') return; // abandoned earlier (see abandon)
    const wasStarting = slot.state === 'starting';
    const deliberate = slot.state === 'stopping';
    slot.markExited();
    this.forget(slot);
    this.observer?.workerExited?.(slot.name, epochNow(), info);
    const destroyed = this.pool.destroyed();
    if (wasStarting) {
      if (!destroyed && !this.pool.loadFailed() && this.starts.died(info)) this.pool.failLoading(this.starts.error(this.shownModule, info));
    } else if (!destroyed) {
      if (!deliberate) this.recorder.crashes++;
      this.aftermath.settleLine(slot, info, !deliberate);
    }
    this.pool.notifyIfIdle();
    if (!destroyed) this.pool.scheduleDispatch();
  }

  /** The worker has not loaded the module within `loadTimeout`. */
  private onLoadTimeout(slot: WorkerSlot): void {
    slot.timer = undefined;
    if (slot.state !== 'starting') return;
    if (this.starts.moduleLoaded) {
      // It loads elsewhere: this start is stuck (a busy machine, a passing fault); replace it.
      this.terminate(slot);
      return;
    }
    this.pool.failLoading(this.starts.timeoutError(this.shownModule, this.impl.loadTimeoutReason?.()));
  }

  // ---- retire -----------------------------------------------------------------------------

  /** Terminates a worker to stop the task it is running; tasks it has not started go back to the pool. */
  stop(slot: WorkerSlot, running: Task, error: Error): void {
    running.reject(error);
    if (slot.state === 'dead' || slot.state === 'stopping') return;
    if (slot.channel.cancel) {
      // The worker stops just this task and stays; its answer for it comes back and is ignored.
      slot.channel.cancel(running.id);
      this.pool.notifyIfIdle();
      return;
    }
    slot.state = 'stopping';
    this.aftermath.stopping(slot, running);
    this.terminate(slot);
    this.pool.scheduleDispatch();
    this.pool.notifyIfIdle();
  }

  /** Rejects every task sent to a worker with `error`. */
  rejectAll(error: Error): void {
    for (const slot of this.slots) for (const task of slot.takeAll()) task.reject(error);
  }

  /** Terminates every worker; resolves once all have exited, or were given up on (see {@link abandon}). */
  async stopAll(): Promise<void> {
    this.starts.dispose();
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.state !== 'stopping') {
        slot.state = 'stopping';
        this.terminate(slot);
      }
      exits.push(slot.exited);
    }
    await Promise.all(exits);
  }

  /** Terminates a worker, and gives up on it if it has not exited {@link EXIT_WAIT_MS} later. */
  private terminate(slot: WorkerSlot): void {
    slot.channel.terminate();
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.abandon(slot), EXIT_WAIT_MS);
  }

  /**
   * A terminated worker that does not exit (a thread blocked in native code cannot be stopped until it
   * returns to JavaScript): the pool stops waiting for it, lets go of it so it no longer keeps the
   * process alive, settles what it held, and says so in a process warning.
   */
  private abandon(slot: WorkerSlot): void {
    slot.timer = undefined;
    if (slot.state === 'dead') return;
    slot.channel.setReferenced(false);
    process.emitWarning(`worker ${slot.name} did not exit within ${EXIT_WAIT_MS} ms of being terminated; the pool no longer waits for it`, {
      code: 'WEFT_WORKER_STUCK',
    });
    const info = { code: null, signal: null, reason: 'it did not exit after being terminated' };
    slot.markExited();
    this.forget(slot);
    this.observer?.workerExited?.(slot.name, epochNow(), info);
    if (!this.pool.destroyed()) {
      this.aftermath.settleLine(slot, info, false);
      this.pool.scheduleDispatch();
    }
    this.pool.notifyIfIdle();
  }
}
