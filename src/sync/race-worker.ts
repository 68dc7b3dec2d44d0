/**
 * One worker of the race demonstration: waits for everybody at a barrier, then adds 1 to the
 * shared counter `iterations` times in the requested way and reports when it started and ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Barrier } from './barrier.js';
import { Mutex } from './mutex.js';
import type { RaceMode } from './race.js';

interface RaceWorkerData {
  mode: RaceMode;
  iterations: number;
  counter: Int32Array;
  lock: Int32Array;
  start: Int32Array;
}

const data = workerData as RaceWorkerData;
const c = data.counter;
const n = data.iterations;

// Separate functions so each loop is compiled on its own, as a user's loop would be.
function plain(): void {
  for (let i = 0; i < n; i++) c[0] = c[0] + 1; // read, add, write: another thread's write in between is lost
}

function locked(m: Mutex): void {
  for (let i = 0; i < n; i++) {
    m.lock();
    c[0] = c[0] + 1;
    m.unlock();
  }
}

function atomic(): void {
  for (let i = 0; i < n; i++) Atomics.add(c, 0, 1);
}

const mutex = Mutex.from(data.lock);
Barrier.from(data.start).wait(); // all workers (and the parent) start together, or nobody races
const t0 = performance.timeOrigin + performance.now();
if (data.mode === 'plain') plain();
else if (data.mode === 'mutex') locked(mutex);
else atomic();
const t1 = performance.timeOrigin + performance.now();
parentPort!.postMessage({ t0, t1 });
