/**
 * Correctness under the loads the executor bench measures (bench/executor/service-suite.ts): with another
 * process spinning on a core, with twice as many workers as cores, and with long tasks beside awaited tiny
 * calls, every call settles once with its own value. The speed under these loads is the bench's to measure.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { makePool, PARALLEL_BACKENDS } from '../helpers/pool.js';

const cores = availableParallelism();

describe('under load', () => {
  let hog: ChildProcess;
  before(() => {
    hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  });
  after(() => {
    hog.kill('SIGKILL');
  });

  for (const backend of PARALLEL_BACKENDS) {
    it(`${backend} workers = 2x cores beside a CPU hog: awaited, concurrent and mixed calls all settle with their values`, async () => {
      await using pool = makePool(backend, { workers: 2 * cores });
      for (let i = 0; i < 300; i++) assert.equal(await pool.call.add(i, 1), i + 1);

      const concurrent = await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.call.add(i, 2)));
      concurrent.forEach((value, i) => assert.equal(value, i + 2));

      // Long tasks keep the other workers busy while tiny calls are awaited one by one.
      let running = true;
      let long = 0;
      const lanes = Array.from({ length: 2 * cores - 1 }, async () => {
        while (running) {
          // spin(ms) returns how many times its loop turned: a positive count.
          const turns = await pool.call.spin(50);
          assert.ok(turns > 0, `spin gave ${turns}`);
          long++;
        }
      });
      try {
        for (let i = 0; i < 200; i++) assert.equal(await pool.call.add(i, 3), i + 3);
      } finally {
        running = false;
        await Promise.all(lanes);
      }

      const stats = pool.stats();
      assert.equal(stats.completed, 300 + 2000 + 200 + long);
      assert.equal(stats.failed + stats.crashes + stats.retried, 0);
    });
  }
});
