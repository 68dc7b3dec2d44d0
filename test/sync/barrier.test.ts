import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, BrokenBarrierError, SyncMisuseError, SyncTimeoutError } from '../../src/sync/index.js';
import { inThread, shared } from './helpers.js';

describe('Barrier', () => {
  it('a barrier of 0 parties (or a non-integer) is a SyncMisuseError', () => {
    assert.throws(() => Barrier.create(0), (e: unknown) => e instanceof SyncMisuseError && /parties must be an integer in \[1, 65535\], got 0/.test(e.message));
    assert.throws(() => Barrier.create(2.5), SyncMisuseError);
    assert.throws(() => Barrier.create(70_000), SyncMisuseError);
  });

  it('one party passes at once, every time, and counts generations', () => {
    const b = Barrier.create(1);
    assert.equal(b.wait(), 0);
    assert.equal(b.wait(), 0);
    assert.equal(b.generation, 2);
  });

  it('3 threads through 3 generations: nobody passes a generation early', async () => {
    const parties = 3;
    const generations = 3;
    const b = Barrier.create(parties);
    const arrivals = shared(generations);
    const early = await Promise.all(
      Array.from({ length: parties }, () =>
        inThread('barrierRounds', { barrier: b.state, arrivals }, { generations, stagger: 30 }),
      ),
    );
    assert.deepEqual(early, [0, 0, 0]);
    assert.deepEqual([...arrivals], [3, 3, 3]);
    assert.equal(b.generation, generations);
    assert.equal(b.waiting, 0);
  });

  it('many quick generations with the test thread as a party (async form)', async () => {
    const parties = 3;
    const generations = 200;
    const b = Barrier.create(parties + 1);
    const arrivals = shared(generations);
    const workers = Array.from({ length: parties }, () =>
      inThread('barrierRounds', { barrier: b.state, arrivals }, { generations, stagger: 0 }),
    );
    const indexes = new Set<number>();
    for (let g = 0; g < generations; g++) {
      Atomics.add(arrivals, g, 1);
      indexes.add(await b.waitAsync(10_000));
      assert.equal(Atomics.load(arrivals, g), parties + 1, `generation ${g}`);
    }
    assert.deepEqual(await Promise.all(workers), [0, 0, 0]);
    assert.ok(indexes.size > 1, 'arrival indexes vary'); // each in [0, parties]
    assert.ok([...indexes].every((i) => i >= 0 && i <= parties));
  });

  it('a timeout throws SyncTimeoutError and breaks the barrier until reset()', async () => {
    const b = Barrier.create(2);
    const t = performance.now();
    assert.throws(() => b.wait(50), (e: unknown) => e instanceof SyncTimeoutError && e.operation === 'Barrier.wait');
    assert.ok(performance.now() - t >= 45);
    assert.equal(b.broken, true);
    assert.throws(() => b.wait(10_000), (e: unknown) => e instanceof BrokenBarrierError && /timed out/.test(e.message));
    await assert.rejects(b.waitAsync(10_000), BrokenBarrierError);
    b.reset();
    assert.equal(b.broken, false);
    assert.equal(b.waiting, 0);
    assert.equal(b.generation, 1, 'reset starts a new generation');
    const arrivals = shared(1);
    const other = inThread('barrierRounds', { barrier: b.state, arrivals }, { generations: 1 });
    Atomics.add(arrivals, 0, 1);
    await b.waitAsync(10_000);
    assert.equal(await other, 0);
    assert.equal(b.generation, 2);
  });
});
