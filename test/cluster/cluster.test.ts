/**
 * The cluster backend against a real Redis and real `weft worker` processes: the same Pool API and errors as the
 * other backends, V8 data intact, stopped tasks stopped where they run, and nothing of a pool's jobs left behind.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createPool, serveCluster, InvalidOptionError, ModuleLoadError, TaskError, TimeoutError, UnknownTaskError, AbortError, WorkerCrashedError } from '../../src/index.js';
import type * as Tasks from '../fixtures/tasks.js';
import type * as Solo from '../fixtures/cluster-tasks.js';
import { noRedis, RedisServer, TASKS, WorkerProcess } from './helpers.js';

const SOLO = fileURLToPath(new URL('../fixtures/cluster-tasks.ts', import.meta.url));

describe('cluster backend', { skip: noRedis }, () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  before(async () => {
    redis = await RedisServer.start();
    workers.push(
      ...(await Promise.all([
        WorkerProcess.start(redis.url),
        WorkerProcess.start(redis.url, ['--backend', 'process']),
        // One machine with one local worker: what it runs, nothing else can.
        WorkerProcess.start(redis.url, ['--queue', 'solo'], SOLO),
      ])),
    );
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis.stop();
  });
  const pool = () => createPool<typeof Tasks>({ backend: 'cluster', module: TASKS, connection: redis.url, loadTimeout: 20_000 });
  const solo = () => createPool<typeof Solo>({ backend: 'cluster', module: SOLO, connection: redis.url, queue: 'solo', loadTimeout: 20_000 });

  it('runs calls, bursts, map and asCompleted, and reports stats', async () => {
    await using p = pool();
    assert.equal(await p.call.add(2, 3), 5);
    const burst = await Promise.all(Array.from({ length: 5_000 }, (_, i) => p.call.add(i, 1)));
    assert.deepEqual(burst, Array.from({ length: 5_000 }, (_, i) => i + 1));
    const items = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(await p.map('square', items, { chunkSize: 7 }), items.map((x) => x * x));
    const seen: number[] = [];
    for await (const { index, value } of p.asCompleted('square', items)) seen[index] = value;
    assert.deepEqual(seen, items.map((x) => x * x));
    const stats = p.stats();
    assert.equal(stats.completed, 1 + 5_000 + 15 + 100);
    assert.equal(stats.failed, 0);
  });

  it('carries V8 data intact: BigInt, typed arrays, Map, Date, cycles', async () => {
    await using p = solo();
    const cyclic: { self?: unknown; when: Date } = { when: new Date(86_400_000) };
    cyclic.self = cyclic;
    const value = { big: 2n ** 100n, floats: Float64Array.of(0.1, -0, Infinity), map: new Map([[1, 'one']]), set: new Set(['a']), cyclic };
    const back = (await p.call.echo(value)) as typeof value;
    assert.equal(back.big, 2n ** 100n);
    assert.ok(back.floats instanceof Float64Array);
    assert.deepEqual([...back.floats], [0.1, -0, Infinity]);
    assert.ok(back.map instanceof Map && back.map.get(1) === 'one');
    assert.ok(back.set instanceof Set && back.set.has('a'));
    assert.ok(back.cyclic.when instanceof Date && back.cyclic.when.getTime() === 86_400_000);
    assert.equal(back.cyclic.self, back.cyclic);
    await using q = pool();
    assert.equal(await q.call.factorial(25), 15511210043330985984000000n);
  });

  it('gives the same typed errors as the other backends', async () => {
    await using p = pool();
    await assert.rejects(p.call.fail('bad input'), (e: unknown) => e instanceof TaskError && e.remoteName === 'RangeError' && /bad input/.test(e.message) && (e.details as { extra?: number })?.extra === 42);
    await assert.rejects(p.run('noSuchTask'), UnknownTaskError);
    await assert.rejects(p.call.returnFunction(), (e: unknown) => (e as { code?: string }).code === 'WEFT_NOT_SENDABLE');
    assert.equal(await p.call.add(1, 1), 2, 'the pool goes on after failures');
  });

  it('stops a task that times out or is aborted on the machine running it, and goes on', async () => {
    await using p = solo();
    await assert.rejects(p.with({ timeout: 300 }).call.hang(), TimeoutError);
    const controller = new AbortController();
    const aborted = p.with({ signal: controller.signal }).call.hang();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(aborted, AbortError);
    // One machine with one local worker: had a hung task kept running there, these would never finish.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => p.call.add(i, i)));
    assert.deepEqual(after, Array.from({ length: 20 }, (_, i) => 2 * i));
  });

  it('times each task with a timeout on its own, even in a burst, and stops it on a machine that is busy', async () => {
    await using p = solo();
    await p.call.napThenWhere(1); // known short: without care, the next ones would share a job
    const started = performance.now();
    const timed = p.with({ timeout: 800 });
    // On the cluster a timeout is a deadline from the call: time spent waiting for a machine counts.
    const burst = await Promise.allSettled([timed.call.napThenWhere(1), timed.call.hang(), timed.call.hang(), timed.call.hang()]);
    assert.deepEqual(
      burst.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as Error).constructor.name)),
      ['ok', 'TimeoutError', 'TimeoutError', 'TimeoutError'],
    );
    // The machine has one local worker: the hung tasks waiting for it were stopped before they started.
    assert.deepEqual(await Promise.all([p.call.add(1, 2), p.call.add(3, 4)]), [3, 7]);
    assert.ok(performance.now() - started < 15_000, 'settled in bounded time');
  });

  it('reports a task that kills its worker on the machine as WorkerCrashedError, and retries it when asked', async () => {
    await using p = pool();
    await assert.rejects(p.call.exitWith(3), (e: unknown) => e instanceof WorkerCrashedError && e.exitCode === 3 && /cluster-\d/.test(e.worker));
    const retried = p.stats().retried;
    await assert.rejects(p.with({ retries: 2 }).call.exitWith(4), WorkerCrashedError);
    assert.equal(p.stats().retried - retried, 2, 'ran three times in all');
    assert.equal(await p.call.add(2, 2), 4);
  });

  it('leaves no job of the pool in Redis after close()', async () => {
    {
      await using p = pool();
      await Promise.all(Array.from({ length: 500 }, (_, i) => p.call.add(i, 1)));
    }
    const keys = await redis.keys();
    const jobKeys = keys.filter((k) => !/:(events|id|meta|stalled-check|marker)$/.test(k) && !/:weft-worker(s$|:)/.test(k));
    assert.deepEqual(jobKeys, [], `left: ${jobKeys.join(', ')}`);
  });

  it('stores a large array once and fetches it once per worker machine, however many calls carry it', async () => {
    const machine = await serveCluster({ connection: redis.url, module: TASKS, queue: 'arrays', workers: 1 });
    try {
      const big = Float64Array.from({ length: 250_000 }, (_, i) => i % 1_000); // 2 MB
      const expected = big.reduce((a, b) => a + b, 0);
      {
        await using p = createPool<typeof Tasks>({ backend: 'cluster', module: TASKS, connection: redis.url, queue: 'arrays', loadTimeout: 20_000 });
        // One at a time (a batch each) and then all at once.
        for (let i = 0; i < 5; i++) assert.equal(await p.call.sumArray(big), expected);
        const sums = await Promise.all(Array.from({ length: 30 }, () => p.call.sumArray(big)));
        assert.deepEqual(sums, new Array(30).fill(expected));
        assert.ok((await redis.keys('*weft-blob*')).length === 1, 'stored once');
      }
      const stats = machine.stats();
      assert.equal(stats.arraysFetched, 1, `fetched ${stats.arraysFetched} times over ${stats.jobs} jobs`);
      assert.ok(stats.jobs >= 6, `${stats.jobs} jobs`);
      assert.equal(stats.arrayBytesFetched, big.byteLength);
      assert.deepEqual(await redis.keys('*weft-blob*'), [], 'close() deletes the stored arrays');
    } finally {
      await machine.close();
    }
  });

  it('returns large typed arrays whole through their own Redis keys, and leaves none behind', async () => {
    await using p = pool();
    const arrays = await Promise.all([p.call.makeArray(200_000), p.call.makeArray(10), p.call.makeArray(300_000)]);
    assert.deepEqual(arrays.map((a) => [a.constructor.name, a.length, a.every((x) => x === 1)]), [
      ['Float64Array', 200_000, true],
      ['Float64Array', 10, true],
      ['Float64Array', 300_000, true],
    ]);
    assert.deepEqual(await redis.keys('*weft-result*'), [], 'the client deletes the parts it read');
  });

  it('refuses bad options with InvalidOptionError naming the option', () => {
    assert.throws(() => createPool({ backend: 'cluster', module: TASKS }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'connection');
    assert.throws(() => createPool({ backend: 'cluster', module: TASKS, connection: 'http://x' }), /redis:\/\/ or rediss:\/\//);
    assert.throws(() => createPool({ backend: 'cluster', module: TASKS, connection: 'redis://:secret@h/x' }), (e: unknown) => e instanceof InvalidOptionError && !/secret/.test(e.message));
    assert.throws(() => createPool({ backend: 'cluster', module: TASKS, connection: 'redis://u:p@ss%zz@h/x' }), (e: unknown) => e instanceof InvalidOptionError && !/ss%zz|p@ss/.test(e.message));
    assert.throws(() => createPool({ backend: 'thread', module: TASKS, connection: redis.url }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'connection');
    assert.throws(() => createPool({ backend: 'cluster', module: TASKS, connection: redis.url, queue: 'a b' }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'queue');
  });

  it('refuses a client whose module differs from the workers\', naming both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-cluster-'));
    try {
      const other = join(dir, 'tasks.ts');
      copyFileSync(TASKS, other);
      appendFileSync(other, '\n// another version\n');
      await using p = createPool({ backend: 'cluster', module: other, connection: redis.url, queue: 'weft', loadTimeout: 20_000 });
      await assert.rejects(p.run('add', 1, 2), (e: unknown) => e instanceof ModuleLoadError && e.message.includes(other) && e.message.includes('fixtures/tasks.ts'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what it waited for when no worker serves the queue', async () => {
    await using p = createPool<typeof Tasks>({ backend: 'cluster', module: TASKS, connection: redis.url, queue: 'nobody-here', loadTimeout: 1_500 });
    await assert.rejects(p.call.add(1, 2), (e: unknown) => e instanceof ModuleLoadError && /no weft worker is running on that queue/.test(e.message));
  });
});
