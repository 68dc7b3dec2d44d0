/**
 * What the profile recorder costs on the worst case for it: the tiny-task benchmark, 20,000 `a + b`
 * tasks in one Promise.all on the thread backend, where per-task overhead is all there is to measure.
 *
 *   npx tsx bench/profile-overhead.ts [--tasks=20000] [--repeats=61] [--workers=2]
 *
 * Each repeat times the same batch on a pool without an observer, one with a no-op observer (the
 * pool's own cost of observing) and one with a `Recorder`, in rotating order; all are warmed up first.
 * Prints the median and the best time of each, and their overhead against the pool without an observer:
 * on a shared machine single batches swing by ±30%, so take many repeats (the default) and read both.
 */
import { performance } from 'node:perf_hooks';
import { createPool, type Pool } from '../src/pool/index.js';
import { Recorder } from '../src/profile/recorder.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const TASKS = arg('tasks', 20_000);
const REPEATS = arg('repeats', 61);
const WORKERS = arg('workers', 2);
const module = new URL('./executor/workers/weft-tasks.mjs', import.meta.url);

async function batch(pool: Pool): Promise<number> {
  const start = performance.now();
  const jobs: Promise<unknown>[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) jobs[i] = pool.run('add', i, 1);
  await Promise.all(jobs);
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The hooks themselves (a no-op observer) separate what the pool spends on observing from what the Recorder adds.
const noop = { tasksFinished() {}, batchSent() {}, resultsReceived() {} };
const recorder = new Recorder();
const variants = [
  { label: 'no observer', pool: createPool({ module, backend: 'thread', workers: WORKERS, start: 'eager' }) },
  { label: 'no-op observer', pool: createPool({ module, backend: 'thread', workers: WORKERS, start: 'eager', observer: noop }) },
  { label: 'Recorder', pool: createPool({ module, backend: 'thread', workers: WORKERS, start: 'eager', observer: recorder }) },
];
await Promise.all(variants.map((v) => v.pool.ready()));
// Warm-up: JIT every path and grow every pool's buffers before timing.
for (let i = 0; i < 2; i++) for (const v of variants) await batch(v.pool);
const times = variants.map(() => [] as number[]);
for (let r = 0; r < REPEATS; r++) {
  // A different order each repeat, so drift in machine load hits every variant alike.
  for (let k = 0; k < variants.length; k++) {
    const j = (k + r) % variants.length;
    times[j].push(await batch(variants[j].pool));
  }
}
await Promise.all(variants.map((v) => v.pool.close()));

const snapshotStart = performance.now();
const snap = recorder.snapshot();
const snapshotMs = performance.now() - snapshotStart;
const base = median(times[0]);
const baseMin = Math.min(...times[0]);
console.log(`${TASKS} tiny tasks, thread backend, ${WORKERS} workers, ${REPEATS} repeats (ms per batch; overhead against no observer)`);
console.log(`  ${'variant'.padEnd(15)} ${'median'.padStart(7)} ${'over'.padStart(6)}  ${'min'.padStart(6)} ${'over'.padStart(6)}  per task`);
variants.forEach((v, i) => {
  const m = median(times[i]);
  const lo = Math.min(...times[i]);
  const over = (x: number, b: number): string => (i === 0 ? '' : `${(((x - b) / b) * 100).toFixed(1)}%`).padStart(6);
  const perTask = i === 0 ? '' : `${(((m - base) * 1e6) / TASKS).toFixed(0)} ns`;
  console.log(`  ${v.label.padEnd(15)} ${m.toFixed(1).padStart(7)} ${over(m, base)}  ${lo.toFixed(1).padStart(6)} ${over(lo, baseMin)}  ${perTask}`);
});
console.log(`  (the Recorder kept ${snap.tasks.length} task records; its snapshot took ${snapshotMs.toFixed(1)} ms)`);

// The Recorder's own cost, away from the pool's noise: the same hook calls on messages of the size the pool sent
// (the mean results per message above), timed in a loop.
const perMessage = Math.max(1, Math.round(snap.tasks.length / Math.max(1, snap.receives.length)));
const direct = directRecordingCost(perMessage);
const perTaskPool = (base * 1e6) / TASKS;
console.log(`  recording alone (messages of ${perMessage} results): ${direct.toFixed(0)} ns per task = ${((direct / perTaskPool) * 100).toFixed(1)}% of the pool's ${perTaskPool.toFixed(0)} ns per task (median batch)`);

function directRecordingCost(PER_MESSAGE: number): number {
  const MESSAGES = Math.ceil(640_000 / PER_MESSAGE);
  const now = performance.timeOrigin + performance.now();
  const message = {
    worker: 'thread-1', receivedAt: now, count: PER_MESSAGE,
    id: (i: number) => i, name: () => 'add', enqueuedAt: (i: number) => now - 1 + i * 1e-3,
    startedAt: (i: number) => now - 0.5 + i * 1e-3, runMs: () => 0.001, ok: () => true,
  };
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const r = new Recorder();
    const start = performance.now();
    for (let m = 0; m < MESSAGES; m++) {
      r.tasksFinished(message);
      r.resultsReceived('thread-1', PER_MESSAGE, 0.01, now);
      r.batchSent('thread-1', PER_MESSAGE, 0.01, now);
    }
    best.push(((performance.now() - start) * 1e6) / (MESSAGES * PER_MESSAGE));
  }
  return Math.min(...best);
}
