/**
 * The time each task function ran inside its worker, as the pool reports it. The auto backend
 * needs it next to the end-to-end time to tell the work (which workers divide) from the message
 * and serialisation overhead (which they do not).
 */
import type { PoolObserver, TaskRecord } from '../pool/observer.js';

const HOOKS = ['taskFailed', 'batchSent', 'resultsReceived', 'workerStarted', 'workerReady', 'workerExited'] as const;

/** An observer recording the last run time per task name, forwarding every hook to the user's observer if there is one. */
export class RunTimes {
  private readonly last = new Map<string, number>();
  readonly observer: PoolObserver;

  constructor(user: PoolObserver | undefined) {
    const observer: PoolObserver = {
      taskFinished: (record: TaskRecord) => {
        this.last.set(record.name, record.runMs);
        user?.taskFinished?.(record);
      },
    };
    // Only the hooks the user has: a pool skips work for hooks that are absent.
    for (const hook of HOOKS) {
      const fn = user?.[hook] as ((...args: unknown[]) => void) | undefined;
      if (typeof fn === 'function') (observer as Record<string, unknown>)[hook] = (...args: unknown[]) => fn.apply(user, args);
    }
    this.observer = observer;
  }

  /** Forgets the last run time of `name`, so the next `take` sees only the call that follows. */
  clear(name: string): void {
    this.last.delete(name);
  }

  /** The run time reported for `name` since `clear`, if any. */
  take(name: string): number | undefined {
    const value = this.last.get(name);
    this.last.delete(name);
    return value;
  }
}
