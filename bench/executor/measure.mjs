/** Helpers of the measuring processes (runner.mjs, service.mjs): deadlines, checks, percentiles. */

/** A wait that ran out of time: the pool may be hung. */
export class Timeout extends Error {}

export function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Results are checked after the clock stops: a fast wrong answer counts as a failure. */
export function check(condition, message) {
  if (!condition) throw new Error(`wrong result: ${message}`);
}

export function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
