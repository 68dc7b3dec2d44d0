// shared-sum.ts (the consumer test's own): the README's shared-memory example as a whole program, a
// mapped array summed in place by two process workers
import { createPool, sharedArray } from 'weft-pool';
import type * as Tasks from './sum-tasks.js';

const n = 10_000_000;
const data = sharedArray(Float64Array, n, { placement: 'mapped' });
for (let i = 0; i < data.length; i++) data[i] = i;
const pool = createPool<typeof Tasks>({ module: new URL('./sum-tasks.ts', import.meta.url), backend: 'process', workers: 2 });
const [a, b] = await Promise.all([pool.call.sumSlice(data, 0, n / 2), pool.call.sumSlice(data, n / 2, n)]);
await pool.close();
console.log(`sum of 0..${n - 1} = ${a + b} (${a + b === (n * (n - 1)) / 2 ? 'exact' : 'wrong'})`);
