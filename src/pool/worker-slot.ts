/** One worker as the pool tracks it: its channel, the tasks sent to it in order, and its accounting. */
import { performance } from 'node:perf_hooks';
import type { WorkerChannel } from './backends/types.js';
import type { ProgressWords } from './progress.js';
import type { Task } from './task.js';

export type SlotState = 'starting' | 'ready' | 'stopping' | 'dead';

export class WorkerSlot {
  state: SlotState = 'starting';
  channel!: WorkerChannel;
  /** Tasks sent and not yet answered, in the order the worker runs them: the first one is running. */
  private line: Task[] = [];
  private lineHead = 0;
  tasksDone = 0;
  busyMs = 0;
  readonly bornAt = performance.now();
  /** Set when a task called process.exit: the code it gave. */
  exitingCode: number | undefined;
  /** Its progress record, once the worker said it keeps one (see progress.ts). */
  progress: ProgressWords | undefined;
  /** The last job it started, read when the pool closed its record to stop it. */
  claimedStarted: number | undefined;
  /** Ends a start that takes longer than `loadTimeout`, or stops waiting for a worker that will not exit. */
  timer: NodeJS.Timeout | undefined;
  private resolveExited!: () => void;
  readonly exited = new Promise<void>((resolve) => (this.resolveExited = resolve));

  constructor(readonly index: number) {}

  get name(): string {
    return this.channel?.name ?? `worker-${this.index}`;
  }

  get inFlight(): number {
    return this.line.length - this.lineHead;
  }

  /** The task the worker is running now (possibly already settled by an abort). */
  head(): Task | undefined {
    return this.line[this.lineHead];
  }

  add(task: Task): void {
    this.line.push(task);
  }

  /** Removes the head, once its result arrived. */
  shift(): Task | undefined {
    if (this.lineHead >= this.line.length) return undefined;
    const task = this.line[this.lineHead];
    this.line[this.lineHead++] = undefined as unknown as Task;
    if (this.lineHead === this.line.length) {
      this.line = [];
      this.lineHead = 0;
    }
    return task;
  }

  /** Finds a task in the line by id (results normally match the head; this is the slow path). */
  removeById(id: number): Task | undefined {
    for (let i = this.lineHead; i < this.line.length; i++) {
      if (this.line[i].id === id) return this.line.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Empties the line, returning the tasks in order. */
  takeAll(): Task[] {
    const out = this.line.slice(this.lineHead);
    this.line = [];
    this.lineHead = 0;
    return out;
  }

  markExited(): void {
    this.state = 'dead';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.resolveExited();
  }

  busyShare(now = performance.now()): number {
    const life = now - this.bornAt;
    return life > 0 ? Math.min(1, this.busyMs / life) : 0;
  }
}
