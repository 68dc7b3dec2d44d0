/**
 * The executor as a service meets it: ONE pool library on ONE backend under ONE condition, in a
 * fresh process, measured from creation to exit. Prints one line `@@RESULT {json}` and then lets
 * the process end by itself, so that run.ts can time how long the pool keeps it alive after close().
 *
 *   node bench/executor/service.mjs '{"pool":"weft","backend":"thread","workers":2,"condition":"mixed",...}'
 *
 * In order: the library is imported (outside the clock); the pool is created with the library's
 * defaults and the first call's answer is timed (worker start and module load); 200 sequential
 * awaited tiny calls warm it up, as a service sees soon after it starts; 2,000 more are timed one
 * by one (p50, p99). Under `mixed`, 50 ms tasks keep all workers but one busy while those calls
 * run. Then, for `idle` and `oversubscribed`, the CPU time the idle pool burns (every thread of
 * this process and of its child processes, from /proc schedstat) over 2 s. The `hog` condition
 * differs only in the CPU hog run.ts starts beside this process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { check, percentile, Timeout, withDeadline } from './measure.mjs';
import { ADAPTERS, PRELOAD } from './adapters.mjs';

const config = JSON.parse(process.argv[2]);
const { pool: poolName, backend, workers, condition, sizes, caseTimeoutMs, weftEntry } = config;
const out = { pool: poolName, backend, condition, workers, ok: true, notes: [], figures: {}, extra: {}, errors: {} };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pids of this process and of every process below it. */
function processTree() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [];
  const visit = (pid) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(process.pid);
  return tree;
}

/** CPU time in ns of every thread of the given processes (schedstat: ns resolution, not ticks). */
function cpuNs(pids) {
  let total = 0;
  for (const pid of pids) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended
      }
    }
  }
  return total;
}

/** Percent of one core the idle pool uses over `ms` (this process's own idle event loop included). */
async function idleCpu(ms) {
  const pids = processTree();
  const a = cpuNs(pids);
  const t0 = performance.now();
  await sleep(ms);
  const b = cpuNs(pids);
  return (100 * (b - a)) / 1e6 / (performance.now() - t0);
}

/** Keeps `count` 50 ms tasks in flight until stop() is called; resolves once they have all settled. */
function longTasks(p, count, ms) {
  let running = true;
  let done = 0;
  const lane = async () => {
    while (running) {
      await p.spin(ms);
      done++;
    }
  };
  const lanes = Array.from({ length: count }, lane);
  return {
    stop: async () => {
      running = false;
      await Promise.all(lanes);
      return done;
    },
  };
}

async function sequential(p, n, offset, times) {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await p.add(i, offset);
    if (times) times[i] = (performance.now() - t0) * 1000;
    check(r === i + offset, `add(${i}, ${offset}) gave ${r}`);
  }
}

async function main() {
  await PRELOAD[poolName]({ weftEntry });
  const t0 = performance.now();
  const adapter = await ADAPTERS[poolName](backend, workers, { weftEntry, eager: false });
  out.notes.push(...adapter.notes);
  const first = await withDeadline(adapter.add(1, 2), caseTimeoutMs, 'first call');
  out.figures.firstResult = performance.now() - t0;
  check(first === 3, `add(1, 2) gave ${first}`);

  await withDeadline(sequential(adapter, sizes.serviceWarmUp, 1), caseTimeoutMs, 'warm-up');
  const load = condition === 'mixed' ? longTasks(adapter, Math.max(1, workers - 1), sizes.longTaskMs) : undefined;
  if (load) await sleep(20); // the long tasks reach their workers before the clock starts
  const times = new Float64Array(sizes.latency);
  await withDeadline(sequential(adapter, sizes.latency, 2, times), caseTimeoutMs, 'timed calls');
  if (load) out.extra.longTasksDone = await withDeadline(load.stop(), caseTimeoutMs, 'long tasks');
  times.sort();
  out.figures.p50 = percentile(times, 50);
  out.figures.p99 = percentile(times, 99);
  out.extra.maxUs = times[times.length - 1];

  if (condition === 'idle' || condition === 'oversubscribed') {
    await sleep(sizes.idleSettleMs); // pools may spin or keep timers for a while after the last task
    out.figures.idleCpu = await idleCpu(sizes.idleMeasureMs);
  }

  out.closeStartedAt = Date.now();
  const c0 = performance.now();
  await withDeadline(adapter.close(), 10_000, 'close()');
  out.extra.closeMs = performance.now() - c0;
}

process.on('unhandledRejection', (error) => {
  out.ok = false;
  out.errors.unhandled = String(error?.stack ?? error);
});

main()
  .catch((error) => {
    out.ok = false;
    out.errors[error instanceof Timeout ? 'timeout' : 'run'] = String(error?.stack ?? error);
  })
  .finally(() => {
    // No process.exit(): the time from close() to this process's natural end is part of the measure.
    process.stdout.write(`@@RESULT ${JSON.stringify(out)}\n`);
    if (!out.ok) setTimeout(() => process.exit(0), 100).unref();
  });
