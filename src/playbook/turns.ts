/**
 * One sampled call at a time. Sampled calls are timed end to end on the main thread, so two at
 * once would time each other: an inline call blocks the thread that receives a worker's answer.
 */
export class Turns {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves, in order of asking, with a function that hands the turn to the next caller. */
  take(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const mine = this.tail.then(() => release);
    this.tail = next;
    return mine;
  }
}
