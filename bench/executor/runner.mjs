/**
 * Runs the executor benchmark cases for ONE pool library on ONE backend, once, in this process,
 * and prints one line `@@RESULT {json}` on stdout. Started by run.ts, one process per run:
 *
 *   node bench/executor/runner.mjs '{"pool":"piscina","backend":"thread","workers":2,"cases":[...]}'
 *
 * The pool is created, started and warmed up outside the timed sections, and every case but the latency case
 * (which makes its own untimed calls) runs once untimed before the run that is timed. Every case checks its
 * results after the clock stops. Every wait has a deadline: a case that does not finish is reported
 * as failed, the remaining cases are skipped, and the process exits without waiting for the pool.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { check, percentile, Timeout, withDeadline } from './measure.mjs';
import { ADAPTERS } from './adapters.mjs';
import kernels from './workers/kernels.cjs';

const config = JSON.parse(process.argv[2]);
const { pool: poolName, backend, workers, cases, sizes, caseTimeoutMs, weftEntry } = config;

const ARRAY_LENGTH = sizes.arrayLength; // 1 Mi doubles = 8 MiB
const FACTORIAL_N = 1000;
const EXPECTED_FACTORIAL = kernels.factorial(FACTORIAL_N);
const EXPECTED_SUM = (ARRAY_LENGTH * (ARRAY_LENGTH - 1)) / 2; // exact in a double

const out = { pool: poolName, backend, ok: true, notes: [], figures: {}, extra: {}, errors: {} };

function filledArray() {
  const a = new Float64Array(ARRAY_LENGTH);
  for (let i = 0; i < a.length; i++) a[i] = i;
  return a;
}

/**
 * A full GC between cases, outside the clock. Enabled in code rather than with --expose-gc on the
 * command line: pools pass the parent's execArgv to their workers, and worker threads refuse that flag.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** The timed cases. Each returns its figures; `p` is the adapter. */
const CASES = {
  /** 20,000 `a + b` submitted at once under one Promise.all: tasks/s. */
  async tiny(p) {
    const n = sizes.tiny;
    const promises = new Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) promises[i] = p.add(i, 1);
    const tSubmitted = performance.now();
    const results = await Promise.all(promises);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) check(results[i] === i + 1, `add(${i}, 1) gave ${results[i]}`);
    return { figures: { tiny: n / ((t1 - t0) / 1000) }, extra: { tinySubmitMs: tSubmitted - t0, tinyTotalMs: t1 - t0 } };
  },

  /** 5,000 BigInt factorial(1000) at once: tasks/s. */
  async factorial(p) {
    const n = sizes.factorial;
    const promises = new Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) promises[i] = p.factorial(FACTORIAL_N);
    const results = await Promise.all(promises);
    const t1 = performance.now();
    for (const r of results) check(r === EXPECTED_FACTORIAL, `factorial(${FACTORIAL_N}) gave a ${typeof r}`);
    return { figures: { factorial: n / ((t1 - t0) / 1000) } };
  },

  /**
   * 2,000 sequential awaited `a + b`: round trip p50 and p99 in µs, after `sizes.latencyWarmUp` untimed calls, for
   * every pool alike. The tail is measured at steady state, not during the JIT's warm-up: after only 2,000 untimed
   * calls V8 was still optimising about ten functions of this path during the timed calls (`node --trace-opt`),
   * and its compiler threads ran about 20 ms inside a 55 ms timed window (each thread's /proc schedstat); on two cores
   * those threads take a CPU from the pool's thread or its worker, and decide the p99 of every pool.
   */
  async latency(p) {
    const n = sizes.latency;
    for (let i = 0; i < sizes.latencyWarmUp; i++) await p.add(i, 1);
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await p.add(i, 2);
      times[i] = (performance.now() - t0) * 1000;
      check(r === i + 2, `add(${i}, 2) gave ${r}`);
    }
    times.sort();
    return { figures: { p50: percentile(times, 50), p99: percentile(times, 99) }, extra: { latencyMaxUs: times[n - 1] } };
  },

  /** 200 tasks each given the same 8 MB Float64Array, copied: tasks/s. */
  async copy(p) {
    const n = sizes.bigArg;
    const array = filledArray();
    gc();
    const promises = new Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) promises[i] = p.sum(array, false);
    const results = await Promise.all(promises);
    const t1 = performance.now();
    for (const r of results) check(r === EXPECTED_SUM, `sum gave ${r}, expected ${EXPECTED_SUM}`);
    return { figures: { copy: n / ((t1 - t0) / 1000) } };
  },

  /** 200 tasks each given its own 8 MB Float64Array, transferred (threads): tasks/s. The arrays are made before the clock starts. */
  async transfer(p) {
    const n = sizes.bigArg;
    const template = filledArray();
    const arrays = Array.from({ length: n }, () => template.slice());
    gc();
    const promises = new Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) promises[i] = p.sum(arrays[i], true);
    const results = await Promise.all(promises);
    const t1 = performance.now();
    for (const r of results) check(r === EXPECTED_SUM, `sum gave ${r}, expected ${EXPECTED_SUM}`);
    const moved = arrays.filter((a) => a.byteLength === 0).length;
    check(moved === n, `${n - moved} of ${n} arrays were copied, not transferred`);
    return { figures: { transfer: n / ((t1 - t0) / 1000) } };
  },
};

/** Outside the clock: a few hundred tasks of every kind, so workers are started and code is hot. */
async function warmUp(p) {
  const tiny = [];
  for (let i = 0; i < 500; i++) tiny.push(p.add(i, 1));
  await Promise.all(tiny);
  for (let i = 0; i < 200; i++) await p.add(i, 1);
  await Promise.all(Array.from({ length: 50 }, () => p.factorial(FACTORIAL_N)));
  const array = filledArray();
  await Promise.all(Array.from({ length: 4 }, () => p.sum(array, false)));
  if (cases.includes('transfer')) await Promise.all(Array.from({ length: 2 }, () => p.sum(array.slice(), true)));
}

function finish(code) {
  process.stdout.write(`@@RESULT ${JSON.stringify(out)}\n`, () => process.exit(code));
}

async function main() {
  let adapter;
  const t0 = performance.now();
  try {
    adapter = await ADAPTERS[poolName](backend, workers, { weftEntry });
    out.notes.push(...adapter.notes);
    await withDeadline(adapter.ready(), caseTimeoutMs, 'ready()');
    out.extra.readyMs = performance.now() - t0;
    await withDeadline(warmUp(adapter), caseTimeoutMs, 'warm-up');
  } catch (error) {
    out.ok = false;
    out.errors.setup = String(error?.stack ?? error);
    return finish(0);
  }
  for (const name of cases) {
    try {
      // Throughput is measured at steady state: each case runs once untimed first (the latency case warms itself).
      if (name !== 'latency') await withDeadline(CASES[name](adapter), caseTimeoutMs, `${name} (untimed)`);
      gc();
      const { figures, extra } = await withDeadline(CASES[name](adapter), caseTimeoutMs, name);
      Object.assign(out.figures, figures);
      Object.assign(out.extra, extra ?? {});
    } catch (error) {
      out.ok = false;
      out.errors[name] = error instanceof Timeout ? error.message : String(error?.stack ?? error);
      // A pool that hung may never recover: skip the rest rather than stack up more waits.
      if (error instanceof Timeout) return finish(0);
    }
  }
  try {
    const t = performance.now();
    await withDeadline(adapter.close(), 10_000, 'close()');
    out.extra.closeMs = performance.now() - t;
  } catch (error) {
    out.errors.close = String(error?.message ?? error);
  }
  finish(0);
}

process.on('unhandledRejection', (error) => {
  out.ok = false;
  out.errors.unhandled = String(error?.stack ?? error);
});

main().catch((error) => {
  out.ok = false;
  out.errors.runner = String(error?.stack ?? error);
  finish(0);
});
