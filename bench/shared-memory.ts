/**
 * Memory cost of sharing one 800 MB Float64Array (100,000,000 elements, 0..N-1) with 2 workers.
 *
 *   npx tsx bench/shared-memory.ts [elements]
 *
 * - process backend: the array is a mapped /dev/shm segment; 2 child processes each map it by
 *   name (decodeShared) and sum half.
 * - thread backend: a plain SharedArrayBuffer; 2 worker threads each sum half.
 *
 * Reported per process: VmRSS (counts every resident page the process maps, so a shared page
 * touched by 3 processes is counted 3 times) and Pss from /proc/<pid>/smaps_rollup (each
 * shared page divided among the processes that map it, so the sum over processes is the real
 * total). "cost" is the growth of the total over the same processes' baseline before the array
 * existed: that is what the array adds, and it is what the issue's 1.1x target is about.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sharedArray, dispose } from '../src/shared/index.js';
import { encodeShared, decodeShared } from '../src/shared/handle.js';

interface Mem {
  rss: number;
  pss: number;
}

/** Resident and proportional set sizes of one process, in bytes. */
function memOf(pid: number): Mem {
  const kb = (text: string, field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return {
    rss: kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'),
    pss: kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'),
  };
}

function total(pids: number[]): Mem {
  return pids.map(memOf).reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss }), { rss: 0, pss: 0 });
}

const MB = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;
const ratio = (n: number, size: number): string => `${(n / size).toFixed(2)}x`;

// --- child process: sum a slice of the array it is sent ------------------------------------
if (process.argv[2] === 'child') {
  process.on('message', (msg: { array: unknown; from: number; to: number }) => {
    const xs = decodeShared<Float64Array>(msg.array);
    let sum = 0;
    for (let i = msg.from; i < msg.to; i++) sum += xs[i];
    process.send!({ sum });
  });
  process.send!({ ready: true });
} else if (process.argv[2] === 'scenario') {
  const n = Number(process.argv[4]);
  if (process.argv[3] === 'process') await processBackend(n);
  else await threadBackend(n);
} else {
  await main();
}

function report(label: string, pids: number[], before: Mem, size: number, sum: number, expected: number): void {
  const after = total(pids);
  console.log(`\n${label}`);
  console.log(`  sum ${sum === expected ? 'ok' : 'WRONG'}: ${sum} (expected ${expected})`);
  for (const pid of pids) {
    const m = memOf(pid);
    console.log(`  pid ${pid}: VmRSS ${MB(m.rss)}, Pss ${MB(m.pss)}`);
  }
  console.log(`  total VmRSS ${MB(after.rss)} (${ratio(after.rss, size)} of the array; shared pages counted once per process)`);
  console.log(`  total Pss   ${MB(after.pss)} (${ratio(after.pss, size)}; includes ${MB(before.pss)} of Node itself before the array existed)`);
  const cost = after.pss - before.pss;
  console.log(`  cost of the array (Pss growth): ${MB(cost)} = ${ratio(cost, size)} of its size  [target <= 1.10x]`);
}

async function processBackend(n: number): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  for (let k = 0; k < 2; k++) {
    const child = fork(script, ['child'], { execArgv: ['--import', 'tsx'] });
    await once(child, 'message');
    children.push(child);
  }
  const pids = [process.pid, ...children.map((c) => c.pid!)];
  const before = total(pids);

  const xs = sharedArray(Float64Array, n, { placement: 'mapped' });
  for (let i = 0; i < n; i++) xs[i] = i;
  const half = Math.floor(n / 2);
  const sums = await Promise.all(
    children.map(async (child, k) => {
      const reply = once(child, 'message');
      child.send({ array: encodeShared(xs), from: k * half, to: k === 0 ? half : n });
      const [msg] = (await reply) as [{ sum: number }];
      return msg.sum;
    }),
  );
  report('process backend: mapped segment, 2 child processes', pids, before, xs.byteLength, sums[0] + sums[1], (n * (n - 1)) / 2);
  for (const child of children) child.kill();
  dispose(xs);
}

async function threadBackend(n: number): Promise<void> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', ({ xs, from, to }) => {
      let sum = 0;
      for (let i = from; i < to; i++) sum += xs[i];
      parentPort.postMessage(sum);
    });`;
  const workers = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
  await new Promise((r) => setTimeout(r, 200)); // let the workers' own heaps settle
  const before = total([process.pid]);
  const xs = sharedArray(Float64Array, n, { placement: 'memory' });
  for (let i = 0; i < n; i++) xs[i] = i;
  const half = Math.floor(n / 2);
  const sums = await Promise.all(
    workers.map(async (w, k) => {
      const reply = once(w, 'message');
      w.postMessage({ xs, from: k * half, to: k === 0 ? half : n });
      return ((await reply) as [number])[0];
    }),
  );
  report('thread backend: SharedArrayBuffer, 2 worker threads (one process)', [process.pid], before, xs.byteLength, sums[0] + sums[1], (n * (n - 1)) / 2);
  await Promise.all(workers.map((w) => w.terminate()));
}

// Each scenario runs in a fresh process, so that one's mapping (released only when garbage
// collected) does not show up in the other's baseline.
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000_000);
  console.log(`Float64Array of ${n} elements = ${MB(n * 8)}`);
  for (const scenario of ['process', 'thread']) {
    const child = fork(fileURLToPath(import.meta.url), ['scenario', scenario, String(n)], {
      execArgv: ['--import', 'tsx'],
    });
    const [code] = await once(child, 'exit');
    if (code !== 0) process.exitCode = 1;
  }
}
