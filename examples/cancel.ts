/**
 * Timeouts and cancellation really stop CPU work: the worker running the task is terminated and
 * replaced, and the promise rejects with a typed error. `npx tsx examples/cancel.ts`
 */
import { AbortError, createPool, TimeoutError } from '../src/index.js';
import type * as Primes from './tasks/primes.js';

await using pool = createPool<typeof Primes>({ module: new URL('./tasks/primes.ts', import.meta.url), workers: 2 });

try {
  await pool.with({ timeout: 50 }).call.countPrimes(0, 50_000_000);
} catch (error) {
  if (error instanceof TimeoutError) console.log(`timed out: ${error.message}`);
  else throw error;
}

const controller = new AbortController();
const running = pool.submit('countPrimes', [0, 50_000_000], { signal: controller.signal });
setTimeout(() => controller.abort(new Error('no longer needed')), 50);
try {
  await running;
} catch (error) {
  if (error instanceof AbortError) console.log(`aborted: ${error.message}`);
  else throw error;
}

// The pool is intact: the stopped workers were replaced.
console.log(`still working: ${await pool.call.countPrimes(0, 100)} primes below 100`);
console.log(pool.stats().timedOut, 'timed out,', pool.stats().cancelled, 'cancelled');
