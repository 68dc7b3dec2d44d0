/**
 * At most once under worker deaths: tiny tasks count their executions (in a file) while process
 * workers are SIGKILLed from outside every 50 ms. No task may run twice unless retries were asked for,
 * every call settles exactly once, and a task reported as crashed is one that did start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, ResultLostError, WorkerCrashedError } from '../../src/index.js';
import type * as Counted from '../fixtures/counted.js';

const MODULE = new URL('../fixtures/counted.ts', import.meta.url);
const TASK_MS = 0.05;
const KILL_EVERY_MS = 50;
/** How long workers are killed; tasks keep arriving meanwhile. */
const KILLING_MS = 2500;

interface Run {
  counts: Int32Array;
  outcomes: ({ ok: true } | { ok: false; error: unknown })[];
  settled: Uint8Array;
  kills: number;
  retried: number;
}

async function runUnderKills(retries: number): Promise<Run> {
  const pool = createPool<typeof Counted>({ module: MODULE, backend: 'process', workers: 2, retries });
  await pool.ready();
  const total = 40_000;
  // Counted in a file the workers append to: a record that outlives a killed worker and needs no shared memory.
  const dir = mkdtempSync(join(tmpdir(), 'weft-counted-'));
  const file = join(dir, 'runs');
  writeFileSync(file, '');
  const outcomes: Run['outcomes'] = new Array(total);
  const settled = new Uint8Array(total);
  let kills = 0;
  const killer = setInterval(() => {
    // Workers that have run tasks (those hold batches); ones still starting are test/pool/start-faults.test.ts's.
    const pids = pool.stats().perWorker.flatMap((w) => (w.pid && w.tasks > 0 ? [w.pid] : []));
    const pid = pids[kills % Math.max(1, pids.length)];
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
      kills++;
    } catch {
      // already gone
    }
  }, KILL_EVERY_MS);
  const calls: Promise<void>[] = [];
  const started = Date.now();
  let i = 0;
  // Submit in waves, so tasks are queued, in flight and running whenever a kill lands.
  while (Date.now() - started < KILLING_MS && i < total) {
    for (const end = Math.min(total, i + 200); i < end; i++) {
      const index = i;
      calls.push(
        pool.call.counted(file, index, TASK_MS).then(
          () => {
            settled[index]++;
            outcomes[index] = { ok: true };
          },
          (error: unknown) => {
            settled[index]++;
            outcomes[index] = { ok: false, error };
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  clearInterval(killer);
  await Promise.all(calls);
  const { retried } = pool.stats();
  await pool.close();
  const counts = new Int32Array(i);
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line) counts[Number(line)]++;
  rmSync(dir, { recursive: true, force: true });
  return { counts, outcomes: outcomes.slice(0, i), settled: settled.subarray(0, i), kills, retried };
}

describe('tasks under SIGKILLed process workers', () => {
  it('without retries: no task runs twice, and each failure names a task that ran', async () => {
    const { counts, outcomes, settled, kills } = await runUnderKills(0);
    let twice = 0;
    let crashed = 0;
    let lost = 0;
    for (let i = 0; i < counts.length; i++) {
      assert.equal(settled[i], 1, `call ${i} settled ${settled[i]} times`);
      if (counts[i] > 1) twice++;
      const outcome = outcomes[i];
      if (outcome.ok) {
        assert.equal(counts[i], 1, `call ${i} succeeded after ${counts[i]} runs`);
      } else if (outcome.error instanceof WorkerCrashedError) {
        crashed++;
        // 0 is possible: the kill can land after the worker recorded the start, before the task's first statement.
        assert.ok(counts[i] <= 1, `call ${i} was reported crashed while running but ran ${counts[i]} times`);
        assert.equal(outcome.error.signal, 'SIGKILL');
      } else if (outcome.error instanceof ResultLostError) {
        lost++;
        assert.equal(counts[i], 1, `call ${i} was reported finished-but-lost but ran ${counts[i]} times`);
      } else {
        assert.fail(`call ${i}: unexpected ${String(outcome.error)}`);
      }
    }
    assert.equal(twice, 0, `${twice} tasks ran twice`);
    assert.ok(crashed <= kills, `${crashed} tasks reported crashed for ${kills} kills`);
    assert.ok(kills > 0, 'some worker was killed');
    console.log(`# ${counts.length} calls, ${kills} kills: ${crashed} crashed while running, ${lost} results lost, 0 ran twice`);
  });

  it('with retries: every call succeeds, having run at least once and at most 1 + retries times', async () => {
    const retries = 5;
    const { counts, outcomes, settled, kills, retried } = await runUnderKills(retries);
    let again = 0;
    let extraRuns = 0;
    for (let i = 0; i < counts.length; i++) {
      assert.equal(settled[i], 1, `call ${i} settled ${settled[i]} times`);
      const outcome = outcomes[i];
      assert.ok(outcome.ok, `call ${i} failed: ${outcome.ok ? '' : String(outcome.error)}`);
      assert.ok(counts[i] >= 1 && counts[i] <= 1 + retries, `call ${i} ran ${counts[i]} times`);
      if (counts[i] > 1) again++;
      extraRuns += Math.max(0, counts[i] - 1);
    }
    // Every run after the first was a retry the pool counted (a retry of a task killed before its
    // first statement adds to the count without a second run).
    assert.ok(retried >= extraRuns, `stats().retried ${retried} < ${extraRuns} extra runs`);
    console.log(`# ${counts.length} calls, ${kills} kills, ${again} ran again`);
  });
});

describe('a task that goes back to the queue', () => {
  it('gets a fresh timeout clock on its next worker (its first worker was killed right after it was sent)', async () => {
    const TIMEOUT = 1500;
    const tasks = new URL('../fixtures/tasks.ts', import.meta.url);
    const pool = createPool<typeof import('../fixtures/tasks.js')>({ module: tasks, backend: 'process', workers: 1, timeout: TIMEOUT, retries: 1 });
    try {
      await pool.call.add(1, 1);
      const pid = pool.stats().perWorker[0].pid!;
      // Runs well within its timeout, once it runs; but the first worker dies as the task reaches it, and the
      // second one takes a few hundred ms to start, so a clock left running from the first send would fire.
      const call = pool.call.sleep(TIMEOUT - 200);
      await new Promise((resolve) => setImmediate(resolve));
      process.kill(pid, 'SIGKILL');
      assert.equal(await call, TIMEOUT - 200);
    } finally {
      await pool.destroy();
    }
  });
});
