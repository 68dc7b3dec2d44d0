/** The rule by itself, on made-up figures: what wins, what is ruled out, and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalBackendKind as BackendKind } from '../../src/pool/backends/types.js';
import type { ResolvedSampling } from '../../src/playbook/auto-options.js';
import { choose } from '../../src/playbook/choose.js';
import { TaskSamples } from '../../src/playbook/samples.js';

const SAMPLING: ResolvedSampling = { rounds: 3, budgetMs: 1000, inlineLimitMs: 5, processMargin: 0.15, workers: 2, parallelism: 2 };

/** Samples where each backend's calls took `total` ms end to end, of which `work` ms ran the task. */
function measured(figures: Partial<Record<BackendKind, [total: number, work: number]>>): TaskSamples {
  const samples = new TaskSamples('task');
  for (const [backend, [total, work]] of Object.entries(figures) as [BackendKind, [number, number]][]) {
    for (let i = 0; i < 3; i++) {
      samples.times[backend].push(total);
      samples.runTimes[backend].push(work);
    }
  }
  return samples;
}

test('a trivial task stays inline: the round trip costs more than the workers save', () => {
  const choice = choose(measured({ inline: [0.02, 0.001], thread: [0.06, 0.001], process: [0.1, 0.001] }), SAMPLING);
  assert.equal(choice.backend, 'inline');
  assert.match(choice.reason, /^inline: the task runs 1\.0\d µs; sending it to a worker costs 59\.0 µs/);
});

test('a heavy task goes to threads: its work halves on 2 workers, the overhead is noise', () => {
  const choice = choose(measured({ inline: [4, 3.98], thread: [4.1, 3.98], process: [4.2, 3.98] }), SAMPLING);
  assert.equal(choice.backend, 'thread');
  const thread = choice.figures.find((f) => f.backend === 'thread')!;
  assert.ok(Math.abs(thread.perCallMs - (3.98 / 2 + 0.12)) < 1e-9);
});

test('the crossover: parallel wins once work * (1 - 1/parallelism) exceeds the extra overhead', () => {
  // Extra overhead on threads: 0.1 ms. Work 0.15 ms saves 0.075 (inline wins); 0.3 ms saves 0.15 (thread wins).
  assert.equal(choose(measured({ inline: [0.17, 0.15], thread: [0.27, 0.15] }), SAMPLING).backend, 'inline');
  assert.equal(choose(measured({ inline: [0.32, 0.3], thread: [0.42, 0.3] }), SAMPLING).backend, 'thread');
});

test('inline is ruled out above its limit, so one core still keeps heavy work off the event loop', () => {
  const oneCore = { ...SAMPLING, parallelism: 1 };
  const choice = choose(measured({ inline: [20, 20], thread: [20.2, 20], process: [20.5, 20] }), oneCore);
  assert.equal(choice.backend, 'thread');
  assert.match(choice.reason, /inline ruled out: a call takes 20\.0 ms, over the 5\.00 ms it may block the event loop/);
});

test('processes must beat threads by more than the margin', () => {
  assert.equal(choose(measured({ thread: [10, 9.9], process: [9.2, 9.1] }), SAMPLING).backend, 'thread');
  const clear = choose(measured({ thread: [10, 9.9], process: [7, 6.9] }), SAMPLING);
  assert.equal(clear.backend, 'process');
  assert.match(clear.reason, /more than 15% faster than threads/);
});

test('a backend that cannot carry the task is never chosen; with no sample at all, thread is the default', () => {
  const samples = measured({ inline: [50, 50] });
  samples.excluded.thread = 'its result cannot cross';
  samples.excluded.process = 'its result cannot cross';
  const onlyInline = choose(samples, SAMPLING);
  assert.equal(onlyInline.backend, 'inline');
  assert.match(onlyInline.reason, /only backend that can carry this task/);
  assert.equal(choose(new TaskSamples('never-ran'), SAMPLING).backend, 'thread');
});

test('a cheap task is sampled up to 4x rounds while its calls total under 20 ms; a heavier one stops at rounds', () => {
  const cheap = new TaskSamples('cheap');
  const order: string[] = [];
  for (let backend = cheap.nextBackend(5); backend !== undefined; backend = cheap.nextBackend(5)) {
    order.push(backend);
    cheap.times[backend].push(0.1);
    cheap.runTimes[backend].push(0.01);
    cheap.spentMs += 0.1;
    if (cheap.complete(5, 1000)) break;
  }
  assert.equal(order.length, 60, '20 calls on each backend, 6 ms in all');
  assert.deepEqual(order.slice(0, 6), ['inline', 'thread', 'process', 'inline', 'thread', 'process']);

  const heavier = new TaskSamples('heavier');
  let calls = 0;
  for (let backend = heavier.nextBackend(5); backend !== undefined; backend = heavier.nextBackend(5)) {
    calls++;
    heavier.times[backend].push(1);
    heavier.runTimes[backend].push(0.9);
    heavier.spentMs += 1;
    if (heavier.complete(5, 1000)) break;
  }
  assert.equal(calls, 20, 'past 5 per backend it goes on until 20 ms is spent, then stops');
});
