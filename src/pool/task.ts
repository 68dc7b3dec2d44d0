/** One submitted call, from submission until its promise settles (exactly once). */
import type { Transferable } from './protocol.js';
import type { WorkerSlot } from './worker-slot.js';

export type TaskState = 'queued' | 'sent' | 'settled';

export class Task {
  state: TaskState = 'queued';
  /** The worker it was sent to, while sent. */
  slot: WorkerSlot | undefined;
  /** When the parent learnt it is running (it became the head of its worker's line), for timeouts. */
  runningSince = 0;
  /** Has a timeout or signal: the worker reports around it, so the pool knows exactly when it runs. */
  controllable: boolean;
  /** Times it may still run again after its worker died under it (the `retries` option). */
  retriesLeft = 0;
  private timer: NodeJS.Timeout | undefined;
  private removeAbortListener: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Arguments of a call, or items of a chunk. */
    readonly payload: unknown[],
    /** JOB_CALL or JOB_CHUNK. */
    readonly kind: number,
    readonly transfer: Transferable[] | undefined,
    readonly timeoutMs: number | undefined,
    readonly enqueuedAt: number,
    private readonly onResolve: (value: unknown) => void,
    private readonly onReject: (error: unknown) => void,
    private readonly onFailed?: (task: Task, error: unknown) => void,
  ) {
    this.controllable = timeoutMs !== undefined;
  }

  get settled(): boolean {
    return this.state === 'settled';
  }

  /** Registers what to undo when the task settles (e.g. stop watching its signal). */
  onSettle(cleanup: () => void): void {
    this.removeAbortListener = cleanup;
  }

  /** Starts the timeout clock, once the task is known to be running. */
  startTimer(onTimeout: () => void): void {
    if (this.timeoutMs === undefined || this.timer || this.settled) return;
    this.timer = setTimeout(onTimeout, this.timeoutMs);
  }

  /**
   * Stops the timeout clock of a task that goes back to the queue (its worker died before it
   * started, or it is retried): its clock starts again when it runs on another worker, and must
   * not fire meanwhile for the worker it left.
   */
  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  resolve(value: unknown): boolean {
    if (!this.finish()) return false;
    this.onResolve(value);
    return true;
  }

  reject(error: unknown): boolean {
    if (!this.finish()) return false;
    this.onFailed?.(this, error);
    this.onReject(error);
    return true;
  }

  private finish(): boolean {
    if (this.state === 'settled') return false;
    this.state = 'settled';
    if (this.timer) clearTimeout(this.timer);
    this.removeAbortListener?.();
    this.timer = undefined;
    this.removeAbortListener = undefined;
    return true;
  }
}
