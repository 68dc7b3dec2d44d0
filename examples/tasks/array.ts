/** A task over shared data: sum a slice of an array that every worker reads in place. */

/** Sums values[lo..hi). */
export function sumSlice(values: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += values[i];
  return sum;
}
