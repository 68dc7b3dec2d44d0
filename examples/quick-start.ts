/**
 * Count the primes below N on every backend and compare: `npx tsx examples/quick-start.ts [N]`.
 * The same typed call runs inline (the sequential baseline), on worker threads and on processes.
 */
import { availableParallelism } from 'node:os';
import { createPool, type BackendKind } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

const N = Number(process.argv[2] ?? 2_000_000);
const workers = availableParallelism();

for (const backend of ['inline', 'thread', 'process'] as BackendKind[]) {
  await using pool = createPool<typeof Primes>({
    module: new URL('./tasks/primes.ts', import.meta.url),
    backend,
    workers: backend === 'inline' ? 1 : workers,
  });
  await pool.ready(); // start-up is not part of the measurement
  const started = performance.now();
  // Many small chunks, handed out as workers free up: larger numbers cost more to test.
  const chunk = Math.ceil(N / (workers * 16));
  const counts = await Promise.all(
    Array.from({ length: Math.ceil(N / chunk) }, (_, i) => pool.call.countPrimes(i * chunk, Math.min(N, (i + 1) * chunk))),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`${backend.padEnd(8)} ${total} primes below ${N} in ${(performance.now() - started).toFixed(0)} ms`);
}
