/**
 * The talk's case 2: one big array, every worker sums its own slice, nobody copies it.
 * `npx tsx examples/shared-sum.ts [N] [thread|process]` (default 10,000,000 on processes).
 * On processes the array lives in a mapped /dev/shm segment that each worker maps too.
 */
import { availableParallelism } from 'node:os';
import { createPool, disposableSharedArray, type BackendKind } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

const N = Number(process.argv[2] ?? 10_000_000);
const backend = (process.argv[3] ?? 'process') as BackendKind;
const workers = availableParallelism();

// `using`: the segment is removed when this module's scope ends (and on any exit or crash anyway).
using data = disposableSharedArray(Float64Array, N, { placement: backend === 'process' ? 'mapped' : 'memory' });
for (let i = 0; i < N; i++) data.array[i] = i;

await using pool = createPool<typeof Primes>({ module: new URL('./tasks/primes.ts', import.meta.url), backend, workers });
await pool.ready();
const started = performance.now();
const step = Math.ceil(N / workers);
const sums = await Promise.all(
  Array.from({ length: workers }, (_, w) => pool.call.sumSlice(data.array, w * step, Math.min(N, (w + 1) * step))),
);
const total = sums.reduce((a, b) => a + b, 0);
const expected = (N * (N - 1)) / 2;
console.log(`${backend}: sum of 0..${N - 1} = ${total} (${total === expected ? 'exact' : `WRONG, expected ${expected}`}) in ${(performance.now() - started).toFixed(1)} ms`);

