import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS, makePool, rejectionOf } from '../helpers/pool.js';
import { PoolClosedError } from '../../src/index.js';

for (const backend of BACKENDS) {
  describe(`lifecycle on the ${backend} backend`, () => {
    it('lazy pools start workers on demand; ready() starts them all', async () => {
      await using pool = makePool(backend);
      assert.equal(pool.stats().workers, 0);
      await pool.ready();
      assert.equal(pool.stats().workers, backend === 'inline' ? 1 : 2);
    });

    it('a lazy pool keeps one worker for calls awaited one by one, and starts more when tasks queue up', async () => {
      await using pool = makePool(backend);
      for (let i = 0; i < 20; i++) assert.equal(await pool.call.add(i, 1), i + 1);
      assert.equal(pool.stats().workers, 1);
      if (backend === 'inline') return;
      const results = await Promise.all([pool.call.sleep(100), pool.call.sleep(100), pool.call.add(2, 3)]);
      assert.deepEqual(results, [100, 100, 5]);
      assert.equal(pool.stats().workers, 2);
    });

    it('close() while ready() waits: ready() rejects with PoolClosedError and no worker outlives the pool', async () => {
      const pool = makePool(backend);
      const ready = pool.ready().then(
        () => 'ready',
        (error: unknown) => error,
      );
      await pool.close();
      const outcome = await ready;
      // The workers may have loaded before close() stopped them: then ready() resolved, which is fine too.
      if (outcome !== 'ready') assert.ok(outcome instanceof PoolClosedError, String(outcome));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(pool.stats().workers, 0);
    });

    it('eager pools start every worker at creation', async () => {
      await using pool = makePool(backend, { start: 'eager' });
      assert.equal(pool.stats().workers, backend === 'inline' ? 1 : 2);
      await pool.ready();
    });

    it('close() drains accepted tasks, then stops workers', async () => {
      const pool = makePool(backend);
      const pending = [pool.call.sleep(100), pool.call.add(1, 2), pool.call.sleep(50)];
      const closed = pool.close();
      assert.ok((await rejectionOf(pool.call.add(1, 1))) instanceof PoolClosedError);
      await closed;
      assert.deepEqual(await Promise.all(pending), [100, 3, 50]);
      assert.equal(pool.stats().workers, 0);
      await pool.close();
      await pool.destroy();
    });

    it('await using closes the pool', async () => {
      let escaped;
      {
        await using pool = makePool(backend);
        escaped = pool;
        assert.equal(await pool.call.add(1, 1), 2);
      }
      assert.ok((await rejectionOf(escaped.call.add(1, 1))) instanceof PoolClosedError);
    });

    it('stats() counts outcomes, latency and busy share per worker', async () => {
      await using pool = makePool(backend);
      await Promise.all(Array.from({ length: 50 }, (_, i) => pool.call.spin(i % 5)));
      await rejectionOf(pool.call.fail('x'));
      const stats = pool.stats();
      assert.equal(stats.backend, backend);
      assert.equal(stats.completed, 50);
      assert.equal(stats.failed, 1);
      assert.equal(stats.queued, 0);
      assert.equal(stats.running, 0);
      assert.ok(stats.runTimeMs.p99 >= stats.runTimeMs.p50 && stats.runTimeMs.p50 >= 0);
      assert.ok(stats.runTimeMs.max >= 3, 'spin(4) took about 4 ms');
      assert.ok(stats.queueWaitMs.p99 >= stats.queueWaitMs.p50);
      assert.equal(stats.perWorker.reduce((n, w) => n + w.tasks, 0), 51);
      for (const worker of stats.perWorker) assert.ok(worker.busyShare >= 0 && worker.busyShare <= 1);
      assert.ok(stats.perWorker.some((w) => w.busyMs > 0));
    });
  });
}

describe('parallelism', () => {
  it('thread workers run at the same time and on distinct threads', async () => {
    await using pool = makePool('thread', { workers: 2 });
    await pool.ready();
    const who = await Promise.all([pool.call.whoAmI(), pool.call.whoAmI(), pool.call.spin(50), pool.call.spin(50)]);
    assert.equal(who[0].pid, process.pid);
    const stats = pool.stats();
    assert.ok(stats.perWorker.every((w) => w.tasks > 0), 'both workers got work');
  });

  it('process workers are other processes', async () => {
    await using pool = makePool('process', { workers: 2 });
    const { pid } = await pool.call.whoAmI();
    assert.notEqual(pid, process.pid);
  });

  it('more workers than cores still works (oversubscribed)', async () => {
    await using pool = makePool('thread', { workers: 6, start: 'eager' });
    await pool.ready();
    assert.equal(pool.stats().workers, 6);
    const results = await pool.map('square', Array.from({ length: 60 }, (_, i) => i));
    assert.equal(results[59], 59 * 59);
  });
});

describe('process lifetime', () => {
  for (const backend of ['thread', 'process'] as const) {
    it(`${backend}: an idle pool that was never closed does not keep the process alive`, async () => {
      const { execFile } = await import('node:child_process');
      const script = `
        import { createPool } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};
        const pool = createPool({ module: new URL(${JSON.stringify(new URL('../fixtures/tasks.ts', import.meta.url).href)}), backend: '${backend}', workers: 2 });
        await pool.ready();
        console.log(await pool.run('add', 20, 22));
      `;
      const started = Date.now();
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 }, (error, out) =>
          error ? reject(error) : resolve(out),
        ),
      );
      assert.equal(stdout.trim(), '42');
      assert.ok(Date.now() - started < 30_000);
    });
  }
});
