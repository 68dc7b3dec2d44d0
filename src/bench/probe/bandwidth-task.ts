/** Task module of the memory bandwidth probe. */
import { tryNative } from '../../shared/native.js';

/**
 * Sums array[lo..hi) in C (the native addon's readFloat64, eight accumulators), or returns undefined when the
 * addon does not load here. C is the probe's first choice: it reads as fast as memory delivers.
 */
export function readNative(array: Float64Array, lo: number, hi: number): number | undefined {
  return tryNative()?.readFloat64(array, lo, hi);
}

/**
 * The fallback without the addon: sums array[lo..hi) in JavaScript with eight independent accumulators, so the loop is limited by how fast
 * memory delivers data rather than by the latency of one chain of additions.
 */
export function sumUnrolled(array: Float64Array, lo: number, hi: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; // prettier-ignore
  let i = lo;
  for (; i + 8 <= hi; i += 8) {
    s0 += array[i];
    s1 += array[i + 1];
    s2 += array[i + 2];
    s3 += array[i + 3];
    s4 += array[i + 4];
    s5 += array[i + 5];
    s6 += array[i + 6];
    s7 += array[i + 7];
  }
  for (; i < hi; i++) s0 += array[i];
  return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}
