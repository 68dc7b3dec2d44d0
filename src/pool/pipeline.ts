/**
 * How many tasks to keep queued inside each worker. A worker that waits for the pool's next
 * message between tasks idles for a round trip; one that holds too many can't hand them to an
 * idle peer. So the depth follows the measured run time of each task: about a budget of work per
 * worker (the backend's `pipelineBudgetMs`), i.e. deep pipelines (big batches) for tiny tasks, one
 * at a time for heavy ones. The budget also bounds the work wasted when a pipelined task is aborted,
 * and how long a worker can idle at the end of a burst while a peer still holds queued tasks.
 *
 * It has to cover the pool thread's absences: with as many busy workers as cores, the pool's thread
 * shares a core with them and the scheduler can keep it off for a few milliseconds, during which a
 * worker must not run dry. Processes need more than threads (each message goes through a pipe and the
 * serialiser): on 2 cores, 5,000 BigInt factorial(1000) tasks (0.13 ms each) on 2 process workers ran at
 * 7,800/s with 1 ms, 8,700/s with 2 ms and 9,300/s with 4 ms; on threads 10,400/s with 1 ms, 11,300/s with 4 ms
 * (one burst after 200 warm-up tasks, in a throwaway script; the bench's factorial case is the reproducible figure).
 */
/** A task that runs longer than this is reported around (see JOB_ISOLATED) rather than pipelined. */
export const LONG_TASK_MS = 1;
export const MAX_DEPTH = 512;
/** Until a task's cost is known, send one at a time: it may be long. */
export const INITIAL_DEPTH = 1;
/**
 * Once known, even long tasks go two at a time: the next task's arguments are serialised and
 * delivered while the current one runs (for big arguments that copy costs as much as the task).
 * The price: at the end of a queue one worker may hold one task more than an idle peer.
 */
export const MIN_DEPTH = 2;
/**
 * Except that a task this long (ms) goes alone: its round trip is a rounding error next to it, while a second
 * task queued behind it can leave a peer idle for a whole task at the end of a burst (e.g. the last clients of an
 * FL round, whose training times differ).
 */
export const SOLO_MS = 20;

export class PipelineDepth {
  private readonly averageMs = new Map<string, number>();

  /** @param budgetMs - work to keep queued per worker. */
  constructor(private readonly budgetMs: number) {}

  /** Folds in one measured run time (an exponential moving average). */
  observe(name: string, runMs: number): void {
    const previous = this.averageMs.get(name);
    this.averageMs.set(name, previous === undefined ? runMs : previous * 0.8 + runMs * 0.2);
  }

  /** Whether a task is expected to run longer than the budget (or its cost is still unknown). */
  isLong(name: string): boolean {
    const average = this.averageMs.get(name);
    return average === undefined || average > LONG_TASK_MS;
  }

  /**
   * How many more tasks of `name` to send to a worker that holds `inFlight`: none while it holds more than half its
   * depth, then enough to fill it. Topping a worker up after every results message sent batches of two or three
   * tasks, one message each way per couple of tasks; refilling from half the depth sends fewer, larger batches. On
   * 2 cores, 5,000 factorial(1000) on 2 workers: threads 2.0 tasks per batch and 10,200/s before, 9.2 and 10,900/s
   * after; processes 3.1 and 8,600/s before, 14.5 and 9,400/s after.
   */
  room(name: string, inFlight: number): number {
    const depth = this.depthFor(name);
    return inFlight > Math.floor(depth / 2) ? 0 : depth - inFlight;
  }

  depthFor(name: string): number {
    const average = this.averageMs.get(name);
    if (average === undefined || average > SOLO_MS) return INITIAL_DEPTH;
    return Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, Math.floor(this.budgetMs / Math.max(average, 1e-4))));
  }
}
