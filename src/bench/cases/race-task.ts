/**
 * Task module of the race case: every worker adds 1 to one shared counter `iterations` times,
 * starting together. All state lives in one shared Int32Array (a SharedArrayBuffer
 * for threads, a mapped segment for processes), laid out by {@link raceLayout}.
 */
import { decodeShared, isSharedDescriptor, type SharedDescriptor } from '../../shared/index.js';
import { Mutex } from '../../sync/index.js';

/** How the workers add: a plain read-modify-write, under a mutex, or with `Atomics.add`. */
export type RaceMode = 'plain' | 'mutex' | 'atomic';

/** Word offsets of the counter, the start gate and the mutex in the state array. */
export function raceLayout(): { counter: number; arrived: number; mutex: number; words: number } {
  const mutexWords = Math.ceil(Mutex.byteLength() / 8) * 2; // keep every part 8-byte aligned
  // The counter sits alone in its own 64-byte cache line, away from the gate the workers spin on.
  return { counter: 0, arrived: 16, mutex: 32, words: 32 + mutexWords };
}

/** The views over one state array. */
export function raceViews(state: Int32Array): { counter: Int32Array; arrived: Int32Array; mutex: Int32Array } {
  const layout = raceLayout();
  return {
    counter: state.subarray(layout.counter, layout.counter + 1),
    arrived: state.subarray(layout.arrived, layout.arrived + 1),
    mutex: state.subarray(layout.mutex, layout.words),
  };
}

/**
 * Every worker announces itself and spins until all `workers` have: they leave the gate within
 * nanoseconds of each other. (A sleeping barrier releases its waiters one futex wake-up at a
 * time, tens of microseconds apart, long enough for a short loop to finish before the next one
 * starts, and then no update is ever lost.) Gives up spinning after 30 s.
 */
function startTogether(arrived: Int32Array, workers: number): void {
  Atomics.add(arrived, 0, 1);
  const deadline = performance.now() + 30_000;
  while (Atomics.load(arrived, 0) < workers) {
    if (performance.now() > deadline) throw new Error('race: not every worker arrived at the start within 30 s');
  }
}

// One function per mode, so each loop is compiled on its own, as a user's loop would be.
function plain(c: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) c[0] = c[0] + 1; // read, add, write: a write in between is lost
}

function locked(c: Int32Array, n: number, m: Mutex): void {
  for (let i = 0; i < n; i++) {
    m.lock();
    c[0] = c[0] + 1;
    m.unlock();
  }
}

function atomic(c: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) Atomics.add(c, 0, 1);
}

/** Starts together with the other `workers`, then adds `iterations` times. Returns the loop's milliseconds. */
export function raceLoop(state: Int32Array | SharedDescriptor, mode: RaceMode, iterations: number, workers: number): number {
  const views = raceViews(isSharedDescriptor(state) ? decodeShared<Int32Array>(state) : state);
  const mutex = Mutex.from(views.mutex);
  startTogether(views.arrived, workers); // everyone starts together, or nobody races
  const t0 = performance.now();
  if (mode === 'plain') plain(views.counter, iterations);
  else if (mode === 'mutex') locked(views.counter, iterations, mutex);
  else atomic(views.counter, iterations);
  return performance.now() - t0;
}
