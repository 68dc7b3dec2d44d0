/**
 * Results as they finish, like Python's `as_completed`, and `map` with chunks in input order.
 * `npx tsx examples/as-completed.ts`
 */
import { createPool } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

await using pool = createPool<typeof Primes>({ module: new URL('./tasks/primes.ts', import.meta.url), backend: 'process', workers: 2 });

const numbers = [1_000_003, 15, 999_983, 1_000_000, 7];
console.log('map, input order:', await pool.map('isPrime', numbers, { chunkSize: 2 }));

for await (const { index, value } of pool.asCompleted('isPrime', numbers)) {
  console.log(`#${index} ${numbers[index]} is ${value ? 'prime' : 'not prime'}`);
}
