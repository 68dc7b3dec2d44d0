/**
 * Results as they finish, like Python's `as_completed`, and `map` with chunks in input order.
 * `npx tsx examples/as-completed.ts`
 */
import { createPool } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

await using pool = createPool<typeof Primes>({ module: new URL('./tasks/primes.ts', import.meta.url), backend: 'process', workers: 2 });

const numbers = [1_000_003, 15, 999_983, 1_000_000, 7];
console.log('map, input order:', await pool.map('isPrime', numbers, { chunkSize: 2 }));

// Ranges of very different sizes: results come as they finish, so the largest, first in the input, is not first out.
const ends = [2_000_000, 1_000, 200_000, 10];
const start = performance.now();
for await (const { index, value } of pool.asCompleted('primesBelow', ends)) {
  console.log(`#${index}: ${value} primes below ${ends[index].toLocaleString('en-US')}, after ${Math.round(performance.now() - start)} ms`);
}
