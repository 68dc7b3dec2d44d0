/**
 * Case 1 of the talk: count the primes below N by trial division, the range split across workers.
 * Embarrassingly parallel, no data shared; the only question is how the work is split. The talk's
 * equal split gives the last worker the most expensive numbers, so it is run beside a balanced
 * split (many smaller ranges, the costliest first, handed out as workers free up).
 */
import type { Pool } from '../../pool/index.js';
import { preparePeer } from '../python/peer.js';
import { defineCase, type Prepared } from '../types.js';
import { siblingModule, startPool, VARIANTS } from '../variants.js';
import { balancedRanges, equalRanges, type Range } from './chunks.js';
import { primesBelow } from './sieve.js';
import type * as Task from './primes-task.js';

/** Size parameters: count primes below n. */
export interface PrimesParams {
  n: number;
}

const TASK = siblingModule('primes-task', import.meta.url);

export const primes = defineCase<PrimesParams, number>({
  name: 'primes',
  title: 'Prime count (case 1)',
  summary: 'Count primes below N by trial division with odd divisors up to sqrt(n); checked against a sieve of Eratosthenes.',
  sizes: { tiny: { n: 20_000 }, quick: { n: 1_000_000 }, full: { n: 10_000_000 } },
  describeSize: ({ n }) => `N = ${n.toLocaleString('en-US')}`,
  scaling: 'strong',
  series: [
    { variant: 'sequential' },
    { variant: 'event-loop', mode: 'equal' },
    { variant: 'thread', mode: 'equal' },
    { variant: 'thread', mode: 'balanced' },
    { variant: 'process', mode: 'equal' },
    { variant: 'process', mode: 'balanced' },
    { variant: 'py-threading', mode: 'equal' },
    { variant: 'py-processes', mode: 'equal' },
  ],
  async prepare({ params, variant, mode, workers, python }): Promise<Prepared<number>> {
    if (VARIANTS[variant].runtime === 'python') return preparePeer('primes', { params, variant, mode, workers, python });
    const pool = await startPool<typeof Task>(variant, TASK, workers);
    const ranges: Range[] =
      variant === 'sequential' ? [[0, params.n]] : mode === 'balanced' ? balancedRanges(params.n, workers) : equalRanges(params.n, workers);
    return {
      async run() {
        const counts = await Promise.all(ranges.map(([lo, hi]) => pool.call.countPrimes(lo, hi)));
        return { value: counts.reduce((a, b) => a + b, 0) };
      },
      dispose: () => (pool as Pool<typeof Task>).close(),
    };
  },
  check(value, { n }) {
    const expected = primesBelow(n);
    return { ok: value === expected, expected: expected.toLocaleString('en-US'), actual: value.toLocaleString('en-US') };
  },
});
