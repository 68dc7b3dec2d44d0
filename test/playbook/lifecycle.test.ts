/** The auto pool as a pool: typed errors, explain(), options, and close/destroy reaching all three pools. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPool, InvalidOptionError, Pool, PoolClosedError, TaskError, UnknownTaskError, type TaskRecord } from '../../src/index.js';
import { autoTasks, TASKS } from './helpers.js';

test('errors stay typed during and after sampling', async () => {
  await using pool = autoTasks();
  for (let i = 0; i < 12; i++) {
    const error = await pool.call.fail(`boom ${i}`).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TaskError, String(error));
    assert.match(error.message, new RegExp(`RangeError: boom ${i}`));
  }
  await assert.rejects(pool.run('noSuchTask'), UnknownTaskError);
  // A failing task is never timed; after enough failures it goes to the default backend and says why.
  const failing = pool.explain().tasks.find((t) => t.task === 'fail')!;
  assert.equal(failing.failures, 12);
  assert.equal(failing.state, 'sampling');
  assert.equal(await pool.call.add(2, 3), 5, 'a failing task does not disturb the others');
});

test('explain() gives, per task, the figures on each backend, the choice and the reason', async () => {
  await using pool = autoTasks();
  assert.match(pool.explain().text, /No task has been called yet/);
  await pool.call.square(3);
  const sampling = pool.explain().tasks[0];
  assert.equal(sampling.state, 'sampling');
  assert.equal(sampling.figures.find((f) => f.backend === 'inline')!.samples, 1);
  for (let i = 0; i < 60 && pool.chosen('square') === undefined; i++) await pool.call.square(i);
  const { rule, tasks, text } = pool.explain();
  assert.match(rule, /round-robin to inline, thread and process \(5 per backend, up to 20 while they total under 20\.0 ms/);
  assert.equal(tasks.length, 1);
  const [square] = tasks;
  assert.equal(square.task, 'square');
  assert.equal(square.state, 'chosen');
  assert.equal(square.backend, 'inline');
  assert.deepEqual(square.figures.map((f) => f.backend), ['inline', 'thread', 'process']);
  // Round-robin: 5 to 20 calls each, no backend more than one ahead of another.
  const counts = square.figures.map((f) => f.samples);
  assert.ok(counts.every((n) => n >= 5 && n <= 20) && Math.max(...counts) - Math.min(...counts) <= 1, String(counts));
  for (const f of square.figures) {
    assert.ok(f.medianMs > 0 && f.workMs >= 0 && f.overheadMs >= 0 && Number.isFinite(f.perCallMs), JSON.stringify(f));
  }
  assert.match(square.reason, /^inline: the task runs .* \(cost per call in a burst: inline .*, thread .*, process .*\)$/);
  assert.match(text, /square: -> inline/);
  assert.match(text, /backend +calls +median +fastest +work +overhead +parallel +per call/);
  assert.match(text, new RegExp(`\\n {2}thread +${counts[1]} `));
  assert.match(text, /why: inline: /);
});

test('close() drains sampled and routed calls, then closes all three pools', async () => {
  const pool = autoTasks();
  await pool.ready();
  assert.equal(pool.stats().workers, 5, '1 inline + 2 threads + 2 processes');
  const calls = Array.from({ length: 20 }, (_, i) => pool.call.addLater(i, 1, 2));
  const closed = pool.close();
  await assert.rejects(pool.call.add(1, 1), PoolClosedError);
  assert.deepEqual(await Promise.all(calls), Array.from({ length: 20 }, (_, i) => i + 1));
  await closed;
  const stats = pool.stats();
  assert.equal(stats.workers, 0);
  for (const backend of ['inline', 'thread', 'process'] as const) assert.equal(stats.backends[backend].workers, 0, backend);
  assert.equal(stats.completed, 20);
});

test('destroy() rejects what is pending with PoolClosedError and stops all three pools', async () => {
  const pool = autoTasks();
  const calls = Array.from({ length: 6 }, () => pool.call.sleep(5_000).then(() => 'finished', (e: unknown) => e));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await pool.destroy();
  for (const outcome of await Promise.all(calls)) assert.ok(outcome instanceof PoolClosedError, String(outcome));
  assert.equal(pool.stats().workers, 0);
});

test("options: 'auto' only through createPool, bad sampling options named, the user's observer still called", async () => {
  assert.throws(() => new Pool({ module: TASKS, backend: 'auto' as never }), (e: unknown) => e instanceof InvalidOptionError && /createPool/.test(e.message));
  assert.throws(() => createPool({ module: TASKS, backend: 'auto', sampling: { rounds: 0 } }), /sampling\.rounds/);
  assert.throws(() => createPool({ module: TASKS, backend: 'auto', sampling: { processMargin: 2 } }), /sampling\.processMargin/);
  const seen: TaskRecord[] = [];
  await using pool = createPool({ module: TASKS, backend: 'auto', workers: 1, observer: { taskFinished: (r) => seen.push(r) } });
  for (let i = 0; i < 4; i++) await pool.run('add', i, i);
  assert.deepEqual(seen.map((r) => r.worker.split('-')[0]), ['inline', 'thread', 'process', 'inline']);
});

test('calls are typed from the task module, as on Pool', async () => {
  await using pool = autoTasks();
  const sum: number = await pool.call.add(1, 2);
  const squares: number[] = await pool.map('square', [1, 2, 3]);
  assert.equal(sum, 3);
  assert.deepEqual(squares, [1, 4, 9]);
  // @ts-expect-error: add takes numbers
  const wrongArgs = (): unknown => pool.call.add('1', 2);
  // @ts-expect-error: no such task in the module
  const wrongName = (): unknown => pool.call.nope();
  assert.equal(typeof wrongArgs, 'function');
  assert.equal(typeof wrongName, 'function');
  assert.equal(pool.backend, 'auto');
});
