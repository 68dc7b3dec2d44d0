/**
 * The machine's memory read bandwidth as Node sees it: a tight, unrolled sum over a
 * SharedArrayBuffer much larger than the caches, on 1..W worker threads at once. It is the
 * ceiling the array-sum case is compared with.
 */
import { sharedArray } from '../../shared/index.js';
import { spread } from '../stats.js';
import type { Spread } from '../types.js';
import { siblingModule, startPool } from '../variants.js';
import { equalRanges } from '../cases/chunks.js';
import type * as Task from './bandwidth-task.js';

/** Read bandwidth with a given number of threads, in GB/s (1e9 bytes per second). */
export interface BandwidthPoint {
  workers: number;
  gbps: Spread;
}

/** The probe's result. */
export interface BandwidthProbe {
  /** Bytes of the array read per pass. */
  bytes: number;
  repeats: number;
  method: string;
  points: BandwidthPoint[];
}

const TASK = siblingModule('bandwidth-task', import.meta.url);

/** Measures read bandwidth on each worker count; `bytes` should dwarf the last-level cache. */
export async function probeBandwidth(workerCounts: readonly number[], bytes: number, repeats = 7): Promise<BandwidthProbe> {
  const n = Math.floor(bytes / 8);
  const array = sharedArray(Float64Array, n);
  for (let i = 0; i < n; i++) array[i] = i;
  const points: BandwidthPoint[] = [];
  for (const workers of workerCounts) {
    const pool = await startPool<typeof Task>('thread', TASK, workers);
    try {
      const ranges = equalRanges(n, workers);
      const pass = (): Promise<number[]> => Promise.all(ranges.map(([lo, hi]) => pool.call.sumUnrolled(array, lo, hi)));
      await pass(); // warm: compile the loop, fault the pages in
      const rates: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now();
        await pass();
        rates.push((n * 8) / ((performance.now() - t0) * 1e6));
      }
      points.push({ workers, gbps: spread(rates) });
    } finally {
      await pool.close();
    }
  }
  return {
    bytes: n * 8,
    repeats,
    method: 'sum of a Float64Array in a SharedArrayBuffer with 8 accumulators, split evenly over W worker threads; one warm-up pass, then timed passes',
    points,
  };
}
