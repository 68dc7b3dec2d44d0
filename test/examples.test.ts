/** The README quotes these examples: they must run as written. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function example(file: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], { timeout: 120_000 });
  return stdout;
}

describe('examples', () => {
  it('quick-start counts the same primes on every backend', async () => {
    const out = await example('quick-start.ts', '100000');
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.match(line, /^(inline|thread|process)\s+9592 primes below 100000 in \d+ ms$/);
  });

  it('cancel shows a timeout and an abort, then a working pool', async () => {
    const out = await example('cancel.ts');
    assert.match(out, /timed out: task 'countPrimes' exceeded its timeout of 50 ms/);
    assert.match(out, /aborted: .*no longer needed/);
    assert.match(out, /still working: 25 primes below 100/);
    assert.match(out, /1 timed out, 1 cancelled/);
  });

  it('as-completed maps in input order and yields results in completion order', async () => {
    const out = await example('as-completed.ts');
    assert.match(out, /map, input order: \[ true, false, true, false, true \]/);
    const yielded = out.match(/^#\d: \d+ primes below [\d,]*\d/gm) ?? [];
    assert.deepEqual([...yielded].sort(), ['#0: 148933 primes below 2,000,000', '#1: 168 primes below 1,000', '#2: 17984 primes below 200,000', '#3: 4 primes below 10'], out);
    assert.notEqual(yielded[0], '#0: 148933 primes below 2,000,000', `the largest range, first in the input, is not first out:\n${out}`);
  });
});

describe('shared-memory examples', () => {
  it('shared-sum sums a mapped array exactly on processes and threads', async () => {
    assert.match(await example('shared-sum.ts', '1000000', 'process'), /^process: sum of 0\.\.999999 = 499999500000 \(exact\)/);
    assert.match(await example('shared-sum.ts', '1000000', 'thread'), /^thread: sum of 0\.\.999999 = 499999500000 \(exact\)/);
  });

  it('race shows lost updates without a lock and exact counts with one', async () => {
    const out = await example('race.ts', '2', '200000');
    assert.match(out, /^mutex\s+400,000\s+400,000\s+0\s/m);
    assert.match(out, /^atomic\s+400,000\s+400,000\s+0\s/m);
    assert.match(out, /^plain\s+400,000\s/m);
  });
});
