/** How a range [0, n) is cut into tasks. */

/** A half-open range [lo, hi). */
export type Range = readonly [lo: number, hi: number];

/**
 * The talk's split: `parts` equal ranges, one per worker, the last running to `n`. For work whose
 * cost grows with the index (trial division) the last range is the most expensive.
 */
export function equalRanges(n: number, parts: number): Range[] {
  const size = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => [i * size, i === parts - 1 ? n : (i + 1) * size] as const);
}

/**
 * A balanced split: `parts × perPart` smaller ranges, most expensive (highest) first. Handed out
 * as workers free up, the cheap ranges left at the end fill the gaps, so all workers finish close
 * together (longest-processing-time-first scheduling).
 */
export function balancedRanges(n: number, parts: number, perPart = 32): Range[] {
  const count = Math.min(n, parts * perPart);
  return equalRanges(n, Math.max(1, count)).reverse();
}
