/**
 * Case 2 of the talk: every worker sums its slice of one big array 0..N-1. The work is trivial,
 * so the cost is getting the data to the workers: threads read the one array in place, processes
 * either receive copies of their slices or attach to one shared segment.
 */
import { dispose, encodeShared, sharedArray } from '../../shared/index.js';
import { preparePeer } from '../python/peer.js';
import { defineCase, type Prepared } from '../types.js';
import { siblingModule, startPool, VARIANTS } from '../variants.js';
import { equalRanges } from './chunks.js';
import { wasmFloat64Array } from './array-sum-simd.js';
import type * as Task from './array-sum-task.js';

/** Size parameters: an array of n doubles holding 0..n-1. */
export interface ArraySumParams {
  n: number;
}

const TASK = siblingModule('array-sum-task', import.meta.url);

/** n(n-1)/2, computed exactly with BigInt. */
export function expectedSum(n: number): bigint {
  const big = BigInt(n);
  return (big * (big - 1n)) / 2n;
}

function fill(array: Float64Array): Float64Array {
  for (let i = 0; i < array.length; i++) array[i] = i;
  return array;
}

export const arraySum = defineCase<ArraySumParams, number>({
  name: 'array-sum',
  title: 'Array sum (case 2)',
  summary:
    'Sum an array 0..N-1 of doubles (the int64 values are exact in a float64: N(N-1)/2 < 2^53), each worker its own slice with a plain loop, ' +
    'and (simd) with a WebAssembly SIMD loop of eight partial sums, to show what memory allows; checked against N(N-1)/2.',
  sizes: { tiny: { n: 100_000 }, quick: { n: 10_000_000 }, full: { n: 100_000_000 } },
  describeSize: ({ n }) => `N = ${n.toLocaleString('en-US')} (${((n * 8) / 1e6).toLocaleString('en-US')} MB)`,
  scaling: 'strong',
  dataBytes: ({ n }) => n * 8,
  throughputBytes: ({ n }) => n * 8,
  series: [
    { variant: 'sequential' },
    { variant: 'event-loop' },
    { variant: 'thread' },
    { variant: 'sequential', mode: 'simd' },
    { variant: 'thread', mode: 'simd' },
    { variant: 'process' },
    { variant: 'process+shm' },
    { variant: 'py-threading' },
    { variant: 'py-processes' },
    { variant: 'py-processes+shm' },
  ],
  async prepare(context): Promise<Prepared<number>> {
    const { params, variant, mode, workers } = context;
    if (VARIANTS[variant].runtime === 'python') return preparePeer('array-sum', context);
    const pool = await startPool<typeof Task>(variant, TASK, workers);
    const ranges = equalRanges(params.n, variant === 'sequential' ? 1 : workers);
    const total = (parts: number[]): number => parts.reduce((a, b) => a + b, 0);
    let run: () => Promise<number>;
    let release = (): void => {};
    if (mode === 'simd') {
      // The array in a shared WebAssembly memory; the SIMD loop reads it in place on every thread.
      const { memory, array } = wasmFloat64Array(params.n);
      fill(array);
      run = async () => total(await Promise.all(ranges.map(([lo, hi]) => pool.call.simdSum(memory, lo, hi))));
    } else if (variant === 'process') {
      // A plain array; each worker gets a copy of its slice, made and sent inside the timed section.
      const array = fill(new Float64Array(params.n));
      run = async () => total(await Promise.all(ranges.map(([lo, hi]) => pool.call.sumCopy(array.slice(lo, hi)))));
    } else if (variant === 'process+shm') {
      // One mapped /dev/shm segment; workers map it by name and read it in place.
      const array = fill(sharedArray(Float64Array, params.n, { placement: 'mapped' }));
      run = async () => total(await Promise.all(ranges.map(([lo, hi]) => pool.call.sumSlice(encodeShared(array) as Float64Array, lo, hi))));
      release = () => dispose(array);
    } else {
      // A SharedArrayBuffer: threads (and the main thread) read the same memory, no copy.
      const array = fill(sharedArray(Float64Array, params.n));
      run = async () => total(await Promise.all(ranges.map(([lo, hi]) => pool.call.sumSlice(array, lo, hi))));
    }
    return {
      run: async () => ({ value: await run() }),
      async dispose() {
        await pool.close();
        release();
      },
    };
  },
  check(value, { n }) {
    const expected = expectedSum(n);
    const exact = Number.isInteger(value) && BigInt(value) === expected;
    return { ok: exact, expected: expected.toLocaleString('en-US'), actual: Number.isInteger(value) ? BigInt(value).toLocaleString('en-US') : String(value) };
  },
});
