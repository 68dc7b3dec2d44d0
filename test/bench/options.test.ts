import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWorkers, parseVariants, parseWorkers, selectCases } from '../../src/bench/options.js';
import { balancedRanges, equalRanges } from '../../src/bench/cases/chunks.js';
import { primesBelow } from '../../src/bench/cases/sieve.js';
import { expectedSum } from '../../src/bench/cases/array-sum.js';

describe('bench options', () => {
  it('defaults to powers of two up to the CPU count, and the count itself', () => {
    assert.deepEqual(defaultWorkers(2), [1, 2]);
    assert.deepEqual(defaultWorkers(8), [1, 2, 4, 8]);
    assert.deepEqual(defaultWorkers(6), [1, 2, 4, 6]);
  });

  it('parses worker lists, oversubscription included, and rejects junk', () => {
    assert.deepEqual(parseWorkers('4, 1,2,2,16'), [1, 2, 4, 16]);
    assert.throws(() => parseWorkers('0'), /--workers/);
    assert.throws(() => parseWorkers('two'), /--workers/);
  });

  it('parses variants; python means every peer; sequential is always kept', () => {
    assert.deepEqual(parseVariants('thread').sort(), ['sequential', 'thread']);
    assert.ok(parseVariants('python').includes('py-processes+shm'));
    assert.throws(() => parseVariants('fibers'), /unknown variant 'fibers'/);
  });

  it('selects cases by name', () => {
    assert.deepEqual(selectCases([]).map((c) => c.name), ['primes', 'array-sum', 'race', 'fl', 'fl-cnn']);
    assert.throws(() => selectCases(['nope']), /unknown case 'nope'/);
  });
});

describe('bench splits and references', () => {
  it('the equal split covers [0, n) with the remainder in the last range', () => {
    assert.deepEqual(equalRanges(10, 3), [[0, 3], [3, 6], [6, 10]]);
  });

  it('the balanced split covers [0, n) exactly, most expensive ranges first', () => {
    const ranges = balancedRanges(1000, 2, 8);
    assert.equal(ranges.length, 16);
    assert.equal(ranges[0][1], 1000);
    const covered = [...ranges].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < covered.length; i++) assert.equal(covered[i][0], covered[i - 1][1]);
    assert.equal(covered[0][0], 0);
  });

  it('the sieve and the exact sum agree with known values', () => {
    assert.equal(primesBelow(100), 25);
    assert.equal(primesBelow(1_000_000), 78_498);
    assert.equal(expectedSum(100_000_000), 4_999_999_950_000_000n);
    // The talk's sum is exact in a float64: below 2^53.
    assert.ok(expectedSum(100_000_000) < 2n ** 53n);
  });
});
