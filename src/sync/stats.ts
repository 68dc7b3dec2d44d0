/**
 * Optional contention statistics for locks and semaphores, kept in the primitive's own shared
 * memory so that they add up over every thread and process that uses it.
 *
 * Cost when on: one atomic add per acquisition; the clock is read only when an acquisition has
 * to wait, which is already the slow path (so is the call to a wait sink, when one is set).
 * Cost when off: nothing (the flag is read once, when the primitive is created or attached).
 */
import { performance } from 'node:perf_hooks';

/** Int32 words that the statistics take at the end of a primitive's state: 4 counters of 64 bits, then an id and a spare word. */
export const STATS_WORDS = 10;
const ID_WORD = 8;

/** A snapshot of a primitive's contention statistics. */
export interface ContentionStats {
  /** Successful acquisitions (lock, tryLock, acquire...). */
  acquisitions: number;
  /** Acquisitions that had to wait because the primitive was taken. */
  contended: number;
  /** Total time spent waiting by contended acquisitions, in milliseconds. */
  totalWaitMs: number;
  /** Longest single wait, in milliseconds. */
  worstWaitMs: number;
  /** The primitive's identity in wait logs (see {@link setContendedWaitSink}): random, the same in every thread and process. */
  id: number;
}

/** Receives each contended wait of any primitive with stats, on the thread that waited: its id and epoch times in ms. */
export type ContendedWaitSink = (id: number, startMs: number, endMs: number) => void;

let waitSink: ContendedWaitSink | null = null;

/**
 * Sets (or with null, clears) the function told of every contended wait on this thread, for traces of lock waits.
 * One per thread or process; the profiler installs it in the workers it profiles. Costs nothing on the uncontended path.
 */
export function setContendedWaitSink(sink: ContendedWaitSink | null): void {
  waitSink = sink;
}

const ACQ = 0;
const CONTENDED = 1;
const TOTAL_NS = 2;
const WORST_NS = 3;

/** Writer and reader of the statistics block. */
export class StatsBlock {
  private readonly b: BigInt64Array;
  private readonly words: Int32Array;

  /** `view` is the primitive's state; the block is its last {@link STATS_WORDS} words. */
  constructor(view: Int32Array) {
    const offset = view.byteOffset + (view.length - STATS_WORDS) * 4;
    // The block is 8-byte aligned because layout.ts keeps base sizes even and offsets aligned.
    this.b = new BigInt64Array(view.buffer, offset, 4);
    this.words = new Int32Array(view.buffer, offset, STATS_WORDS);
  }

  /** Gives a new block its id (at creation, before any other thread can see it). */
  initialise(): void {
    Atomics.store(this.words, ID_WORD, 1 + Math.floor(Math.random() * 0x7ffffffe));
  }

  /** The primitive's id in wait logs. */
  get id(): number {
    return Atomics.load(this.words, ID_WORD);
  }

  /** Counts an acquisition that did not wait. */
  uncontended(): void {
    Atomics.add(this.b, ACQ, 1n);
  }

  /** Counts an acquisition that waited from `startNs` (a `process.hrtime.bigint()` reading). */
  contended(startNs: bigint): void {
    const waited = process.hrtime.bigint() - startNs;
    if (waitSink !== null) {
      const endMs = performance.timeOrigin + performance.now();
      waitSink(this.id, endMs - Number(waited) / 1e6, endMs);
    }
    Atomics.add(this.b, ACQ, 1n);
    Atomics.add(this.b, CONTENDED, 1n);
    Atomics.add(this.b, TOTAL_NS, waited);
    let worst = Atomics.load(this.b, WORST_NS);
    while (waited > worst) {
      const seen = Atomics.compareExchange(this.b, WORST_NS, worst, waited);
      if (seen === worst) break;
      worst = seen;
    }
  }

  /** Reads the counters (each word atomically; the set as a whole is not a single snapshot). */
  read(): ContentionStats {
    return {
      acquisitions: Number(Atomics.load(this.b, ACQ)),
      contended: Number(Atomics.load(this.b, CONTENDED)),
      totalWaitMs: Number(Atomics.load(this.b, TOTAL_NS)) / 1e6,
      worstWaitMs: Number(Atomics.load(this.b, WORST_NS)) / 1e6,
      id: this.id,
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    for (let i = 0; i < 4; i++) Atomics.store(this.b, i, 0n);
  }
}
