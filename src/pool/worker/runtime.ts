/**
 * The worker side of every backend: receives batches of jobs, runs them one at a time in order,
 * and reports results in batches. The same code runs in a worker thread, a child process and
 * (for the inline backend) on the caller's own thread; only the transport differs.
 */
import { performance } from 'node:perf_hooks';
import { toRemoteError } from '../errors.js';
import {
  JOB_CHUNK,
  JOB_ISOLATED,
  JOB_SHARED,
  JOB_STRIDE,
  RESULT_OK,
  RESULT_STRIDE,
  RESULT_THREW,
  RESULT_STATUS,
  RESULT_UNKNOWN_TASK,
  RESULT_UNSENDABLE,
  RESULT_VALUE,
  TRANSFER_MARK,
  type RunMessage,
  type Transferable,
  type WorkerMessage,
} from '../protocol.js';
import type { Doorbell } from '../doorbell.js';
import type { ProgressWords } from '../progress.js';
import { releaseHeldLocks } from '../../sync/held.js';
import type { TaskFunction } from './load-module.js';

/** How a runtime talks to its pool. */
export interface WorkerTransport {
  /** Sends a message; throws when part of it cannot be serialised. */
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  /** Whether transfer lists are honoured (threads) or ignored (processes). */
  readonly transfers: boolean;
  /**
   * Takes the next waiting batch synchronously, if the transport can (threads can). A busy
   * worker then goes straight to its next batch instead of through an event-loop turn.
   */
  poll?(): RunMessage | undefined;
  /** The pool's doorbell: rung when a batch is sent, and a way to tell when idle polling is in the pool's way. */
  readonly doorbell?: Doorbell;
  /** Where the worker records each job it starts and finishes, for the pool to read should it die (see progress.ts). */
  readonly progress?: ProgressWords;
  /** The worker has its thread to itself (not inline): locks still held when it is idle were leaked by a task. */
  readonly ownThread?: boolean;
}

/**
 * How long (ms) a worker that can poll keeps polling for its next batch after it runs out of work, before it
 * returns to its event loop. A reply and the next request of a caller that awaits each call are a few
 * microseconds apart; a worker asleep in its event loop takes tens of microseconds to wake (on a VM, a halted
 * virtual CPU has to be woken by the hypervisor), which is most of a tiny task's round trip.
 */
const IDLE_POLL_MS = 0.2;
/** How soon (ms) the pool normally handles a worker's results when it has a CPU to itself. */
const POOL_GRACE_MS = 0.04;
/** The most idle waits skipped after a run of misses. */
const MAX_SKIPPED_WAITS = 64;

/** Results are flushed at least this often while a batch is running, so long tasks report promptly. */
const FLUSH_INTERVAL_MS = 1;

interface TransferWrapped {
  [TRANSFER_MARK]: true;
  value: unknown;
  transfer: Transferable[];
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/** Runs jobs for one worker. */
export class TaskRunner {
  private readonly pendingMessages: RunMessage[] = [];
  /** Finished jobs, pushed as (id, status, value, startedAt, runMs): protocol.ts's RESULT_ID .. RESULT_RUN_MS order. */
  private results: unknown[] = [];
  private transferList: Transferable[] = [];
  private draining = false;
  private lastFlush = performance.now();
  /**
   * Idle waits to skip before trying again, after waits that found nothing: doubled by each miss (up to
   * {@link MAX_SKIPPED_WAITS}), cleared by a hit. So a worker whose next batch comes late soon stops burning CPU
   * on waiting, and still finds out when the pool's rhythm changes.
   */
  private waitsToSkip = 0;
  private skipAfterMiss = 0;
  /** Batches received, to compare with the doorbell's count of batches sent. */
  private batchesTaken = 0;
  /** The pool closed the progress record: it is stopping this worker, and the jobs not started run elsewhere. */
  private stopped = false;

  constructor(
    private readonly tasks: Map<string, TaskFunction>,
    private readonly transport: WorkerTransport,
    /** Re-attaches shared-memory handles in arguments (process workers); identity elsewhere. */
    private readonly decodeArgs: (args: unknown[]) => unknown[] = (args) => args,
  ) {}

  /** Task names, as reported to the pool when the worker is ready. */
  taskNames(): string[] {
    return [...this.tasks.keys()];
  }

  /** Accepts a batch. Batches that arrive while an async task is awaited wait their turn. */
  receive(message: RunMessage): void {
    this.batchesTaken++;
    if (this.stopped) return;
    this.pendingMessages.push(message);
    if (!this.draining) void this.drain();
  }

  /** Sends every finished result now (used before the worker exits). */
  flush(): void {
    if (this.results.length === 0) return;
    const results = this.results;
    const transfer = this.transferList;
    this.results = [];
    this.transferList = [];
    this.lastFlush = performance.now();
    try {
      this.postResults(results, transfer);
    } catch {
      this.postOneByOne(results, transfer);
    }
  }

  private drain(): void {
    this.draining = true;
    this.transport.doorbell?.busy(true);
    this.runFrom(undefined, 0);
  }

  /**
   * Runs jobs, batch after batch, from job `from` of `message` (or from the next batch), until there is no
   * more work, then ends the drain. Synchronous until a task returns a promise: then it returns, and goes on
   * from the next job once that settles. (Not an async function: most tasks are synchronous, and this is the
   * worker's hottest code, which V8 compiles while a fresh pool warms up; the smaller it is, the sooner.)
   */
  private runFrom(message: RunMessage | undefined, from: number): void {
    try {
      this.runJobs(message, from);
    } catch (error) {
      // Not a task's error (those are results): the runner's own. It must not leave the worker draining forever.
      this.endDrain(false);
      throw error;
    }
  }

  private runJobs(message: RunMessage | undefined, from: number): void {
    for (;;) {
      const current = message ?? this.pendingMessages.shift() ?? this.took(this.transport.poll?.()) ?? this.pollIdle();
      if (!current) break;
      const jobs = current.jobs;
      for (let i = from; i < jobs.length; i += JOB_STRIDE) {
        const id = jobs[i] as number;
        const kind = jobs[i + 3] as number;
        const isolated = (kind & JOB_ISOLATED) !== 0;
        if (isolated) this.flush();
        const pending = this.runJob(id, jobs[i + 1] as string, jobs[i + 2] as unknown[], kind);
        if (pending === false) {
          // Being stopped: what is finished still goes out; the rest is the pool's to place.
          this.stopped = true;
          this.pendingMessages.length = 0;
          this.flush();
          this.endDrain(false);
          return;
        }
        if (pending) {
          void pending.then(
            () => {
              this.jobDone(id, isolated);
              this.runFrom(current, i + JOB_STRIDE);
            },
            (error: unknown) => {
              this.endDrain(false);
              throw error;
            },
          );
          return;
        }
        this.jobDone(id, isolated);
      }
      this.flush();
      message = undefined;
      from = 0;
    }
    this.endDrain(true);
  }

  private jobDone(id: number, isolated: boolean): void {
    this.transport.progress?.finish(id);
    if (isolated || performance.now() - this.lastFlush >= FLUSH_INTERVAL_MS) this.flush();
  }

  /** Out of work (or being stopped): the worker is idle; locks a task left held are released, unless stopping. */
  private endDrain(idle: boolean): void {
    this.draining = false;
    this.transport.doorbell?.busy(false);
    if (idle && this.transport.ownThread) releaseLeakedLocks();
  }

  private took<T extends RunMessage | undefined>(message: T): T {
    if (message) this.batchesTaken++;
    return message;
  }

  /**
   * Out of work: waits busily for up to {@link IDLE_POLL_MS} for the pool's next batch, when that has been paying
   * off and leaves a core for the pool's thread. A thread worker polls its port and takes the batch itself; a
   * process worker watches its doorbell and, once rung, returns to its event loop, where the batch is already
   * waiting in the pipe. If the pool has not handled this worker's last results within {@link POOL_GRACE_MS},
   * the pool's thread is probably waiting for this CPU: a thread worker then sleeps on the doorbell (the pool
   * rings it when it sends), a process worker stops waiting.
   */
  private pollIdle(): RunMessage | undefined {
    const bell = this.transport.doorbell;
    if (!bell || !bell.roomToPoll()) return undefined;
    if (this.waitsToSkip > 0) {
      this.waitsToSkip--;
      return undefined;
    }
    const poll = this.transport.poll;
    const start = performance.now();
    const until = start + IDLE_POLL_MS;
    let behind = false;
    for (;;) {
      const rings = bell.rings();
      if (poll) {
        const message = poll();
        if (message) {
          this.afterWait(behind);
          return this.took(message);
        }
      } else if (rings > this.batchesTaken) {
        this.afterWait(behind);
        return undefined; // the batch waits in the event loop
      }
      const now = performance.now();
      if (now >= until) break;
      if (now - start > POOL_GRACE_MS && bell.poolBehind()) {
        behind = true;
        if (!bell.canSleep) {
          this.afterWait(behind);
          return undefined;
        }
        bell.sleep(rings, until - now);
      }
    }
    this.afterWait(true);
    return undefined;
  }

  /**
   * After an idle wait: one that paid off clears the skipping; one that found nothing, or found the pool's thread
   * short of a CPU (beside a busy process on a small machine, the waiting only takes that CPU from it), doubles it.
   */
  private afterWait(missed: boolean): void {
    if (!missed) {
      this.skipAfterMiss = 0;
      return;
    }
    this.skipAfterMiss = Math.min(MAX_SKIPPED_WAITS, Math.max(1, this.skipAfterMiss * 2));
    this.waitsToSkip = this.skipAfterMiss;
  }

  /**
   * Runs one job; returns a promise only when the task is asynchronous, so sync batches never yield, and
   * false when the pool closed the progress record (the job did not start). The start is recorded as
   * late as can be, just before the task's own code, so "it was running" means its code had begun.
   */
  private runJob(id: number, name: string, payload: unknown[], kind: number): Promise<void> | undefined | false {
    const fn = this.tasks.get(name);
    const startedAt = epochNow();
    const t0 = performance.now();
    const progress = this.transport.progress;
    if (!fn) {
      if (progress && !progress.start(id)) return false;
      this.results.push(id, RESULT_UNKNOWN_TASK, this.taskNames(), startedAt, 0);
      return undefined;
    }
    try {
      const args = (kind & JOB_SHARED) !== 0 ? this.decodeArgs(payload) : payload;
      if (progress && !progress.start(id)) return false;
      const value = (kind & JOB_CHUNK) !== 0 ? this.runChunk(fn, args) : fn(...args);
      if (isThenable(value)) {
        // Report what is done before waiting, so the pool sees finished work early.
        this.flush();
        return Promise.resolve(value).then(
          (settled) => this.record(id, settled, startedAt, t0),
          (error) => this.recordError(id, error, startedAt, t0),
        );
      }
      this.record(id, value, startedAt, t0);
    } catch (error) {
      this.recordError(id, error, startedAt, t0);
    }
    return undefined;
  }

  private runChunk(fn: TaskFunction, decoded: unknown[]): unknown {
    const out = new Array<unknown>(decoded.length);
    for (let i = 0; i < decoded.length; i++) {
      const value = fn(decoded[i]);
      if (isThenable(value)) return this.finishChunkAsync(fn, decoded, out, i, value);
      out[i] = value;
    }
    return out;
  }

  private async finishChunkAsync(fn: TaskFunction, items: unknown[], out: unknown[], from: number, first: PromiseLike<unknown>): Promise<unknown[]> {
    out[from] = await first;
    for (let i = from + 1; i < items.length; i++) out[i] = await fn(items[i]);
    return out;
  }

  private record(id: number, value: unknown, startedAt: number, t0: number): void {
    const runMs = performance.now() - t0;
    if (isTransferWrapped(value)) {
      if (this.transport.transfers) this.transferList.push(...value.transfer);
      value = value.value;
    }
    this.results.push(id, RESULT_OK, value, startedAt, runMs);
  }

  private recordError(id: number, error: unknown, startedAt: number, t0: number): void {
    this.results.push(id, RESULT_THREW, toRemoteError(error), startedAt, performance.now() - t0);
  }

  /** A batch failed to serialise: send results one by one, replacing the ones that cannot travel. */
  private postOneByOne(results: unknown[], transfer: Transferable[]): void {
    for (let i = 0; i < results.length; i += RESULT_STRIDE) {
      const one = results.slice(i, i + RESULT_STRIDE);
      const ownTransfer = transfer.filter((t) => containsTransferable(one[RESULT_VALUE], t));
      try {
        this.postResults(one, ownTransfer);
      } catch (error) {
        one[RESULT_STATUS] = RESULT_UNSENDABLE;
        one[RESULT_VALUE] = toRemoteError(error);
        this.postResults(one, []);
      }
    }
  }

  /** Posts one results message, counted on the doorbell so the worker can tell whether the pool has handled it. */
  private postResults(results: unknown[], transfer: Transferable[]): void {
    this.transport.post({ type: 'results', results }, transfer.length ? transfer : undefined);
    this.transport.doorbell?.sent();
  }
}

/**
 * Idle, so no task of this worker is running: a lock it still holds was left by a task that ended
 * without unlocking. Holding it would stall every other thread and process waiting for it, for as
 * long as this worker lives; it is released, and flagged, so its next owner knows (see src/sync/held.ts).
 */
function releaseLeakedLocks(): void {
  let released: string[];
  try {
    released = releaseHeldLocks();
  } catch (error) {
    released = (error as { released?: string[] }).released ?? [];
  }
  if (released.length > 0) {
    process.emitWarning(`a task ended holding ${released.join('; ')}; released when its worker went idle`, { code: 'WEFT_LOCK_LEAKED' });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function isTransferWrapped(value: unknown): value is TransferWrapped {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[TRANSFER_MARK] === true;
}

function containsTransferable(value: unknown, target: Transferable): boolean {
  if (value === target) return true;
  if (ArrayBuffer.isView(value)) return value.buffer === target;
  if (Array.isArray(value)) return value.some((v) => containsTransferable(v, target));
  if (value && typeof value === 'object') return Object.values(value).some((v) => containsTransferable(v, target));
  return false;
}
