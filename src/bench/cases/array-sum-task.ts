/**
 * Task module of the array-sum case: the talk's plain summing loop, deliberately not unrolled or vectorised, and
 * the SIMD loop of array-sum-simd.ts.
 */
import { decodeShared, isSharedDescriptor, type SharedDescriptor } from '../../shared/index.js';

export { simdSum } from './array-sum-simd.js';

/** Sums array[lo..hi). A mapped array may arrive as its descriptor; it is attached (once per process) here. */
export function sumSlice(array: Float64Array | SharedDescriptor, lo: number, hi: number): number {
  const values = isSharedDescriptor(array) ? decodeShared<Float64Array>(array) : array;
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += values[i];
  return sum;
}

/** Sums a whole array that was copied to this worker. */
export function sumCopy(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}
