/**
 * The cluster under faults, with real processes: `weft worker`s SIGKILLed mid-run have their jobs taken over
 * (every call settles once, with the right value), and a Redis that dies makes calls fail with a typed error
 * within a bounded time instead of waiting for ever.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPool, WeftError } from '../../src/index.js';
import { fileURLToPath } from 'node:url';
import type * as Tasks from '../fixtures/tasks.js';
import type * as Solo from '../fixtures/cluster-tasks.js';
import { noRedis, RedisServer, TASKS, WorkerProcess } from './helpers.js';

const SOLO = fileURLToPath(new URL('../fixtures/cluster-tasks.ts', import.meta.url));

describe('cluster failures', { skip: noRedis }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('2,000 tasks while workers are SIGKILLed and restarted (3 times; 2 on the Node matrix): each settles once with its value, no job key left', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.stop());
    const live: WorkerProcess[] = await Promise.all([WorkerProcess.start(redis.url), WorkerProcess.start(redis.url)]);
    cleanups.push(() => Promise.all(live.map((w) => w.kill())));
    const pool = createPool<typeof Tasks>({ backend: 'cluster', module: TASKS, connection: redis.url, loadTimeout: 30_000 });
    cleanups.push(() => pool.destroy());
    const n = 2_000;
    const settled = new Array<number>(n).fill(0);
    const values = new Array<unknown>(n);
    const calls = Array.from({ length: n }, (_, i) =>
      pool.call.addLater(i, 1_000_000, 2).then(
        (value) => {
          settled[i]++;
          values[i] = value;
        },
        (error: unknown) => {
          settled[i]++;
          values[i] = error;
        },
      ),
    );
    let kills = 0;
    // Three kills on the main Node; CI's Node matrix halves the fault rounds (WEFT_TEST_ROUNDS_SCALE).
    const rounds = Math.max(1, Math.round(3 * Number(process.env.WEFT_TEST_ROUNDS_SCALE ?? 1)));
    const chaos = (async () => {
      for (let round = 0; round < rounds; round++) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        const victim = live.shift()!;
        await victim.kill('SIGKILL');
        kills++;
        live.push(await WorkerProcess.start(redis.url));
      }
    })();
    await Promise.all(calls);
    await chaos;
    await pool.close();
    assert.equal(kills, rounds);
    assert.deepEqual(settled.filter((count) => count !== 1), [], 'every call settled exactly once');
    const wrong = values.flatMap((value, i) => (value === i + 1_000_000 ? [] : [`${i}: ${String(value)}`]));
    assert.deepEqual(wrong, [], 'every call has its own right value');
    const jobKeys = (await redis.keys()).filter((k) => !/:(events|id|meta|stalled-check|marker)$/.test(k) && !/:weft-worker(s$|:)/.test(k));
    assert.deepEqual(jobKeys, [], `keys left: ${jobKeys.join(', ')}`);
  });

  it('SIGTERM to a weft worker finishes the jobs it took and leaves the rest to another worker', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.stop());
    const first = await WorkerProcess.start(redis.url, [], SOLO);
    cleanups.push(() => first.kill());
    const pool = createPool<typeof Solo>({ backend: 'cluster', module: SOLO, connection: redis.url, loadTimeout: 30_000 });
    cleanups.push(() => pool.destroy());
    await pool.call.napThenWhere(1); // the pool now knows the task is short enough to batch
    const calls = Array.from({ length: 12 }, () => pool.call.napThenWhere(250));
    await new Promise((resolve) => setTimeout(resolve, 400));
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
    first.child.kill('SIGTERM');
    const second = await WorkerProcess.start(redis.url, [], SOLO);
    cleanups.push(() => second.kill());
    const ran = await Promise.all(calls);
    assert.equal(await exited, 0, `the first worker exits cleanly:\n${first.log}`);
    const byFirst = ran.filter((r) => r.pid === first.child.pid).length;
    const bySecond = ran.filter((r) => r.pid === second.child.pid).length;
    assert.equal(byFirst + bySecond, 12, 'every call ran on one of the two');
    assert.ok(byFirst >= 1, 'the first worker finished what it had started');
    assert.ok(bySecond >= 1, 'the jobs it had not taken went to the second');
  });

  it('Redis restarted without persistence: the calls whose jobs it lost fail, the pool goes on', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.stop());
    const worker = await WorkerProcess.start(redis.url, [], SOLO);
    cleanups.push(() => worker.kill());
    const pool = createPool<typeof Solo>({ backend: 'cluster', module: SOLO, connection: redis.url, loadTimeout: 30_000 });
    cleanups.push(() => pool.destroy());
    await pool.call.add(1, 1);
    const calls = Array.from({ length: 4 }, () => pool.call.napThenWhere(3_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const restarted = performance.now();
    await redis.restart();
    const outcomes = await Promise.allSettled(calls);
    assert.ok(performance.now() - restarted < 20_000, 'settled in bounded time');
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') continue; // finished before Redis went, or taken over
      assert.ok(outcome.reason instanceof WeftError, String(outcome.reason));
    }
    // The worker reconnects and announces itself again; the pool serves new calls.
    assert.equal(await pool.call.add(2, 3), 5);
  });

  it('Redis killed mid-run: every call rejects with a typed error within a bounded time', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.stop());
    const worker = await WorkerProcess.start(redis.url);
    cleanups.push(() => worker.kill());
    const pool = createPool<typeof Tasks>({ backend: 'cluster', module: TASKS, connection: redis.url, loadTimeout: 30_000 });
    cleanups.push(() => pool.destroy());
    assert.equal(await pool.call.add(1, 2), 3);
    const calls = Array.from({ length: 50 }, (_, i) => pool.call.sleep(100 + i));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = performance.now();
    await redis.stop();
    const outcomes = await Promise.allSettled(calls);
    const waited = performance.now() - killedAt;
    // 5 s without an answer makes the pool give up on Redis; the rest is the watchdog's beat and the machine.
    assert.ok(waited < 15_000, `the calls settled ${waited.toFixed(0)} ms after Redis died`);
    const late = await Promise.allSettled([pool.call.add(1, 1)]);
    for (const outcome of [...outcomes, ...late]) {
      if (outcome.status === 'fulfilled') continue; // finished before Redis went
      assert.ok(outcome.reason instanceof WeftError, `a typed error, got ${String(outcome.reason)}`);
      assert.match(outcome.reason.message, /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);
    }
    assert.ok(outcomes.some((o) => o.status === 'rejected'), 'calls out when Redis died were failed, not left waiting');
    assert.equal(late[0].status, 'rejected');
  });
});
