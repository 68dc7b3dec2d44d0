/**
 * The machine's memory read bandwidth: a tight C sum (the native addon's readFloat64, as STREAM
 * reads in C) over a SharedArrayBuffer much larger than the caches, on 1..W worker threads at
 * once. It is the ceiling the array-sum case is compared with. Where the addon does not load, an
 * unrolled JavaScript sum stands in, and the method says so: its bounds checks and scalar loads
 * keep it below what memory allows, so shares measured against it run high.
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
  /** What read the memory: C (the native addon), or JavaScript where the addon does not load. */
  kernel: 'c' | 'js';
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
  let inC = true;
  for (const workers of workerCounts) {
    const pool = await startPool<typeof Task>('thread', TASK, workers);
    try {
      const ranges = equalRanges(n, workers);
      const readNative = (): Promise<(number | undefined)[]> => Promise.all(ranges.map(([lo, hi]) => pool.call.readNative(array, lo, hi)));
      const readJs = (): Promise<number[]> => Promise.all(ranges.map(([lo, hi]) => pool.call.sumUnrolled(array, lo, hi)));
      // Every worker loads the addon or none does (one package, one machine): the first C pass decides, and is
      // the warm-up of the C loop; the JavaScript loop gets its own, to be compiled before it is timed.
      if (inC && (await readNative()).some((sum) => sum === undefined)) inC = false;
      if (!inC) await readJs();
      const pass = inC ? readNative : readJs;
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
    kernel: inC ? 'c' : 'js',
    method:
      (inC
        ? 'sum in C (the native addon) of a Float64Array in a SharedArrayBuffer with 8 accumulators'
        : 'sum in JavaScript (the native addon did not load) of a Float64Array in a SharedArrayBuffer with 8 accumulators, slower than memory allows') +
      ', split evenly over W worker threads; one warm-up pass, then timed passes',
    points,
  };
}
