/**
 * How long each task runs on this machine's local workers, by task name: what the client's pipeline needs to size
 * its batches (see pool/pipeline.ts). A job's own time on the machine is no measure of its tasks: it counts the
 * local hop and the wait behind the other jobs the machine runs at once, which made tiny tasks look a hundred
 * times longer than they are and kept a burst cut into many small jobs, each paying Redis's round trips.
 */
import type { FinishedTasks, PoolObserver } from '../pool/observer.js';

export class LocalRunTimes implements PoolObserver {
  private readonly averageMs = new Map<string, number>();

  tasksFinished(batch: FinishedTasks): void {
    for (let i = 0; i < batch.count; i++) {
      const name = batch.name(i);
      const runMs = batch.runMs(i);
      const previous = this.averageMs.get(name);
      this.averageMs.set(name, previous === undefined ? runMs : previous * 0.8 + runMs * 0.2);
    }
  }

  /** The moving average of `name`'s run time here, once one has run. */
  of(name: string): number | undefined {
    return this.averageMs.get(name);
  }
}
