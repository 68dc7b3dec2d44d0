import { performance } from 'node:perf_hooks';
import { createPool } from '../src/index.js';
let sendMs = 0, sends = 0, tasksSent = 0, recvMs = 0, recvs = 0;
const observer = { batchSent: (_w: string, n: number, ms: number) => { sendMs += ms; sends++; tasksSent += n; }, resultsReceived: (_w: string, _n: number, ms: number) => { recvMs += ms; recvs++; } };
const pool = createPool<any>({ module: new URL('./executor/workers/weft-tasks.mjs', import.meta.url), backend: 'thread', workers: 2, start: 'eager', observer });
await pool.ready();
const a = new Float64Array(1 << 20); for (let i = 0; i < a.length; i++) a[i] = i;
await Promise.all(Array.from({ length: 8 }, () => pool.run('sum', a, false)));
for (let r = 0; r < 3; r++) {
  sendMs = sends = tasksSent = recvMs = recvs = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 200 }, () => pool.run('sum', a, false)));
  const wall = performance.now() - t0;
  console.log(`wall ${wall.toFixed(0)} ms = ${(200 / wall * 1000).toFixed(0)}/s; sends ${sends} (${tasksSent} tasks) ${sendMs.toFixed(0)} ms; receives ${recvs} ${recvMs.toFixed(1)} ms`, JSON.stringify(pool.stats().runTimeMs));
}
await pool.close();
