// counter.ts
import { createPool, Mutex, sharedArray } from 'weft-pool';
import type * as Tasks from './counter-tasks.js';

const lock = Mutex.create({ placement: 'mapped' }); // in /dev/shm, so process workers lock the same mutex
const counter = sharedArray(Int32Array, 1, { placement: 'mapped' });
await using pool = createPool<typeof Tasks>({ module: new URL('./counter-tasks.ts', import.meta.url), backend: 'process', workers: 2 });
await Promise.all([pool.call.addMany(counter, lock.state, 100_000), pool.call.addMany(counter, lock.state, 100_000)]);
console.log(counter[0]); // 200000: no update lost
