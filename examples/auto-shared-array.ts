/**
 * The study's case 2 under the auto backend: `npx tsx examples/auto-shared-array.ts [N]`.
 * Two halves of one shared N-element array (mapped, so process workers read it in place too) are summed at
 * once, eight times; the auto pool samples the first calls on inline, threads and processes and keeps the
 * cheapest per call in a burst. `explain()` prints the figures behind the choice.
 */
import { createPool, dispose, sharedArray } from '../src/index.js';
import type * as ArrayTasks from './tasks/array.js';

const N = Number(process.argv[2] ?? 4_000_000);
const values = sharedArray(Float64Array, N, { placement: 'mapped' });
for (let i = 0; i < N; i++) values[i] = i % 7;

await using pool = createPool<typeof ArrayTasks>({ backend: 'auto', module: new URL('./tasks/array.ts', import.meta.url) });
let total = 0;
for (let round = 0; round < 8; round++) {
  const halves = await Promise.all([pool.call.sumSlice(values, 0, N / 2), pool.call.sumSlice(values, N / 2, N)]);
  total = halves[0] + halves[1];
}
console.log(`sum of ${N} values: ${total}`);
console.log(`sumSlice -> ${pool.chosen('sumSlice')}\n`);
console.log(pool.explain().text);
dispose(values);
