/** The wait-loop drivers: both run a primitive's one loop the same way, and a failing sleep runs its `finally`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWaitLoop, runWaitLoopAsync, type WaitLoop, type Waiter } from '../../src/sync/waiter.js';
import { shared } from './helpers.js';

/** A waiter that records each sleep and fails the `failAt`-th one. */
function scripted(failAt = -1): Waiter & { sleeps: number[] } {
  const sleeps: number[] = [];
  const sleep = (_v: Int32Array, _i: number, expected: number): 'ok' => {
    sleeps.push(expected);
    if (sleeps.length === failAt) throw new Error('sleep failed');
    return 'ok';
  };
  return { kind: 'atomics', sleeps, wait: sleep, waitAsync: async (v, i, e) => sleep(v, i, e), wake: () => 0 };
}

function* countdown(view: Int32Array, from: number): WaitLoop<string> {
  view[1] += 1;
  try {
    for (let n = from; n > 0; n--) {
      const result = yield { index: 0, expected: n, timeoutMs: 10 };
      assert.equal(result, 'ok');
    }
    return 'done';
  } finally {
    view[1] -= 1;
  }
}

describe('runWaitLoop / runWaitLoopAsync', () => {
  it('drive the same loop to the same result', async () => {
    const a = scripted();
    const b = scripted();
    const view = shared(2);
    assert.equal(runWaitLoop(a, view, countdown(view, 3)), 'done');
    assert.equal(await runWaitLoopAsync(b, view, countdown(view, 3)), 'done');
    assert.deepEqual(a.sleeps, [3, 2, 1]);
    assert.deepEqual(b.sleeps, [3, 2, 1]);
    assert.equal(view[1], 0);
  });

  it('throw a failed sleep into the loop, so its finally runs', async () => {
    const view = shared(2);
    assert.throws(() => runWaitLoop(scripted(2), view, countdown(view, 3)), /sleep failed/);
    assert.equal(view[1], 0);
    await assert.rejects(runWaitLoopAsync(scripted(2), view, countdown(view, 3)), /sleep failed/);
    assert.equal(view[1], 0);
  });
});
