/**
 * The talk's race demonstration on weft: W workers each add 1 to one shared counter. A plain
 * read-modify-write loses updates once workers truly run in parallel; a mutex or an atomic add
 * makes the total exact. Each worker does a fixed amount, so this case has no speedup.
 */
import { dispose, encodeShared, sharedArray } from '../../shared/index.js';
import { Mutex } from '../../sync/index.js';
import { defineCase, type Prepared } from '../types.js';
import { siblingModule, startPool } from '../variants.js';
import { raceLayout, raceViews, type RaceMode } from './race-task.js';
import type * as Task from './race-task.js';

/** Size parameters: additions per worker. */
export interface RaceParams {
  iterations: number;
}

/** What one run leaves in the counter. */
export interface RaceValue {
  expected: number;
  actual: number;
}

const TASK = siblingModule('race-task', import.meta.url);
const MODES: RaceMode[] = ['plain', 'mutex', 'atomic'];

export const race = defineCase<RaceParams, RaceValue>({
  name: 'race',
  title: 'Race condition',
  summary:
    'W workers each add 1 to one shared counter K times, without a lock (read-modify-write), with a mutex and with Atomics.add; plain must lose updates, the others must be exact.',
  // Long enough that the workers' loops overlap even when the OS preempts one of them for a while.
  sizes: { tiny: { iterations: 200_000 }, quick: { iterations: 1_000_000 }, full: { iterations: 10_000_000 } },
  describeSize: ({ iterations }) => `K = ${iterations.toLocaleString('en-US')} additions per worker`,
  scaling: 'weak',
  metrics: [{ key: 'lost', label: 'lost updates', unit: '%' }],
  series: [
    ...MODES.map((mode) => ({ variant: 'thread' as const, mode })),
    ...MODES.map((mode) => ({ variant: 'process+shm' as const, mode })),
  ],
  async prepare({ params, variant, mode, workers }): Promise<Prepared<RaceValue>> {
    const pool = await startPool<typeof Task>(variant, TASK, workers);
    const placement = variant === 'process+shm' ? 'mapped' : 'memory';
    const state = sharedArray(Int32Array, raceLayout().words, { placement });
    const views = raceViews(state);
    Mutex.create({ memory: views.mutex });
    const handle = (placement === 'mapped' ? encodeShared(state) : state) as Int32Array;
    return {
      async run() {
        Atomics.store(views.counter, 0, 0);
        Atomics.store(views.arrived, 0, 0);
        await Promise.all(Array.from({ length: workers }, () => pool.call.raceLoop(handle, mode as RaceMode, params.iterations, workers)));
        return { value: { expected: workers * params.iterations, actual: Atomics.load(views.counter, 0) } };
      },
      async dispose() {
        await pool.close();
        dispose(state);
      },
    };
  },
  check({ expected, actual }, _params, { mode }) {
    const lost = expected - actual;
    const metrics = { lost: (lost / expected) * 100 };
    // Lost updates are the point of the plain mode (there is nothing to check but the bounds);
    // the mutex and the atomic add must be exact.
    const ok = mode === 'plain' ? actual > 0 && actual <= expected : actual === expected;
    return { ok, expected: expected.toLocaleString('en-US'), actual: `${actual.toLocaleString('en-US')} (${lost.toLocaleString('en-US')} lost)`, metrics };
  },
});
