// counter-tasks.ts
import { Mutex } from 'weft-pool';

export function addMany(counter: Int32Array, lockState: Int32Array, times: number): void {
  const lock = Mutex.from(lockState);
  for (let i = 0; i < times; i++) lock.withLock(() => { counter[0] = counter[0]! + 1; });
}
