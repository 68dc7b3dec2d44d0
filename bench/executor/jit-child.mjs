/**
 * One run for jit.mjs: the service loop of service.mjs for one pool, with markers around the timed
 * window so that the parent can tell which of V8's `--trace-opt` lines fall inside it.
 */
import { performance } from 'node:perf_hooks';
import { ADAPTERS, PRELOAD } from './adapters.mjs';
import { percentile } from './measure.mjs';

const { pool, backend, weftEntry } = JSON.parse(process.argv[2]);
await PRELOAD[pool]({ weftEntry });
const p = await ADAPTERS[pool](backend, 2, { weftEntry, eager: false });
await p.add(1, 2);
for (let i = 0; i < 200; i++) await p.add(i, 1);
const times = new Float64Array(2000);
console.log('@@WINDOW START');
for (let i = 0; i < times.length; i++) {
  const t0 = performance.now();
  const r = await p.add(i, 2);
  times[i] = (performance.now() - t0) * 1000;
  if (r !== i + 2) throw new Error(`add(${i}, 2) gave ${r}`);
}
console.log('@@WINDOW END');
times.sort();
console.log(`@@RESULT ${JSON.stringify({ p50: percentile(times, 50), p99: percentile(times, 99) })}`);
await p.close();
