/**
 * worker.terminate() at a random moment of a lock/unlock (acquire/release) loop: V8 delivers
 * termination at a function's entry or a loop's back-edge, so a holder stopped between taking
 * the lock word and recording its token would leave a mutex held by "nobody known" forever, and
 * one stopped between a permit and its table slot would lose the permit. Every round here must
 * end with the main thread holding the lock (or told OwnerDiedError) or the permit within 2 s.
 * Needs the addon's liveness tokens (skipped without them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { Event, Mutex, OwnerDiedError, Semaphore } from '../../src/sync/index.js';
import { hasLiveness, threadJob } from './helpers.js';

const ROUND_MS = 2_000;

/** Starts `workers` loop jobs, waits until each has run once, terminates each after a random pause. */
async function runAndTerminate(workers: number, start: (event: Event) => Worker): Promise<void> {
  const started = Array.from({ length: workers }, () => {
    const event = Event.create();
    return { event, worker: start(event) };
  });
  for (const { event } of started) assert.equal(await event.waitAsync(20_000), true, 'the loop started');
  for (const { worker } of started) {
    await new Promise((r) => setTimeout(r, Math.random() * 15));
    await worker.terminate();
  }
}

/** Whether this thread gets `m` within ROUND_MS (told or not that a holder died); leaves it unlocked. */
function recovers(m: Mutex): boolean {
  let got: boolean;
  try {
    got = m.tryLock(ROUND_MS);
  } catch (e) {
    if (!(e instanceof OwnerDiedError)) throw e;
    m.markConsistent();
    got = true;
  }
  if (got) m.unlock();
  return got;
}

/**
 * The Node matrix in CI runs these with fewer rounds (WEFT_TEST_ROUNDS_SCALE=0.5): the full count runs on the
 * main Node, and each round costs about a second.
 */
const SCALE = Math.min(1, Math.max(0.1, Number(process.env.WEFT_TEST_ROUNDS_SCALE ?? 1) || 1));
const scaled = (rounds: number): number => Math.max(2, Math.round(rounds * SCALE));

describe('terminated at a random moment', { skip: hasLiveness ? false : 'no liveness tokens (native addon missing or too old)' }, () => {
  const cases: Array<{ name: string; rounds: number; workers: number; async: number }> = [
    { name: 'one thread looping lock()/unlock() (the uncontended path)', rounds: scaled(20), workers: 1, async: 0 },
    { name: 'two threads contending with lock() (spin, sleep and take-over paths)', rounds: scaled(10), workers: 2, async: 0 },
    { name: 'two threads contending with lockAsync()', rounds: scaled(10), workers: 2, async: 1 },
  ];
  for (const c of cases) {
    it(`Mutex, ${c.name}: never stuck`, async () => {
      const stuck: string[] = [];
      for (let round = 0; round < c.rounds; round++) {
        const m = Mutex.create();
        await runAndTerminate(c.workers, (event) => threadJob('lockLoop', { lock: m.state, event: event.state }, { async: c.async }));
        if (!recovers(m)) stuck.push(`round ${round}: state [${Array.from(m.state).join(',')}]`);
      }
      assert.deepEqual(stuck, [], `${stuck.length} of ${c.rounds} rounds stuck`);
    });
  }

  for (const workers of [1, 2]) {
    it(`Semaphore with holders, ${workers} thread(s) looping acquire()/release(): no permit lost or made`, async () => {
      const lost: string[] = [];
      const rounds = scaled(20 / workers);
      for (let round = 0; round < rounds; round++) {
        const s = Semaphore.create(1, { holders: 4, max: 1 });
        await runAndTerminate(workers, (event) => threadJob('permitLoop', { sem: s.state, event: event.state }));
        if (!s.tryAcquire(ROUND_MS)) {
          lost.push(`round ${round}: state [${Array.from(s.state).join(',')}]`);
          continue;
        }
        assert.equal(s.value, 0);
        s.release();
        assert.equal(s.value, 1, 'exactly the one permit');
      }
      assert.deepEqual(lost, [], `${lost.length} of ${rounds} rounds lost the permit`);
    });
  }
});
