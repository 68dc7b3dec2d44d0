import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtomicBigCounter, AtomicCounter, SyncMisuseError } from '../../src/sync/index.js';
import { shared } from './helpers.js';

describe('AtomicCounter', () => {
  it('adds, increments, exchanges, compares and tracks max/min', () => {
    const c = AtomicCounter.create(5);
    assert.equal(c.add(3), 8);
    assert.equal(c.fetchAdd(2), 8);
    assert.equal(c.increment(), 11);
    assert.equal(c.decrement(), 10);
    assert.equal(c.exchange(1), 10);
    assert.equal(c.compareExchange(1, 7), 1);
    assert.equal(c.compareExchange(1, 9), 7); // failed: returns what it found
    assert.equal(c.load(), 7);
    assert.equal(c.max(4), 7);
    assert.equal(c.max(12), 12);
    assert.equal(c.min(3), 3);
    c.store(0x7fffffff);
    assert.equal(c.increment(), -0x80000000); // wraps like Atomics.add
  });

  it('attaches to a slot of an existing array and checks the slot', () => {
    const view = shared(4);
    AtomicCounter.from(view, 2).add(5);
    assert.deepEqual([...view], [0, 0, 5, 0]);
    assert.throws(() => AtomicCounter.from(view, 4), SyncMisuseError);
  });

  it('AtomicBigCounter goes past 2^31', () => {
    const c = AtomicBigCounter.create(0x7fffffffn);
    assert.equal(c.increment(), 0x80000000n);
    assert.equal(c.add(10n), 0x8000000an);
    assert.equal(c.compareExchange(0x8000000an, 1n), 0x8000000an);
    assert.equal(c.max(5n), 5n);
    assert.equal(AtomicBigCounter.from(c.view).load(), 5n);
  });
});
