// robust.ts
import { createPool, Mutex, OwnerDiedError, sharedArray } from 'weft-pool';
import type * as Tasks from './robust-tasks.js';

const lock = Mutex.create({ placement: 'mapped' });
const account = sharedArray(Int32Array, 1, { placement: 'mapped' });
await using pool = createPool<typeof Tasks>({ module: new URL('./robust-tasks.ts', import.meta.url), backend: 'process', workers: 1 });
await pool.call.crashHoldingLock(lock.state, account).catch((e) => console.log(e.code)); // WEFT_WORKER_CRASHED
try {
  await lock.lockAsync(5_000);
} catch (e) {
  if (!(e instanceof OwnerDiedError)) throw e;
  console.log(e.reason); // owner-died: this thread now holds the lock, and the data may be half-updated
  account[0] = 0; // repair
  lock.markConsistent();
}
lock.unlock();
console.log(account[0]); // 0
