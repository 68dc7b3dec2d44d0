/**
 * Optional contention statistics for locks and semaphores, kept in the primitive's own shared
 * memory so that they add up over every thread and process that uses it.
 *
 * Cost when on: one atomic add per acquisition; the clock is read only when an acquisition has
 * to wait, which is already the slow path. Cost when off: nothing (the flag is read once, when
 * the primitive is created or attached).
 */

/** Int32 words that the statistics take at the end of a primitive's state. */
export const STATS_WORDS = 8;

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
}

const ACQ = 0;
const CONTENDED = 1;
const TOTAL_NS = 2;
const WORST_NS = 3;

/** Writer and reader of the statistics block. */
export class StatsBlock {
  private readonly b: BigInt64Array;

  /** `view` is the primitive's state; the block is its last {@link STATS_WORDS} words. */
  constructor(view: Int32Array) {
    // The block is 8-byte aligned because layout.ts keeps base sizes even and offsets aligned.
    this.b = new BigInt64Array(view.buffer, view.byteOffset + (view.length - STATS_WORDS) * 4, 4);
  }

  /** Counts an acquisition that did not wait. */
  uncontended(): void {
    Atomics.add(this.b, ACQ, 1n);
  }

  /** Counts an acquisition that waited from `startNs` (a `process.hrtime.bigint()` reading). */
  contended(startNs: bigint): void {
    const waited = process.hrtime.bigint() - startNs;
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
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    for (let i = 0; i < 4; i++) Atomics.store(this.b, i, 0n);
  }
}
