// pools.ts (the consumer test's own): the README's task module on worker threads and on child
// processes, written without `await using` so that plain `node pools.ts` runs it on Node 22 too.
import { createPool } from 'weft-pool';
import type * as Tasks from './tasks.js';

for (const backend of ['thread', 'process'] as const) {
  const pool = createPool<typeof Tasks>({ module: new URL('./tasks.ts', import.meta.url), backend, workers: 2 });
  const [a, b] = await Promise.all([pool.call.countPrimes(0, 50_000), pool.call.countPrimes(50_000, 100_000)]);
  console.log(`${backend}: ${a + b} primes below 100000`);
  await pool.close();
}
