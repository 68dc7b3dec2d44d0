/**
 * Chaos: thousands of tasks while workers throw, exit, hang past their timeout and (processes)
 * get SIGKILLed from outside. Every task must settle exactly once, with its right result or the
 * right error, and the pool must work normally afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, ResultLostError, TaskError, TimeoutError, WorkerCrashedError } from '../../src/index.js';
import type * as ChaosTasks from '../fixtures/chaos.js';
import type { Action } from '../fixtures/chaos.js';

/** 2,500 on the main Node; the Node matrix in CI runs half (WEFT_TEST_ROUNDS_SCALE=0.5), the same faults at the same rates. */
const SCALE = Math.min(1, Math.max(0.1, Number(process.env.WEFT_TEST_ROUNDS_SCALE ?? 1) || 1));
const TASKS = Math.round(2500 * SCALE);
// Generous, so that only the hanging tasks time out even on a heavily loaded machine.
const TIMEOUT_MS = 1000;

/** A small deterministic generator so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickAction(r: number): Action {
  if (r < 0.03) return 'throw';
  if (r < 0.045) return 'exit';
  if (r < 0.052) return 'hang';
  if (r < 0.3) return 'async';
  return 'ok';
}

for (const backend of ['thread', 'process'] as const) {
  describe(`chaos on the ${backend} backend`, () => {
    it(`${TASKS} tasks all settle exactly once with the right outcome`, async () => {
      const seed = Number(process.env.WEFT_CHAOS_SEED ?? 12345);
      const rand = random(seed);
      await using pool = createPool<typeof ChaosTasks>({
        module: new URL('../fixtures/chaos.ts', import.meta.url),
        backend,
        workers: 3,
        timeout: TIMEOUT_MS,
      });
      const actions: Action[] = Array.from({ length: TASKS }, () => pickAction(rand()));
      const settledCount = new Uint8Array(TASKS);
      const outcomes: { ok: boolean; value?: number; error?: unknown }[] = new Array(TASKS);

      // Kill process workers from outside now and then, as an OOM killer or an operator would.
      let kills = 0;
      const killer =
        backend === 'process'
          ? setInterval(() => {
              // Workers that are running tasks: killing every worker while it starts (a second or more on a
              // loaded machine) would leave none to run anything. Start-up deaths have their own test.
              const victims = pool.stats().perWorker.filter((w) => w.pid && w.tasks > 0);
              const victim = victims[Math.floor(rand() * victims.length)];
              if (!victim?.pid) return;
              try {
                process.kill(victim.pid, 'SIGKILL');
                kills++;
              } catch {
                // already gone
              }
            }, 400)
          : undefined;

      // Submit in waves so tasks arrive while workers are dying and being replaced.
      const all: Promise<void>[] = [];
      for (let i = 0; i < TASKS; i++) {
        all.push(
          pool.call.chaos(i, actions[i]).then(
            (value) => {
              settledCount[i]++;
              outcomes[i] = { ok: true, value };
            },
            (error) => {
              settledCount[i]++;
              outcomes[i] = { ok: false, error };
            },
          ),
        );
        if (i % 250 === 249) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(all);
      if (killer) clearInterval(killer);

      const tally: Record<string, number> = {};
      for (let i = 0; i < TASKS; i++) {
        assert.equal(settledCount[i], 1, `task ${i} settled ${settledCount[i]} times`);
        const outcome = outcomes[i];
        const error = outcome.error;
        // A kill from outside fails the task it was running, and those it had finished but not yet reported.
        const killed = (error instanceof WorkerCrashedError || error instanceof ResultLostError) && error.signal === 'SIGKILL';
        const key = `${actions[i]}:${outcome.ok ? 'ok' : (error as Error).name}`;
        tally[key] = (tally[key] ?? 0) + 1;
        if (killed && backend === 'process') continue; // any task may be running when a worker is killed
        switch (actions[i]) {
          case 'ok':
          case 'async':
            assert.ok(outcome.ok, `task ${i} (${actions[i]}) should succeed: ${String(error)}`);
            assert.equal(outcome.value, i * 2);
            break;
          case 'throw':
            assert.ok(error instanceof TaskError, `task ${i}: ${String(error)}`);
            assert.match(error.message, new RegExp(`task ${i} failed on purpose`));
            break;
          case 'exit':
            assert.ok(error instanceof WorkerCrashedError, `task ${i}: ${String(error)}`);
            assert.equal(error.exitCode, 10 + (i % 50));
            break;
          case 'hang':
            assert.ok(error instanceof TimeoutError, `task ${i}: ${String(error)}`);
            break;
        }
      }

      const stats = pool.stats();
      assert.equal(stats.queued, 0);
      assert.equal(stats.running, 0);
      assert.equal(stats.completed + stats.failed + stats.timedOut, TASKS, JSON.stringify({ ...stats, perWorker: undefined }));
      // Usable afterwards: a clean burst on a full complement of workers.
      const after = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.call.chaos(i, 'ok')));
      after.forEach((value, i) => assert.equal(value, i * 2));
      await pool.ready();
      assert.equal(pool.stats().workers, 3);
      console.log(`# chaos ${backend}: seed ${seed}, ${kills} external kills, outcomes ${JSON.stringify(tally)}`);
    });
  });
}
