/**
 * A worker's idle wait (src/pool/worker/runtime.ts, pollIdle) backs off when it does not pay: after a wait that found
 * nothing, and after one that found the pool's thread short of a CPU (its last results unhandled), the next wait is
 * skipped; after a wait that found the next batch with the pool keeping up, the next one waits again.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { Doorbell } from '../../src/pool/doorbell.js';
import { JOB_CALL, type RunMessage } from '../../src/pool/protocol.js';
import { TaskRunner } from '../../src/pool/worker/runtime.js';

const batch = (id: number): RunMessage => ({ type: 'run', jobs: [id, 'count', [], JOB_CALL] }) as RunMessage;

/** Runs batch 1, with batch 2 handed to the worker's poll 0.1 ms into its idle wait; returns the polls after batch 2. */
function pollsAfterSecondBatch(poolKeepsUp: boolean): { second: number; results: number } {
  const bell = new Doorbell(undefined, new Int32Array(new SharedArrayBuffer(4)));
  let polls = 0;
  let pollsAtSecond = -1;
  let next: RunMessage | undefined;
  let waitStarted = 0;
  let results = 0;
  let ran = 0;
  const tasks = new Map([
    [
      'count',
      () => {
        ran++;
        if (ran === 1) next = batch(2);
        else pollsAtSecond = polls;
        return ran;
      },
    ],
  ]);
  const runner = new TaskRunner(tasks, {
    post: (message) => {
      if (message.type === 'results') results += message.results.length / 5;
      if (poolKeepsUp) bell.handled();
    },
    transfers: false,
    poll: () => {
      // Poll 1 is the runner's look for a batch already there; the idle wait starts with poll 2.
      polls++;
      const now = performance.now();
      if (polls === 2) waitStarted = now;
      if (next && polls >= 2 && now - waitStarted >= 0.1) {
        const message = next;
        next = undefined;
        return message;
      }
      return undefined;
    },
    doorbell: bell,
  });
  runner.receive(batch(1)); // synchronous: both batches and both idle waits run before it returns
  assert.equal(ran, 2, 'the second batch was taken by the idle wait');
  return { second: polls - pollsAtSecond, results };
}

test('after a wait that found the pool behind, the next idle wait is skipped', { skip: availableParallelism() < 2 && 'one core: workers never wait busily' }, () => {
  const { second, results } = pollsAfterSecondBatch(false);
  assert.equal(results, 2);
  assert.equal(second, 1, 'after batch 2, only the look for a batch already there: the idle wait was skipped');
});

test('after a wait that paid off with the pool keeping up, the next idle wait polls again', { skip: availableParallelism() < 2 && 'one core: workers never wait busily' }, () => {
  const { second, results } = pollsAfterSecondBatch(true);
  assert.equal(results, 2);
  assert.ok(second > 0, `the wait after the second batch polled ${second} times`);
});
