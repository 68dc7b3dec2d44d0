/** Shared set-up for the playbook tests: auto pools over the executor's fixture module and the study's primes task. */
import { createPool } from '../../src/index.js';
import type { AutoPool } from '../../src/playbook/index.js';
import type { AutoPoolOptions } from '../../src/playbook/auto-options.js';
import type * as Tasks from '../fixtures/tasks.js';
import type * as Primes from '../../src/bench/cases/primes-task.js';

export const TASKS = new URL('../fixtures/tasks.ts', import.meta.url);
/** The study's own primes task module (case 1 of `weft bench`). */
export const PRIMES = new URL('../../src/bench/cases/primes-task.ts', import.meta.url);
/** Primes below 2,000,000. */
export const PRIMES_BELOW_2M = 148_933;

export function autoTasks(options: Partial<AutoPoolOptions> = {}): AutoPool<typeof Tasks> {
  return createPool<typeof Tasks>({ backend: 'auto', module: TASKS, workers: 2, ...options });
}

export function autoPrimes(options: Partial<AutoPoolOptions> = {}): AutoPool<typeof Primes> {
  return createPool<typeof Primes>({ backend: 'auto', module: PRIMES, workers: 2, ...options });
}

/** Counts the primes below 2M in 16 chunks, all at once, as the study does. */
export async function primesBelow2M(pool: AutoPool<typeof Primes>): Promise<number> {
  const chunk = 125_000;
  const counts = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.call.countPrimes(i * chunk, (i + 1) * chunk)));
  return counts.reduce((a, b) => a + b, 0);
}
