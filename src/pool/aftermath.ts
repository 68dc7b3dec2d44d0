/**
 * What becomes of a worker's unanswered tasks when it dies or is stopped, read from its progress
 * record (see progress.ts): the one it was running fails with WorkerCrashedError (or runs again, if it
 * has retries left), the ones it had finished fail with ResultLostError (or run again), the ones it
 * never started go back to the front of the queue. So no task runs twice because a worker died,
 * unless its caller asked for retries.
 */
import type { ExitInfo } from './backends/types.js';
import { ResultLostError, WorkerCrashedError } from './errors.js';
import { lineFate } from './progress.js';
import type { TaskQueue } from './queue.js';
import type { StatsRecorder } from './stats.js';
import type { Task } from './task.js';
import type { WorkerSlot } from './worker-slot.js';

export class Aftermath {
  constructor(
    private readonly queue: TaskQueue,
    private readonly recorder: StatsRecorder,
  ) {}

  /**
   * A worker is being stopped (to end `running`, already settled): closes its record, so it starts
   * nothing more, and gives back to the queue every task it never started. The tasks it did start stay
   * in its line: their results may still arrive; {@link settleLine} settles the rest once it has exited.
   */
  stopping(slot: WorkerSlot, running: Task): void {
    const line = slot.takeAll();
    if (!slot.progress) {
      // No record: the old guess (the head was running, which is the task being stopped).
      this.requeue(line.filter((task) => task !== running));
      return;
    }
    slot.claimedStarted = slot.progress.claim();
    const fate = lineFate(line, slot.claimedStarted, undefined);
    for (const task of line) if (!task.settled && !fate.notStarted.includes(task)) slot.add(task);
    this.requeue(fate.notStarted);
  }

  /** A task called process.exit (the worker is exiting, its earlier results sent): it fails, the tasks behind it move. */
  exiting(slot: WorkerSlot, code: number): void {
    this.settleLine(slot, { code, signal: null }, true);
  }

  /** The worker is gone (every message it sent delivered): settles what is left in its line. */
  settleLine(slot: WorkerSlot, info: ExitInfo, crashed: boolean): void {
    const line = slot.takeAll();
    if (line.length === 0) return;
    const started = slot.progress ? (slot.claimedStarted ?? slot.progress.claim()) : undefined;
    const fate = lineFate(line, started, slot.progress?.finished());
    const code = slot.exitingCode ?? info.code;
    const again: Task[] = [];
    for (const task of fate.finished) {
      if (task.settled) continue;
      if (this.retry(task)) again.push(task);
      else this.fail(task, new ResultLostError(task.name, slot.name, code, info.signal));
    }
    const running = fate.running;
    if (running && !running.settled) {
      if (this.retry(running)) again.push(running);
      else if (crashed) this.fail(running, new WorkerCrashedError(running.name, slot.name, code, info.signal, info.reason));
      // Stopped on purpose for another task (which was already settled): this one was caught in the middle.
      else this.fail(running, new WorkerCrashedError(running.name, slot.name, code, info.signal, 'terminated by the pool to stop another task'));
    }
    this.requeue([...again, ...fate.notStarted]);
  }

  /** Puts tasks back at the front of the queue, in order, to run on another worker. */
  requeue(tasks: Task[]): void {
    const live = tasks.filter((task) => !task.settled);
    for (const task of live) {
      task.state = 'queued';
      task.slot = undefined;
      task.stopTimer();
    }
    this.queue.pushFront(live);
  }

  /** Takes one of the task's retries, if it has one left. */
  retry(task: Task): boolean {
    if (task.retriesLeft <= 0) return false;
    task.retriesLeft--;
    this.recorder.retried++;
    return true;
  }

  /**
   * A task whose worker died under it (a remote machine's worker, or a cluster job lost): it runs again if
   * it has retries left (returned true: the caller requeues it), else fails with WorkerCrashedError.
   */
  crashed(task: Task, error: WorkerCrashedError): boolean {
    this.recorder.crashes++;
    if (this.retry(task)) return true;
    this.fail(task, error);
    return false;
  }

  fail(task: Task, error: Error): void {
    this.recorder.failed++;
    task.reject(error);
  }
}
