/**
 * A FIFO of tasks waiting for a worker. Removing an aborted task is O(1): it is marked settled
 * and skipped when reached, while `size` counts only live tasks.
 */
import type { Task } from './task.js';

export class TaskQueue {
  private items: (Task | undefined)[] = [];
  private head = 0;
  /** Live (not settled) tasks waiting. */
  size = 0;

  push(task: Task): void {
    this.items.push(task);
    this.size++;
  }

  /** Puts tasks back at the front, in the given order (tasks a dead worker never started). */
  pushFront(tasks: Task[]): void {
    for (let i = tasks.length - 1; i >= 0; i--) {
      if (this.head > 0) this.items[--this.head] = tasks[i];
      else this.items.unshift(tasks[i]);
      this.size++;
    }
  }

  /** The next live task, without removing it. */
  peek(): Task | undefined {
    this.skipSettled();
    return this.items[this.head];
  }

  shift(): Task | undefined {
    this.skipSettled();
    if (this.head >= this.items.length) return undefined;
    const task = this.items[this.head];
    this.items[this.head++] = undefined;
    this.size--;
    this.compact();
    return task;
  }

  /** Call when a queued task settled while waiting (aborted, timed out, pool destroyed). */
  forget(): void {
    this.size--;
  }

  /** Removes and returns every live task. */
  drain(): Task[] {
    const out: Task[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const task = this.items[i];
      if (task && !task.settled) out.push(task);
    }
    this.items = [];
    this.head = 0;
    this.size = 0;
    return out;
  }

  private skipSettled(): void {
    while (this.head < this.items.length) {
      const task = this.items[this.head];
      if (task && !task.settled) return;
      this.items[this.head++] = undefined;
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
