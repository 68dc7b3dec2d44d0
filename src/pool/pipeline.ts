/**
 * How many tasks to keep queued inside each worker. A worker that waits for the pool's next
 * message between tasks idles for a round trip; one that holds too many can't hand them to an
 * idle peer. So the depth follows the measured run time of each task: about PIPELINE_BUDGET_MS of
 * work per worker, i.e. deep pipelines (big batches) for tiny tasks, one at a time for heavy ones.
 * That budget also bounds the work wasted when a pipelined task is aborted.
 */
export const PIPELINE_BUDGET_MS = 1;
export const MAX_DEPTH = 512;
/** Until a task's cost is known, send one at a time: it may be long. */
export const INITIAL_DEPTH = 1;
/**
 * Once known, even long tasks go two at a time: the next task's arguments are serialised and
 * delivered while the current one runs (for big arguments that copy costs as much as the task).
 * The price: at the end of a queue one worker may hold one task more than an idle peer.
 */
export const MIN_DEPTH = 2;

export class PipelineDepth {
  private readonly averageMs = new Map<string, number>();

  /** Folds in one measured run time (an exponential moving average). */
  observe(name: string, runMs: number): void {
    const previous = this.averageMs.get(name);
    this.averageMs.set(name, previous === undefined ? runMs : previous * 0.8 + runMs * 0.2);
  }

  /** Whether a task is expected to run longer than the budget (or its cost is still unknown). */
  isLong(name: string): boolean {
    const average = this.averageMs.get(name);
    return average === undefined || average > PIPELINE_BUDGET_MS;
  }

  depthFor(name: string): number {
    const average = this.averageMs.get(name);
    if (average === undefined) return INITIAL_DEPTH;
    return Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, Math.floor(PIPELINE_BUDGET_MS / Math.max(average, 1e-4))));
  }
}
