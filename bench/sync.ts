/**
 * Costs of weft's synchronisation primitives.
 *
 *   npx tsx bench/sync.ts [--seconds=1]
 *
 * - uncontended lock+unlock (one thread, nobody else): the fast path, in ns per pair;
 * - contended lock acquisitions/s with 2 worker threads hammering one mutex (and 2 processes on
 *   a mapped segment when the native addon is built);
 * - Atomics.add throughput, alone and from 2 threads on one word: the floor any lock sits on.
 *
 * This file is also the workers' code: run as a worker thread or with `--child`, it runs one
 * contention loop instead.
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { tryNative } from '../src/shared/native.js';
import { Barrier, Mutex, Semaphore } from '../src/sync/index.js';
import { startThread } from '../src/sync/thread.js';

type Op = 'lock' | 'atomic';
interface Job {
  op: Op;
  spin: number;
  lock: Int32Array; // a Mutex's state
  word: Int32Array; // [0] counter the critical section bumps, [1] stop flag
  start: Int32Array; // a Barrier's state
}

/** One contender: runs `op` in batches until the stop flag is set; returns operations done. */
function contend(job: Job): number {
  Mutex.spinCount = job.spin;
  const m = Mutex.from(job.lock);
  const w = job.word;
  Barrier.from(job.start).wait();
  let n = 0;
  while (Atomics.load(w, 1) === 0) {
    if (job.op === 'lock') {
      for (let i = 0; i < 1000; i++) {
        m.lock();
        w[0] = w[0] + 1;
        m.unlock();
      }
    } else {
      for (let i = 0; i < 1000; i++) Atomics.add(w, 0, 1);
    }
    n += 1000;
  }
  return n;
}

// ---- measurements ------------------------------------------------------------------------------

/** Where the processes' shared state sits in the segment. */
function segmentViews(buffer: SharedArrayBuffer): Pick<Job, 'lock' | 'word' | 'start'> {
  return {
    lock: new Int32Array(buffer, 0, Mutex.byteLength({ stats: true }) / 4),
    word: new Int32Array(buffer, 128, 2),
    start: new Int32Array(buffer, 256, Barrier.byteLength() / 4),
  };
}

/** ns per call of `body`, best of 5 runs of `n` calls (after a warm-up). */
function nsPer(n: number, body: (n: number) => void): number {
  body(n);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    body(n);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n);
  }
  return best;
}

/** What a stats-enabled mutex saw: share of acquisitions that waited, and the worst wait. */
function waited(lock: Int32Array): string {
  const s = Mutex.from(lock).stats()!;
  return `(${((100 * s.contended) / s.acquisitions).toFixed(2)}% of acquisitions waited, worst ${s.worstWaitMs.toFixed(2)} ms)`;
}

/** The run with the median rate (its other fields come along); every run must be exact. */
async function median<T extends { perSecond: number; exact: boolean }>(runs: number, run: () => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await run());
  results.sort((a, b) => a.perSecond - b.perSecond);
  const mid = results[Math.floor(results.length / 2)];
  return { ...mid, exact: results.every((r) => r.exact) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `contenders` loops for `ms`; returns the combined operations per second. */
async function contended(
  ms: number,
  views: Pick<Job, 'lock' | 'word' | 'start'>,
  spawn: () => Promise<number>,
  contenders: number,
): Promise<{ perSecond: number; exact: boolean }> {
  const runs = Array.from({ length: contenders }, spawn);
  await Barrier.from(views.start).waitAsync(60_000);
  const t = performance.now();
  await sleep(ms);
  Atomics.store(views.word, 1, 1);
  const counts = await Promise.all(runs);
  const elapsed = performance.now() - t;
  const total = counts.reduce((a, b) => a + b, 0);
  // Every batch started before the stop flag is finished, so the counter must match exactly.
  return { perSecond: (total / elapsed) * 1000, exact: Atomics.load(views.word, 0) === total };
}

function threadViews(stats: boolean): Pick<Job, 'lock' | 'word' | 'start'> {
  return {
    lock: Mutex.create({ stats }).state,
    word: new Int32Array(new SharedArrayBuffer(8)),
    start: Barrier.create(3).state, // 2 contenders + this thread
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 1);
  const ms = seconds * 1000;
  const rows: [string, string, string][] = [];
  const row = (what: string, value: string, note = ''): void => {
    rows.push([what, value, note]);
    console.error(`  ${what}: ${value} ${note}`);
  };
  const fmtNs = (ns: number): string => `${ns.toFixed(1)} ns`;
  const fmtRate = (r: number): string => `${(r / 1e6).toFixed(2)} M/s`;

  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3);
  const header = `Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(2)}; contended: median of ${runs} runs of ${seconds} s`;
  console.error(`weft sync bench: ${header}`);

  // Uncontended fast paths, on this thread.
  const N = 2_000_000;
  const m = Mutex.create();
  row('uncontended lock+unlock', fmtNs(nsPer(N, (n) => { for (let i = 0; i < n; i++) { m.lock(); m.unlock(); } })));
  const ms2 = Mutex.create({ stats: true });
  row('  same, stats on', fmtNs(nsPer(N, (n) => { for (let i = 0; i < n; i++) { ms2.lock(); ms2.unlock(); } })));
  row('  tryLock+unlock', fmtNs(nsPer(N, (n) => { for (let i = 0; i < n; i++) { m.tryLock(); m.unlock(); } })));
  row('  withLock(fn)', fmtNs(nsPer(N, (n) => { for (let i = 0; i < n; i++) m.withLock(() => i); })));
  const sem = Semaphore.create(1);
  row('uncontended semaphore acquire+release', fmtNs(nsPer(N, (n) => { for (let i = 0; i < n; i++) { sem.acquire(); sem.release(); } })));
  const w = new Int32Array(new SharedArrayBuffer(4));
  row('Atomics.add, one thread', fmtNs(nsPer(N * 5, (n) => { for (let i = 0; i < n; i++) Atomics.add(w, 0, 1); })));
  const lockAsync = async (n: number): Promise<number> => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) { await m.lockAsync(); m.unlock(); }
    return Number(process.hrtime.bigint() - t) / n;
  };
  await lockAsync(100_000);
  row('uncontended lockAsync+unlock', fmtNs(await lockAsync(500_000)), '(an await per lock)');

  // Contended: 2 worker threads on one word.
  const self = new URL(import.meta.url);
  for (const [op, spin, stats, label] of [
    ['atomic', 0, false, 'Atomics.add, 2 threads on one word'],
    ['lock', Mutex.spinCount, false, `contended lock, 2 threads (spin ${Mutex.spinCount})`],
    ['lock', 0, false, 'contended lock, 2 threads (no spin)'],
    ['lock', Mutex.spinCount, true, '  same as spin, stats on'],
  ] as const) {
    const r = await median(runs, async () => {
      const views = threadViews(stats);
      const spawn = (): Promise<number> =>
        new Promise((resolve, reject) => {
          const t = startThread(self, { workerData: { op, spin, ...views } satisfies Job });
          t.once('message', resolve);
          t.once('error', reject);
        });
      return { ...(await contended(ms, views, spawn, 2)), note: stats ? waited(views.lock) : '' };
    });
    row(label, fmtRate(r.perSecond), `${r.exact ? '' : '(COUNTER WRONG) '}${r.note}`);
  }

  // Contended: 2 processes on a mapped segment (futex).
  const addon = tryNative();
  if (!addon) {
    row('contended lock, 2 processes', 'skipped', '(native addon not built)');
  } else {
    const name = `weft-syncbench-${process.pid}`;
    const buffer = addon.create(name, 4096);
    try {
      for (const [op, stats, label] of [
        ['atomic', false, 'Atomics.add, 2 processes on one word'],
        ['lock', false, `contended lock, 2 processes (futex, spin ${Mutex.spinCount})`],
        ['lock', true, '  same, stats on'],
      ] as const) {
        const r = await median(runs, async () => {
          new Int32Array(buffer).fill(0);
          const views = segmentViews(buffer);
          Mutex.create({ memory: views.lock, stats });
          Barrier.create(3, { memory: views.start });
          const file = fileURLToPath(self);
          const spawn = (): Promise<number> =>
            new Promise((resolve, reject) => {
              const c = fork(file, ['--child', JSON.stringify({ segment: name, op, spin: Mutex.spinCount })], {
                execArgv: ['--import', 'tsx'],
              });
              c.once('message', (n) => resolve(n as number));
              c.once('error', reject);
            });
          return { ...(await contended(ms, views, spawn, 2)), note: stats ? waited(views.lock) : '' };
        });
        row(label, fmtRate(r.perSecond), `${r.exact ? '' : '(COUNTER WRONG) '}${r.note}`);
      }
    } finally {
      addon.unlink(name);
    }
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${header}`);
  console.log(`\n| measurement${' '.repeat(width - 11)} | result       |`);
  console.log(`|${'-'.repeat(width + 2)}|--------------|`);
  for (const [what, value, note] of rows) console.log(`| ${what.padEnd(width)} | ${value.padEnd(12)} |${note ? ` ${note}` : ''}`);
}

// ---- entry (last, so that everything above is initialised) --------------------------------------

const childArg = process.argv.indexOf('--child');
if (!isMainThread) {
  parentPort!.postMessage(contend(workerData as Job));
} else if (childArg >= 0) {
  const spec = JSON.parse(process.argv[childArg + 1]) as { segment: string; op: Op; spin: number };
  const buffer = tryNative()!.open(spec.segment);
  const n = contend({ op: spec.op, spin: spec.spin, ...segmentViews(buffer) });
  process.send!(n, () => process.exit(0));
} else {
  await main();
}
