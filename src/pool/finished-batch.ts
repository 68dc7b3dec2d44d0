/**
 * The pool's side of the observer's `tasksFinished` hook: one reusable view over the tasks that a
 * results message settled, so recording a task costs no object and no clock read of its own.
 */
import type { FinishedTasks } from './observer.js';
import { RESULT_OK, RESULT_RUN_MS, RESULT_STARTED_AT, RESULT_STATUS } from './protocol.js';
import type { Task } from './task.js';

export class FinishedBatch implements FinishedTasks {
  worker = '';
  receivedAt = 0;
  count = 0;
  private readonly tasks: Task[] = [];
  /** Where each task's fields start in the results message. */
  private readonly offsets: number[] = [];
  private results: readonly unknown[] = [];

  /** Starts a message from `worker`. */
  begin(worker: string, receivedAt: number, results: readonly unknown[]): void {
    this.worker = worker;
    this.receivedAt = receivedAt;
    this.results = results;
    this.count = 0;
  }

  add(task: Task, offset: number): void {
    this.tasks[this.count] = task;
    this.offsets[this.count] = offset;
    this.count++;
  }

  /** Drops the references, so a finished message's tasks and values can be collected. */
  end(): void {
    this.tasks.fill(undefined as unknown as Task, 0, this.count);
    this.results = [];
    this.count = 0;
  }

  id(i: number): number {
    return this.tasks[i].id;
  }
  name(i: number): string {
    return this.tasks[i].name;
  }
  enqueuedAt(i: number): number {
    return this.tasks[i].enqueuedAt;
  }
  startedAt(i: number): number {
    return this.results[this.offsets[i] + RESULT_STARTED_AT] as number;
  }
  runMs(i: number): number {
    return this.results[this.offsets[i] + RESULT_RUN_MS] as number;
  }
  ok(i: number): boolean {
    return this.results[this.offsets[i] + RESULT_STATUS] === RESULT_OK;
  }
}
