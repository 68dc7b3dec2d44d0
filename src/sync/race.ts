/**
 * The race-condition demonstration: N workers each add 1 to one shared counter K times.
 * With a plain read-modify-write (`c[0] = c[0] + 1`) updates are lost; with the {@link Mutex}
 * or `Atomics.add` the total is exact. Used by `examples/race.ts` and, later, the study.
 */
import { Barrier } from './barrier.js';
import { Mutex } from './mutex.js';
import { startThread } from './thread.js';
import { siblingModule } from '../pool/sibling-module.js';

/** How the workers add to the counter. */
export type RaceMode = 'plain' | 'mutex' | 'atomic';

/** Options of {@link runRace}. */
export interface RaceOptions {
  mode: RaceMode;
  /** Worker threads (N), default 4. */
  workers?: number;
  /** Additions per worker (K), default 1,000,000. */
  iterations?: number;
}

/** Outcome of one run. */
export interface RaceResult {
  mode: RaceMode;
  workers: number;
  iterations: number;
  /** workers × iterations. */
  expected: number;
  /** The counter's final value. */
  actual: number;
  /** expected − actual: updates overwritten by another worker. */
  lost: number;
  /** From the first worker starting its loop to the last one finishing, in milliseconds. */
  ms: number;
}

interface Times {
  t0: number;
  t1: number;
}

/**
 * Runs the race once on worker threads and returns what happened.
 *
 * @example
 * ```ts
 * const r = await runRace({ mode: 'plain', workers: 4, iterations: 1_000_000 });
 * console.log(`${r.actual} of ${r.expected} (${r.lost} lost) in ${r.ms.toFixed(1)} ms`);
 * ```
 */
export async function runRace(options: RaceOptions): Promise<RaceResult> {
  const { mode, workers = 4, iterations = 1_000_000 } = options;
  if (!['plain', 'mutex', 'atomic'].includes(mode)) throw new RangeError(`runRace: unknown mode ${String(mode)}`);
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`runRace: workers must be an integer >= 1`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`runRace: iterations must be an integer >= 0`);
  if (workers * iterations > 0x7fffffff) throw new RangeError('runRace: workers × iterations must fit a 32-bit counter');

  const counter = new Int32Array(new SharedArrayBuffer(4));
  const lock = Mutex.create();
  const start = Barrier.create(workers);
  const url = siblingModule('./race-worker', import.meta.url);
  const runs = Array.from({ length: workers }, () => {
    const w = startThread(url, {
      workerData: { mode, iterations, counter, lock: lock.state, start: start.state },
    });
    return new Promise<Times>((resolve, reject) => {
      let times: Times | undefined;
      w.once('message', (m: Times) => (times = m));
      w.once('error', reject);
      w.once('exit', (code) => (times ? resolve(times) : reject(new Error(`race worker exited with code ${code}`))));
    });
  });
  const times = await Promise.all(runs);
  const expected = workers * iterations;
  const actual = Atomics.load(counter, 0);
  const ms = Math.max(...times.map((t) => t.t1)) - Math.min(...times.map((t) => t.t0));
  return { mode, workers, iterations, expected, actual, lost: expected - actual, ms };
}
