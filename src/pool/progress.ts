/**
 * Which job a worker started last and which it finished last, in two words of memory the pool can read
 * after the worker died (a SharedArrayBuffer for threads and inline, a slot of a mapped segment for
 * processes, see doorbell.ts).
 *
 * Why: tasks travel in batches and results come back in batches, so when a worker dies the pool holds
 * a line of tasks with no answer, some finished (their results died with the worker), one perhaps
 * running, the rest never started. Without this record the pool can only guess (the head was running,
 * the rest had not started), which runs finished tasks twice and blames the wrong task. A message per
 * start would tell it too, but doubles the traffic of tiny tasks; this costs one compare-and-swap and
 * one store per job.
 *
 * The pool can also close the record (see {@link ProgressWords.claim}): from then on the worker starts
 * no job, so every task after the last started one can safely run elsewhere while the worker is
 * still being terminated.
 */
import type { Task } from './task.js';

/** Int32 words a progress record takes. */
export const PROGRESS_WORDS = 2;
const STARTED = 0;
const FINISHED = 1;
/** In STARTED: the pool closed the record; the worker must start nothing more. */
const CLOSED = -1;

/** A task id as stored in a word: 1 .. 2^31 - 2 (0 means none; ids wrap long after any line would). */
export function progressWord(id: number): number {
  return ((id - 1) % 0x7ffffffe) + 1;
}

export class ProgressWords {
  /** What this side last wrote to STARTED (the worker's side only). */
  private lastStarted = 0;

  constructor(readonly view: Int32Array) {}

  /** A fresh record in its own shared memory. */
  static create(): ProgressWords {
    return new ProgressWords(new Int32Array(new SharedArrayBuffer(PROGRESS_WORDS * 4)));
  }

  // ---- the worker's side ----

  /** Records that job `id` starts now; false when the pool closed the record (start nothing). */
  start(id: number): boolean {
    const word = progressWord(id);
    if (Atomics.compareExchange(this.view, STARTED, this.lastStarted, word) !== this.lastStarted) return false;
    this.lastStarted = word;
    return true;
  }

  /** Records that job `id` has finished (its result is recorded, perhaps not yet sent). */
  finish(id: number): void {
    Atomics.store(this.view, FINISHED, progressWord(id));
  }

  // ---- the pool's side ----

  /** Closes the record and returns the last job started (0 if none); idempotent. */
  claim(): number {
    const previous = Atomics.exchange(this.view, STARTED, CLOSED);
    if (previous !== CLOSED) this.lastStarted = previous;
    return this.lastStarted;
  }

  /** The last job finished (0 if none). Final once the worker is dead or the record claimed and the job over. */
  finished(): number {
    return Atomics.load(this.view, FINISHED);
  }
}

/** What became of the unanswered tasks of a worker that died or is being stopped. */
export interface LineFate {
  /** Ran to the end, but their results never reached the pool. */
  finished: Task[];
  /** Started and not finished: the worker died (or was stopped) while running it. */
  running: Task | undefined;
  /** Never started: they may run elsewhere. */
  notStarted: Task[];
}

/**
 * Splits a worker's line (its unanswered tasks, in the order it runs them) by its progress record.
 * Without a record (a process worker without the native addon) the old guess stands: the head was
 * running and the rest had not started.
 */
export function lineFate(line: Task[], started: number | undefined, finished: number | undefined): LineFate {
  if (started === undefined) return { finished: [], running: line[0], notStarted: line.slice(1) };
  const at = started === 0 ? -1 : line.findIndex((task) => progressWord(task.id) === started);
  // The last started job is not in the line: it was answered, and nothing after it started.
  if (at < 0) return { finished: [], running: undefined, notStarted: line };
  const last = line[at];
  const lastFinished = finished === started;
  return {
    finished: lastFinished ? line.slice(0, at + 1) : line.slice(0, at),
    running: lastFinished ? undefined : last,
    notStarted: line.slice(at + 1),
  };
}
