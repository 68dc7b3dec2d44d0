import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AbortError,
  createPool,
  InvalidOptionError,
  ModuleLoadError,
  PoolClosedError,
  QueueFullError,
  SerializationError,
  TaskError,
  TimeoutError,
  UnknownTaskError,
  WeftError,
  WorkerCrashedError,
} from '../../src/index.js';
import { BACKENDS, makePool, PARALLEL_BACKENDS, rejectionOf, TASKS } from '../helpers/pool.js';

for (const backend of BACKENDS) {
  describe(`errors on the ${backend} backend`, () => {
    it('a task that throws rejects with TaskError carrying name, message, stack and worker', async () => {
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.call.fail('bad input'));
      assert.ok(error instanceof TaskError && error instanceof WeftError);
      assert.equal(error.code, 'WEFT_TASK_FAILED');
      assert.equal(error.remoteName, 'RangeError');
      assert.match(error.message, /task 'fail' threw on .*-1.*RangeError: bad input/);
      assert.match(error.remoteStack ?? '', /at fail/);
      assert.deepEqual(error.details, { extra: 42 });
      const thrown = await rejectionOf(pool.call.throwString());
      assert.ok(thrown instanceof TaskError);
      assert.match(thrown.message, /plain string/);
      assert.equal(await pool.call.add(1, 1), 2, 'the pool goes on');
    });

    it('an unknown task name rejects with UnknownTaskError listing the tasks', async () => {
      await using pool = makePool(backend);
      const before = await rejectionOf(pool.run('nope'));
      assert.ok(before instanceof UnknownTaskError);
      assert.match(before.message, /no exported function 'nope'.*add, addLater/);
      const after = await rejectionOf(pool.run('stillNope'));
      assert.ok(after instanceof UnknownTaskError);
      assert.ok(after.available.includes('square'));
    });

    it('a result that cannot be sent rejects with SerializationError', async () => {
      if (backend === 'inline') return; // inline passes results by reference
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.call.returnFunction());
      assert.ok(error instanceof SerializationError);
      assert.match(error.message, /its result could not be sent back from the worker/);
      assert.equal(error.direction, 'from-worker');
      assert.equal(await pool.call.add(2, 2), 4);
    });

    it('timeout on a running task rejects with TimeoutError and the pool goes on', async () => {
      if (backend === 'inline') return; // a synchronous loop on the caller's thread cannot be interrupted
      await using pool = makePool(backend);
      const started = Date.now();
      const error = await rejectionOf(pool.with({ timeout: 200 }).call.hang());
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.timeoutMs, 200);
      assert.ok(Date.now() - started < 5000);
      assert.equal(await pool.call.add(3, 3), 6);
      assert.equal(pool.stats().timedOut, 1);
    });

    it('timeout on an async task that never settles', async () => {
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.submit('sleep', [60_000], { timeout: 100 }));
      assert.ok(error instanceof TimeoutError);
      assert.equal(await pool.call.add(1, 2), 3);
    });

    it('the pool default timeout applies and a call can override it', async () => {
      await using pool = makePool(backend, { timeout: 100 });
      assert.ok((await rejectionOf(pool.call.sleep(60_000))) instanceof TimeoutError);
      assert.equal(await pool.submit('sleep', [150], { timeout: 5000 }), 150);
    });

    it('abort removes a queued task and stops a running one', async () => {
      await using pool = makePool(backend, { workers: 1 });
      const controller = new AbortController();
      const running = pool.submit('sleep', [60_000], { signal: controller.signal });
      const queued = pool.submit('add', [1, 2], { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort(new Error('user gave up'));
      const [a, b] = await Promise.all([rejectionOf(running), rejectionOf(queued)]);
      assert.ok(a instanceof AbortError && b instanceof AbortError);
      assert.match(a.message, /user gave up/);
      assert.equal(await pool.call.add(5, 5), 10);
      assert.equal(pool.stats().cancelled, 2);
    });

    it('an already-aborted signal rejects at once', async () => {
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.submit('add', [1, 1], { signal: AbortSignal.abort() }));
      assert.ok(error instanceof AbortError);
    });

    it('maxQueue bounds the waiting tasks with QueueFullError', async () => {
      await using pool = makePool(backend, { workers: 1, maxQueue: 2 });
      const accepted = [pool.call.sleep(50), pool.call.sleep(1), pool.call.sleep(1)];
      const error = await rejectionOf(pool.call.sleep(1));
      assert.ok(error instanceof QueueFullError);
      assert.equal(error.maxQueue, 2);
      assert.deepEqual(await Promise.all(accepted), [50, 1, 1]);
    });

    it('a closed pool rejects new tasks with PoolClosedError', async () => {
      const pool = makePool(backend);
      await pool.close();
      assert.ok((await rejectionOf(pool.call.add(1, 1))) instanceof PoolClosedError);
      await assert.rejects(pool.ready(), PoolClosedError);
    });

    it('a module that fails to load rejects everything once with ModuleLoadError', async () => {
      const pool = createPool({ module: new URL('../fixtures/broken-module.ts', import.meta.url), backend, workers: backend === 'inline' ? 1 : 2 });
      const errors = await Promise.all([rejectionOf(pool.run('never')), rejectionOf(pool.run('never')), rejectionOf(pool.ready())]);
      for (const error of errors) {
        assert.ok(error instanceof ModuleLoadError, String(error));
        assert.match(error.message, /refuses to load/);
      }
      assert.equal(errors[0], errors[1], 'the same error, reported once');
      assert.ok((await rejectionOf(pool.run('never'))) instanceof ModuleLoadError, 'no respawn loop: fails fast');
      assert.equal(pool.stats().workers, 0);
      await pool.destroy();
    });

    it('a missing module file is a ModuleLoadError naming it', async () => {
      const pool = createPool({ module: '/nonexistent/tasks.js', backend, workers: 1 });
      const error = await rejectionOf(pool.run('x'));
      assert.ok(error instanceof ModuleLoadError);
      assert.match(error.message, /nonexistent\/tasks\.js/);
      await pool.destroy();
    });

    it('destroy rejects queued and running tasks with PoolClosedError', async () => {
      const pool = makePool(backend, { workers: 1 });
      const pending = [pool.call.sleep(60_000), pool.call.sleep(1), pool.call.add(1, 1)].map(rejectionOf);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await pool.destroy();
      for (const error of await Promise.all(pending)) assert.ok(error instanceof PoolClosedError, String(error));
    });
  });
}

for (const backend of PARALLEL_BACKENDS) {
  describe(`worker failures on the ${backend} backend`, () => {
    it('process.exit in a task rejects it with WorkerCrashedError and the worker is replaced', async () => {
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.call.exitWith(3));
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.equal(error.exitCode, 3);
      assert.match(error.message, /exited with code 3 while running task 'exitWith'/);
      assert.deepEqual(await Promise.all([pool.call.add(1, 2), pool.call.add(3, 4)]), [3, 7]);
      assert.equal(pool.stats().crashes, 1);
    });

    it('tasks queued behind a crash still complete', async () => {
      await using pool = makePool(backend, { workers: 1 });
      await pool.ready();
      const results = await Promise.allSettled([pool.call.add(1, 1), pool.call.exitWith(1), pool.call.add(2, 2), pool.call.add(3, 3)]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.deepEqual(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value), [2, 4, 6]);
    });

    it('running out of memory (resourceLimits) crashes only that task', async () => {
      await using pool = makePool(backend, { workers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
      const error = await rejectionOf(pool.call.allocateForever());
      assert.ok(error instanceof WorkerCrashedError, String(error));
      if (backend === 'thread') assert.match(error.message, /out of memory/);
      assert.equal(await pool.call.add(1, 1), 2);
    });

    it('an argument that cannot be sent names the argument', async () => {
      await using pool = makePool(backend);
      const error = await rejectionOf(pool.run('add', 1, () => 2));
      assert.ok(error instanceof SerializationError, String(error));
      assert.match(error.message, /argument 2 \(function/);
      const batch = await Promise.allSettled([pool.call.add(1, 1), pool.run('add', Symbol('x'), 1), pool.call.add(2, 2)]);
      assert.deepEqual(batch.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    });
  });
}

describe('worker failures on the process backend only', () => {
  it('a worker killed with SIGKILL fails its running task and is replaced', async () => {
    await using pool = makePool('process', { workers: 1 });
    await pool.ready();
    const { pid } = await pool.call.whoAmI();
    const running = pool.call.sleep(10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(pid, 'SIGKILL');
    const error = await rejectionOf(running);
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.signal, 'SIGKILL');
    const next = await pool.call.whoAmI();
    assert.notEqual(next.pid, pid);
  });
});

describe('invalid options', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['workers', { workers: 0 }, /'workers'.*integer from 1 to 1024, got 0/],
    ['workers', { workers: 2.5 }, /'workers'/],
    ['backend', { backend: 'gpu' }, /'backend'.*'thread', 'process', 'inline', 'cluster', got 'gpu'/],
    ['maxQueue', { maxQueue: -1 }, /'maxQueue'/],
    ['timeout', { timeout: 0 }, /'timeout'.*milliseconds/],
    ['start', { start: 'soon' }, /'start'/],
    ['resourceLimits', { resourceLimits: { maxOldGenerationSizeMb: -5 } }, /resourceLimits.maxOldGenerationSizeMb/],
    ['workers', { backend: 'inline', workers: 4 }, /inline.*exactly 1 worker/],
    ['retries', { retries: -1 }, /'retries'.*integer from 0 to 100/],
    ['retries', { retries: 1.5 }, /'retries'/],
    ['loadTimeout', { loadTimeout: 0 }, /'loadTimeout'.*milliseconds/],
  ];
  for (const [name, options, pattern] of cases) {
    it(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(() => createPool({ module: TASKS, ...options } as never), (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.option.split('.')[0], name);
        assert.match(error.message, pattern);
        return true;
      });
    });
  }

  it('rejects a missing module option', () => {
    assert.throws(() => createPool({} as never), InvalidOptionError);
  });

  it('rejects a bad per-call timeout and chunkSize', async () => {
    await using pool = makePool('thread');
    assert.ok((await rejectionOf(pool.submit('add', [1, 1], { timeout: -1 }))) instanceof InvalidOptionError);
    assert.ok((await rejectionOf(pool.submit('add', [1, 1], { retries: -1 }))) instanceof InvalidOptionError);
    await assert.rejects(pool.map('square', [1], { chunkSize: 0 }), InvalidOptionError);
  });
});

it('every error class the pool exports is a WeftError with a stable WEFT_ code', async () => {
  const pool = await import('../../src/pool/index.js');
  const classes = Object.entries(pool).filter(([name, value]) => typeof value === 'function' && name.endsWith('Error'));
  assert.ok(classes.length >= 12, classes.map(([name]) => name).join(', '));
  for (const [name, value] of classes) {
    assert.ok(value === pool.WeftError || value.prototype instanceof pool.WeftError, `${name} extends WeftError`);
  }
  const samples: [Error & { code: string }, string][] = [
    [new pool.ResultLostError('t', 'process-1', null, 'SIGKILL'), 'WEFT_RESULT_LOST'],
    [new pool.WorkerCrashedError('t', 'process-1', null, 'SIGKILL'), 'WEFT_WORKER_CRASHED'],
    [new pool.SerializationError('t', 'its result', 'why', 'from-worker'), 'WEFT_NOT_SENDABLE'],
    [new pool.ModuleLoadError('m', { name: 'LoadTimeout', message: 'x' }), 'WEFT_MODULE_LOAD_FAILED'],
  ];
  for (const [error, code] of samples) assert.equal(error.code, code);
});
