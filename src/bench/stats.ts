/** Small statistics for repeated measurements. */
import type { Spread } from './types.js';

/** Median and range; the median of an even count is the mean of the middle two. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `f` applied to a spread whose order `f` reverses (e.g. time → speedup): min and max swap. */
export function invert(s: Spread, f: (x: number) => number): Spread {
  return { median: f(s.median), min: f(s.max), max: f(s.min) };
}
