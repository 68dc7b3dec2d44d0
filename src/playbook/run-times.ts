/**
 * The time each task function ran inside its worker, as the pool reports it. The auto backend
 * needs it next to the end-to-end time to tell the work (which workers divide) from the message
 * and serialisation overhead (which they do not).
 */
import { combineObservers, type PoolObserver } from '../pool/observer.js';

/** An observer recording the last run time per task name, forwarding every hook to the user's observer if there is one. */
export class RunTimes {
  private readonly last = new Map<string, number>();
  readonly observer: PoolObserver;

  constructor(user: PoolObserver | undefined) {
    const own: PoolObserver = {
      tasksFinished: (batch) => {
        for (let i = 0; i < batch.count; i++) this.last.set(batch.name(i), batch.runMs(i));
      },
    };
    this.observer = combineObservers(own, user)!;
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
