/**
 * One adapter per pool library: the same five operations over each library's own API.
 *
 *   create(backend, workers, { weftEntry, eager }) -> { ready(), add(a, b), factorial(n), sum(array, transfer), spin(ms), close(), notes }
 *
 * `ready()` resolves once the workers are started where the library can tell; the runner warms
 * every pool up with a few hundred tasks afterwards anyway. `sum(array, true)` moves the array's
 * buffer to the worker (threads only). Every process pool is configured for V8 ('advanced')
 * serialization so BigInt results and Float64Array arguments travel as themselves. `eager: false`
 * creates weft's pool with its defaults (workers start with the first call), as a user's code
 * would; the peers below have no such choice and start their workers at creation.
 */
import { once } from 'node:events';

const here = (file) => new URL(`./workers/${file}`, import.meta.url);
const pathOf = (file) => decodeURIComponent(here(file).pathname);

export const ADAPTERS = {
  /** weft: `entry` is the URL of weft's index (src/index.ts under tsx, or dist/index.js). */
  async weft(backend, workers, { weftEntry, eager = true }) {
    const { createPool } = await import(weftEntry);
    const pool = createPool({ module: here('weft-tasks.mjs'), backend, workers, ...(eager ? { start: 'eager' } : {}) });
    return {
      notes: [backend === 'process' ? 'child_process.fork, V8 serialization (built in)' : 'worker_threads'],
      ready: () => pool.ready(),
      add: (a, b) => pool.call.add(a, b),
      factorial: (n) => pool.call.factorial(n),
      sum: (array, transfer) => (transfer ? pool.submit('sum', [array], { transfer: [array.buffer] }) : pool.call.sum(array)),
      spin: (ms) => pool.call.spin(ms),
      close: () => pool.close(),
    };
  },

  async piscina(backend, workers) {
    if (backend !== 'thread') throw new Error('piscina has no process backend');
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: here('named-tasks.mjs').href, minThreads: workers, maxThreads: workers });
    return {
      notes: ['worker_threads, defaults (atomics, 1 task per worker at a time)'],
      ready: () => waitForThreads(() => pool.threads.length, workers),
      add: (a, b) => pool.run([a, b], { name: 'add' }),
      factorial: (n) => pool.run(n, { name: 'factorial' }),
      sum: (array, transfer) => pool.run(array, transfer ? { name: 'sum', transferList: [array.buffer] } : { name: 'sum' }),
      spin: (ms) => pool.run(ms, { name: 'spin' }),
      close: () => pool.destroy(),
    };
  },

  async tinypool(backend, workers) {
    const { Tinypool } = await import('tinypool');
    const runtime = backend === 'process' ? 'child_process' : 'worker_threads';
    const pool = new Tinypool({
      filename: here('named-tasks.mjs').href,
      runtime,
      minThreads: workers,
      maxThreads: workers,
      // tinypool's child processes start with an empty environment unless given one: every other pool's
      // children inherit the program's, as a user expects (and on a machine with NODE_EXTRA_CA_CERTS set, a
      // Node process that inherits it takes ~90 ms longer to start).
      ...(backend === 'process' ? { serialization: 'advanced', env: process.env } : {}),
    });
    return {
      notes: [backend === 'process' ? "runtime 'child_process', serialization 'advanced', env: process.env (its default is an empty environment)" : "runtime 'worker_threads', defaults"],
      ready: () => waitForThreads(() => pool.threads.length, workers),
      add: (a, b) => pool.run([a, b], { name: 'add' }),
      factorial: (n) => pool.run(n, { name: 'factorial' }),
      sum: (array, transfer) => pool.run(array, transfer ? { name: 'sum', transferList: [array.buffer] } : { name: 'sum' }),
      spin: (ms) => pool.run(ms, { name: 'spin' }),
      close: () => pool.destroy(),
    };
  },

  async workerpool(backend, workers) {
    const workerpool = (await import('workerpool')).default;
    const pool = workerpool.pool(pathOf('workerpool-worker.cjs'), {
      minWorkers: workers,
      maxWorkers: workers,
      workerType: backend === 'process' ? 'process' : 'thread',
      ...(backend === 'process' ? { forkOpts: { serialization: 'advanced' } } : {}),
    });
    return {
      notes: [backend === 'process' ? "workerType 'process', forkOpts.serialization 'advanced'" : "workerType 'thread'"],
      ready: async () => {
        // workerpool has no ready signal: wait until every worker answered once.
        await Promise.all(Array.from({ length: workers * 4 }, (_, i) => pool.exec('add', [i, 1])));
      },
      add: (a, b) => pool.exec('add', [a, b]),
      factorial: (n) => pool.exec('factorial', [n]),
      sum: (array, transfer) => pool.exec('sum', [array], transfer ? { transfer: [array.buffer] } : undefined),
      spin: (ms) => pool.exec('spin', [ms]),
      close: () => pool.terminate(),
    };
  },

  async poolifier(backend, workers) {
    const poolifier = await import('poolifier');
    const pool =
      backend === 'process'
        ? new poolifier.FixedClusterPool(workers, pathOf('poolifier-cluster.cjs'), { settings: { serialization: 'advanced' } })
        : new poolifier.FixedThreadPool(workers, pathOf('poolifier-thread.mjs'));
    return {
      notes: [backend === 'process' ? "FixedClusterPool, settings.serialization 'advanced', CommonJS worker" : 'FixedThreadPool, defaults'],
      ready: async () => {
        if (!pool.info.ready) await once(pool.emitter, 'ready');
      },
      add: (a, b) => pool.execute([a, b], 'add'),
      factorial: (n) => pool.execute(n, 'factorial'),
      sum: (array, transfer) => pool.execute(array, 'sum', undefined, transfer ? [array.buffer] : undefined),
      spin: (ms) => pool.execute(ms, 'spin'),
      close: () => pool.destroy(),
    };
  },
};

/** Imports a pool's library, so that timing its creation leaves the parent's module loading out. */
export const PRELOAD = {
  weft: ({ weftEntry }) => import(weftEntry),
  piscina: () => import('piscina'),
  tinypool: () => import('tinypool'),
  workerpool: () => import('workerpool'),
  poolifier: () => import('poolifier'),
};

/** For pools whose workers start in the background: resolves when `count()` reaches `n` (or after 5 s). */
async function waitForThreads(count, n) {
  const deadline = Date.now() + 5000;
  while (count() < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
