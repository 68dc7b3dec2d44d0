import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event } from '../../src/sync/index.js';
import { delay, inThread } from './helpers.js';

describe('Event', () => {
  it('set, clear, isSet, and an initially set event', () => {
    const e = Event.create();
    assert.equal(e.isSet(), false);
    e.set();
    assert.equal(e.isSet(), true);
    assert.equal(e.wait(0), true);
    e.clear();
    assert.equal(e.isSet(), false);
    assert.equal(Event.create(true).wait(), true);
  });

  it('wait times out with false', async () => {
    const e = Event.create();
    const t = performance.now();
    assert.equal(e.wait(40), false);
    assert.ok(performance.now() - t >= 35);
    assert.equal(await e.waitAsync(20), false);
  });

  it('set releases threads that wait, and stays set for later waiters', async () => {
    const e = Event.create();
    const waiters = [1, 2, 3].map(() => inThread('eventWait', { event: e.state }, { timeoutMs: 10_000 }));
    await delay(100);
    e.set();
    assert.deepEqual(await Promise.all(waiters), [1, 1, 1]);
    assert.equal(await inThread('eventWait', { event: e.state }, { timeoutMs: 0 }), 1);
  });

  it('a set followed at once by clear still releases current waiters', async () => {
    const e = Event.create();
    const waiting = e.waitAsync(5_000);
    await delay(10);
    e.set();
    e.clear();
    assert.equal(await waiting, true);
    assert.equal(e.wait(10), false);
  });
});
