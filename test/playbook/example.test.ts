/** examples/auto-backend.ts runs as written and says what it chose. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('auto-backend sends the prime counting to a parallel backend and isPrime inline, and explains', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/auto-backend.ts', '1000000'], { timeout: 60_000 });
  assert.match(stdout, /^78498 primes below 1000000\n168 primes below 1000\n/);
  assert.match(stdout, /countPrimes -> (thread|process), isPrime -> inline/);
  assert.match(stdout, /why: inline: the task runs/);
});

test('auto-shared-array sums the shared array right and explains its choice', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/auto-shared-array.ts'], { timeout: 60_000 });
  assert.match(stdout, /^sum of 4000000 values: 11999994\n/);
  assert.match(stdout, /sumSlice -> (inline|thread|process)\n/);
  assert.match(stdout, /why: /);
});
