/**
 * Faults while workers start: deaths of starting workers are not module errors once the module has
 * loaded, and a module that never finishes loading ends in ModuleLoadError after loadTimeout, on
 * every backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, ModuleLoadError } from '../../src/index.js';
import { BACKENDS, makePool, rejectionOf } from '../helpers/pool.js';

describe('start-up deaths', () => {
  it('process workers SIGKILLed while starting are replaced; no task fails as a module error', async () => {
    const startKills = 12;
    let killed = 0;
    const killWorker = (name: string): void => {
      const pid = Number(/pid (\d+)/.exec(name)?.[1]);
      if (!pid) return;
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    };
    let killing = false;
    await using pool = makePool('process', {
      workers: 2,
      observer: {
        // Every new worker dies as soon as it exists, until enough have.
        workerStarted: (name) => {
          if (killing && killed < 2 + startKills) killWorker(name);
        },
      },
    });
    await pool.ready();
    killing = true;
    // The two running workers go first, with tasks queued behind them.
    const calls = Array.from({ length: 200 }, (_, i) => pool.call.add(i, 1));
    for (const worker of pool.stats().perWorker) killWorker(worker.name);
    const settled = await Promise.allSettled(calls);
    const moduleErrors = settled.filter((s) => s.status === 'rejected' && s.reason instanceof ModuleLoadError);
    assert.equal(moduleErrors.length, 0, `${moduleErrors.length} tasks failed as module errors`);
    // Tasks the killed workers held may fail as crashed; every other one succeeds.
    for (const [i, s] of settled.entries()) if (s.status === 'fulfilled') assert.equal(s.value, i + 1);
    assert.ok(killed >= 2 + startKills, `only ${killed} kills`);
    // And the pool works afterwards, at full strength.
    assert.equal(await pool.call.add(2, 2), 4);
    await pool.ready();
    assert.equal(pool.stats().workers, 2);
  });
});

it('ready() resolves when the workers it started are killed while starting (they are replaced)', async () => {
  let kills = 0;
  await using pool = makePool('process', {
    workers: 2,
    observer: {
      workerStarted: (name) => {
        const pid = Number(/pid (\d+)/.exec(name)?.[1]);
        if (pid && kills < 2) {
          kills++;
          process.kill(pid, 'SIGKILL');
        }
      },
    },
  });
  const ready = pool.ready().then(() => 'ready');
  const late = new Promise((resolve) => setTimeout(resolve, 20_000, 'still waiting after 20 s').unref());
  assert.equal(await Promise.race([ready, late]), 'ready');
  assert.equal(kills, 2);
  assert.equal(pool.stats().workers, 2);
});

for (const backend of BACKENDS) {
  describe(`loadTimeout on the ${backend} backend`, () => {
    it('a module whose top-level await never settles ends in ModuleLoadError', async () => {
      const pool = createPool({ module: new URL('../fixtures/never-loads.ts', import.meta.url), backend, workers: 1, loadTimeout: 1000, timeout: 500 });
      const started = Date.now();
      const [call, ready] = await Promise.all([rejectionOf(pool.run('unreachable')), rejectionOf(pool.ready())]);
      for (const error of [call, ready]) {
        assert.ok(error instanceof ModuleLoadError, String(error));
        assert.match(error.message, /did not finish loading in 1000 ms|top-level await never settled/);
      }
      // Bounded: the load timeout plus start-up on a loaded machine, far below the default 30 s.
      assert.ok(Date.now() - started < 20_000);
      await pool.destroy();
    });
  });
}

it('a good module loads within its loadTimeout as usual', async () => {
  await using pool = makePool('process', { loadTimeout: 20_000 });
  assert.equal(await pool.call.add(1, 2), 3);
});
