// main.ts
import { createPool } from 'weft-pool';
import type * as Tasks from './tasks.js';

await using pool = createPool<typeof Tasks>({
  module: new URL('./tasks.ts', import.meta.url),
  backend: 'process', // or 'thread', or 'inline'
  workers: 2,
});
const [a, b] = await Promise.all([pool.call.countPrimes(0, 500_000), pool.call.countPrimes(500_000, 1_000_000)]);
console.log(a + b); // 78498
