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
/** A doorbell that says whether the worker slept on it: the runtime sleeps only once it has seen the pool behind. */
class WatchedBell extends Doorbell {
  slept = false;
  override sleep(seen: number, ms: number): void {
    this.slept = true;
    super.sleep(seen, ms);
  }
}

interface Run {
  /** Batch 2 was taken by the idle wait, at the moment the scenario needs: the run says something. */
  conclusive: boolean;
  /** Polls after batch 2 ran: 1 is the runner's look for a batch already there; more is an idle wait. */
  pollsAfter: number;
}

/**
 * Runs batch 1, then hands batch 2 to the worker's idle wait: with the pool behind, on the first poll after the wait
 * slept on the doorbell (so it has seen the pool behind); with the pool keeping up, on the wait's second poll.
 */
function runTwoBatches(poolKeepsUp: boolean): Run {
  const bell = new WatchedBell(undefined, new Int32Array(new SharedArrayBuffer(4)));
  let polls = 0;
  let pollsAtSecond = -1;
  let next: RunMessage | undefined;
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
    post: () => {
      if (poolKeepsUp) bell.handled();
    },
    transfers: false,
    poll: () => {
      // Poll 1 is the runner's look for a batch already there; the idle wait starts with poll 2.
      polls++;
      const due = poolKeepsUp ? polls === 3 : bell.slept;
      if (next && due) {
        const message = next;
        next = undefined;
        return message;
      }
      return undefined;
    },
    doorbell: bell,
  });
  runner.receive(batch(1)); // synchronous: both batches and the idle waits run before it returns
  return { conclusive: ran === 2, pollsAfter: polls - pollsAtSecond };
}

/** A run is inconclusive only when the machine held this thread past the wait's 0.2 ms; a few tries find one that is not. */
function conclusiveRun(poolKeepsUp: boolean): Run {
  for (let attempt = 0; attempt < 20; attempt++) {
    const run = runTwoBatches(poolKeepsUp);
    if (run.conclusive) return run;
  }
  throw new Error('20 runs in a row could not hand batch 2 to the idle wait in time');
}

const oneCore = availableParallelism() < 2 && 'one core: workers never wait busily';

test('after a wait that found the pool behind, the next idle wait is skipped', { skip: oneCore }, () => {
  assert.equal(conclusiveRun(false).pollsAfter, 1, 'after batch 2, only the look for a batch already there');
});

test('after a wait that paid off with the pool keeping up, the next idle wait polls again', { skip: oneCore }, () => {
  const { pollsAfter } = conclusiveRun(true);
  assert.ok(pollsAfter > 1, `after batch 2, ${pollsAfter} polls: the idle wait ran`);
});
