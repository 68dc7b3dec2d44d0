// robust-tasks.ts
import { Mutex } from 'weft-pool';

export function crashHoldingLock(lockState: Int32Array, account: Int32Array): void {
  Mutex.from(lockState).lock();
  account[0] = -1; // half-way through an update
  process.exit(1); // dies holding the lock
}
