/**
 * Barrier broken state (as Python's threading.Barrier): abort(), reset(), a timed-out waiter, and
 * with watchParties a party of the previous generation that died before arriving: every waiter
 * gets BrokenBarrierError instead of waiting for its own timeout.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { Barrier, BrokenBarrierError, Event, SyncTimeoutError } from '../../src/sync/index.js';
import { hasLiveness, inThread, processJob, segments, settleAfterDeath, slot, threadJob } from './helpers.js';

const isBroken = (text: RegExp) => (e: unknown) => e instanceof BrokenBarrierError && e.code === 'WEFT_BROKEN_BARRIER' && text.test(e.message);

/** Waits until `b` has `n` parties waiting. */
async function waitingCount(b: Barrier, n: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (b.waiting !== n) {
    if (Date.now() > end) throw new Error(`never ${n} waiting`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Barrier broken state', () => {
  it('abort() breaks it for the party waiting and every later wait, until reset()', async () => {
    const b = Barrier.create(2);
    const waiter = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000 });
    await waitingCount(b, 1);
    b.abort();
    assert.equal(await waiter, 'BrokenBarrierError');
    assert.throws(() => b.wait(), isBroken(/abort\(\) was called/));
    b.abort(); // already broken: nothing changes
    b.reset();
    const again = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000 });
    assert.equal(await b.waitAsync(10_000) >= 0, true);
    assert.equal(await again, 'passed');
  });

  it('reset() while a party waits: it gets BrokenBarrierError; the barrier is then whole', async () => {
    const b = Barrier.create(2);
    const waiter = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000 });
    await waitingCount(b, 1);
    const generation = b.generation;
    b.reset();
    assert.equal(await waiter, 'BrokenBarrierError');
    assert.equal(b.broken, false);
    assert.equal(b.waiting, 0);
    assert.equal(b.generation, generation + 1);
    const again = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000 });
    await b.waitAsync(10_000);
    assert.equal(await again, 'passed');
  });

  it("one party's timeout breaks the round for the others at once (SyncTimeoutError for it, BrokenBarrierError for them)", async () => {
    const b = Barrier.create(4); // two threads and this one: never a full set
    const others = [1, 2].map(() => inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 20_000 }));
    await waitingCount(b, 2);
    const t = performance.now();
    await assert.rejects(b.waitAsync(100), SyncTimeoutError);
    assert.deepEqual(await Promise.all(others), ['BrokenBarrierError', 'BrokenBarrierError']);
    assert.ok(performance.now() - t < 5_000, 'the others did not wait for their own 20 s timeout');
  });
});

describe('Barrier with watchParties: a dead party breaks it', { skip: hasLiveness ? false : 'no liveness tokens (native addon missing or too old)' }, () => {
  const { segment, removeAll } = segments();
  after(removeAll);

  it('sizes its state by the parties', () => {
    assert.equal(Barrier.byteLength({ parties: 3, watchParties: true }), Barrier.byteLength() + (2 + 2 * 3) * 4);
    assert.equal(Barrier.create(3, { watchParties: true }).state.length * 4, Barrier.byteLength({ parties: 3, watchParties: true }));
  });

  it('a party that passed generation 0 and was terminated: the two waiting in generation 1 break the barrier', async (t) => {
    const b = Barrier.create(3, { watchParties: true });
    const passed = Event.create();
    const doomed = threadJob('barrierOutcome', { barrier: b.state, event: passed.state }, { timeoutMs: 10_000, hangMs: 60_000 });
    const survivor = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 20_000, generations: 2 });
    await b.waitAsync(10_000); // generation 0, all three
    assert.equal(await passed.waitAsync(10_000), true);
    await waitingCount(b, 1); // the survivor, in generation 1
    const outcome = await settleAfterDeath(t, 'a party was terminated', b.waitAsync(20_000), () => doomed.terminate());
    assert.ok(isBroken(/died/)(outcome), String(outcome));
    assert.equal(await survivor, 'BrokenBarrierError');
  });

  it('a party that returned after generation 0 (its thread ended): the next generation breaks', async () => {
    const b = Barrier.create(2, { watchParties: true });
    const gone = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000 });
    await b.waitAsync(10_000);
    assert.equal(await gone, 'passed');
    await assert.rejects(b.waitAsync(10_000), isBroken(/died/));
  });

  it('a SIGKILLed process that was a party: the waiter here breaks the barrier', async (t) => {
    const { name, buffer } = segment(4096);
    const bytes = Barrier.byteLength({ parties: 2, watchParties: true });
    const barrier = slot(buffer, 0, bytes);
    const event = slot(buffer, 256, Event.byteLength());
    const b = Barrier.create(2, { memory: barrier.view, watchParties: true });
    const passed = Event.create(false, { memory: event.view });
    const child = processJob('barrierOutcome', name, { barrier: barrier.spec, event: event.spec }, { timeoutMs: 20_000, hangMs: 60_000 });
    await b.waitAsync(20_000);
    assert.equal(await passed.waitAsync(20_000), true);
    const outcome = await settleAfterDeath(t, 'a party process was SIGKILLed', b.waitAsync(20_000), () => {
      child.kill('SIGKILL');
      return once(child, 'exit');
    });
    assert.ok(isBroken(/died/)(outcome), String(outcome));
  });

  it('live parties that are slow are not mistaken for dead ones', async () => {
    const b = Barrier.create(2, { watchParties: true });
    // The other party arrives in generation 1 only after a few liveness checks here.
    const slow = inThread<string>('barrierOutcome', { barrier: b.state }, { timeoutMs: 10_000, generations: 2, pauseMs: 350 });
    await b.waitAsync(10_000);
    assert.ok((await b.waitAsync(10_000)) >= 0);
    assert.equal(await slow, 'passed');
  });
});
