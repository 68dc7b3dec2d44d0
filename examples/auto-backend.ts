/**
 * Let weft pick the backend: `npx tsx examples/auto-backend.ts [N]`.
 * The auto pool times the first calls of each task on inline, threads and processes, then sends
 * the rest where that task ran fastest; `explain()` prints the figures behind each choice.
 */
import { createPool } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

const N = Number(process.argv[2] ?? 2_000_000);

await using pool = createPool<typeof Primes>({ backend: 'auto', module: new URL('./tasks/primes.ts', import.meta.url) });

// Heavy: count the primes below N in 16 chunks, all at once. The first calls are the samples.
const chunk = Math.ceil(N / 16);
const counts = await Promise.all(
  Array.from({ length: 16 }, (_, i) => pool.call.countPrimes(i * chunk, Math.min(N, (i + 1) * chunk))),
);
console.log(`${counts.reduce((a, b) => a + b, 0)} primes below ${N}`);

// Trivial: is each of the first 1,000 numbers prime? A microsecond of work per call.
const flags = await Promise.all(Array.from({ length: 1000 }, (_, n) => pool.call.isPrime(n)));
console.log(`${flags.filter(Boolean).length} primes below 1000`);

console.log(`countPrimes -> ${pool.chosen('countPrimes')}, isPrime -> ${pool.chosen('isPrime')}\n`);
console.log(pool.explain().text);
