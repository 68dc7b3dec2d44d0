/**
 * Cluster benchmark: weft's cluster backend (Redis on loopback, 2 `weft worker` processes of 1 local worker each)
 * against the process backend (2 workers) and against BullMQ used directly (2 plain Worker processes, JSON data,
 * one job per call, results through QueueEvents), side by side in one run on this machine.
 *
 *   npx tsx bench/cluster/run.ts [--repeat N] [--weft src|dist] [--json out.json] [--no-fl]
 *
 * Cases: 2,000 tiny `a + b` calls at once (tasks/s); 1,000 BigInt factorial(1000) (tasks/s); 300 sequential
 * awaited tiny calls after 50 untimed (p50/p99 round trip, µs); primes below 10M in 64 chunks at once (s); and an
 * FL round (the README's MLP configuration: 100 clients, 10 per round, full MNIST; training + aggregation, the mean
 * of rounds 2-3) on the cluster (`weft worker --fl`) and on processes. Plain BullMQ runs the first four.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';

const ROOT = new URL('../../', import.meta.url);
const TASKS = fileURLToPath(new URL('./tasks.mjs', import.meta.url));
const BULL_WORKER = fileURLToPath(new URL('./bullmq-worker.mjs', import.meta.url));

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const repeat = Number(flag('--repeat', '3'));
const weftFrom = flag('--weft', 'src') as 'src' | 'dist';
const jsonOut = args.includes('--json') ? flag('--json', '') : undefined;
const withFl = !args.includes('--no-fl');

const weft = (await import(new URL(weftFrom === 'src' ? 'src/index.ts' : 'dist/index.js', ROOT).href)) as typeof import('../../src/index.js');
const fl = (await import(new URL(weftFrom === 'src' ? 'src/fl/index.ts' : 'dist/fl/index.js', ROOT).href)) as typeof import('../../src/fl/index.js');
const cli = fileURLToPath(new URL(weftFrom === 'src' ? 'src/cli/main.ts' : 'dist/cli/main.js', ROOT));
const nodeArgs = weftFrom === 'src' ? ['--import', import.meta.resolve('tsx')] : [];

type Figures = Record<string, number>;
type Tasks = { add(a: number, b: number): number; factorial(n: number): bigint; countPrimes(lo: number, hi: number): number };

// ---- processes ------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function startUntil(command: string, argv: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!ready.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${command} ${argv.join(' ')} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }),
  );
}

const weftWorkers = (url: string, serve: string[]) =>
  Promise.all([0, 1].map(() => startUntil(process.execPath, [...nodeArgs, cli, 'worker', '--connection', url, ...serve, '--workers', '1'], /serving/)));

// ---- cases ----------------------------------------------------------------------------------

const TINY = 2_000;
const FACTORIAL = 1_000;
const LATENCY = 300;
const PRIMES_LIMIT = 10_000_000;
const CHUNKS = 64;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** The four call cases through `call(name, args)`, whatever carries it. */
async function callCases(call: (name: 'add' | 'factorial' | 'countPrimes', args: unknown[]) => Promise<unknown>): Promise<Figures> {
  const figures: Figures = {};
  await Promise.all(Array.from({ length: 200 }, (_, i) => call('add', [i, 1]))); // untimed
  let t = performance.now();
  const sums = await Promise.all(Array.from({ length: TINY }, (_, i) => call('add', [i, 1])));
  figures.tinyPerS = TINY / ((performance.now() - t) / 1000);
  if (sums[TINY - 1] !== TINY) throw new Error(`tiny: wrong result ${String(sums[TINY - 1])}`);
  t = performance.now();
  await Promise.all(Array.from({ length: FACTORIAL }, () => call('factorial', [1000])));
  figures.factorialPerS = FACTORIAL / ((performance.now() - t) / 1000);
  for (let i = 0; i < 50; i++) await call('add', [i, 1]);
  const times: number[] = [];
  for (let i = 0; i < LATENCY; i++) {
    const s = performance.now();
    await call('add', [i, 1]);
    times.push((performance.now() - s) * 1000);
  }
  times.sort((a, b) => a - b);
  figures.p50Us = percentile(times, 0.5);
  figures.p99Us = percentile(times, 0.99);
  const size = PRIMES_LIMIT / CHUNKS;
  t = performance.now();
  const counts = (await Promise.all(Array.from({ length: CHUNKS }, (_, i) => call('countPrimes', [i * size, (i + 1) * size])))) as number[];
  figures.primesS = (performance.now() - t) / 1000;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== 664_579) throw new Error(`primes: counted ${total}, not 664,579`);
  return figures;
}

async function weftCases(options: Parameters<typeof weft.createPool>[0]): Promise<Figures> {
  const pool = weft.createPool<Tasks>(options);
  try {
    await pool.ready();
    return await callCases((name, a) => pool.run(name, ...a));
  } finally {
    await pool.close();
  }
}

async function bullmqCases(port: number): Promise<Figures> {
  const queueName = `bench-${Date.now()}`;
  const workers = await Promise.all([0, 1].map(() => startUntil(process.execPath, [BULL_WORKER, String(port), queueName], /ready/)));
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queue = new Queue(queueName, { connection });
  queue.setMaxListeners(0); // one 'closing' listener per add in flight
  // From the stream's start (a new queue): events that come before its first read would be missed otherwise.
  const events = new QueueEvents(queueName, { connection, lastEventId: '0-0' });
  events.setMaxListeners(0); // one listener per waiting job
  try {
    await events.waitUntilReady();
    const data = (name: string, a: unknown[]) => (name === 'add' ? { a: a[0], b: a[1] } : name === 'factorial' ? { n: a[0] } : { lo: a[0], hi: a[1] });
    // Results through the queue's events, one listener for all (Job.waitUntilFinished hung here once in a burst).
    let next = 0;
    const waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    events.on('completed', ({ jobId, returnvalue }) => waiting.get(jobId)?.resolve(returnvalue));
    events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.reject(new Error(failedReason)));
    return await callCases(async (name, a) => {
      const jobId = `j${next++}`;
      const done = new Promise((resolve, reject) => waiting.set(jobId, { resolve, reject })).finally(() => waiting.delete(jobId));
      await queue.add(name, data(name, a), { jobId, removeOnComplete: true, removeOnFail: true });
      const value = await done;
      return typeof value === 'string' && /^[\d"]/.test(value) ? JSON.parse(value) : value;
    });
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await Promise.all([queue.close(), events.close()]);
    await stop(workers);
  }
}

const FL_CONFIG = { model: 'mlp' as const, rounds: 3, evalEvery: 3, seed: 0 };

async function flRound(backend: 'process' | 'cluster', url: string): Promise<Figures> {
  const result = await fl.runSimulation({ config: { ...FL_CONFIG, backend, workers: backend === 'process' ? 2 : 8 }, cluster: backend === 'cluster' ? { connection: url } : undefined });
  const later = result.rounds.slice(1).map((r) => (r.trainMs + r.aggregateMs) / 1000);
  return { flRoundS: later.reduce((a, b) => a + b, 0) / later.length, flHash: Number.parseInt(result.paramsHash.slice(0, 12), 16) };
}

// ---- run ------------------------------------------------------------------------------------

const port = await freePort();
const redis = await startUntil('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept/);
const url = `redis://127.0.0.1:${port}`;
const runs: Record<string, Figures[]> = { 'weft cluster': [], 'weft process': [], 'BullMQ direct': [] };
try {
  for (let r = 0; r < repeat; r++) {
    console.error(`run ${r + 1}/${repeat}`);
    const served = await weftWorkers(url, ['--module', TASKS]);
    try {
      runs['weft cluster'].push(await weftCases({ backend: 'cluster', module: TASKS, connection: url }));
    } finally {
      await stop(served);
    }
    runs['weft process'].push(await weftCases({ backend: 'process', module: TASKS, workers: 2 }));
    runs['BullMQ direct'].push(await bullmqCases(port));
    if (withFl) {
      const flWorkers = await weftWorkers(url, ['--fl']);
      try {
        Object.assign(runs['weft cluster'][r], await flRound('cluster', url));
      } finally {
        await stop(flWorkers);
      }
      Object.assign(runs['weft process'][r], await flRound('process', url));
    }
  }
} finally {
  await stop([redis]);
}

// ---- report ---------------------------------------------------------------------------------

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const columns: [string, string, (x: number) => string][] = [
  ['tinyPerS', 'tiny tasks/s', (x) => Math.round(x).toLocaleString('en-US')],
  ['factorialPerS', 'factorial(1000)/s', (x) => Math.round(x).toLocaleString('en-US')],
  ['p50Us', 'p50 µs', (x) => x.toFixed(0)],
  ['p99Us', 'p99 µs', (x) => x.toFixed(0)],
  ['primesS', 'primes < 10M, 64 chunks, s', (x) => x.toFixed(2)],
  ['flRoundS', 'FL MLP round, s', (x) => x.toFixed(3)],
];
const cell = (name: string, key: string, show: (x: number) => string): string => {
  const xs = runs[name].map((f) => f[key]).filter((x) => x !== undefined);
  if (xs.length === 0) return '—';
  return xs.length > 1 ? `${show(median(xs))} (${show(Math.min(...xs))}-${show(Math.max(...xs))})` : show(xs[0]);
};
console.log(`\n${cpus()[0].model}, ${availableParallelism()} cores, Node ${process.versions.node}, ${repeat} run(s), medians (range)\n`);
console.log(`| | ${columns.map((c) => c[1]).join(' | ')} |`);
console.log(`|---|${columns.map(() => '--:').join('|')}|`);
for (const name of Object.keys(runs)) console.log(`| ${name} | ${columns.map(([key, , show]) => cell(name, key, show)).join(' | ')} |`);
const ratio = (a: string, b: string, key: string): number => median(runs[a].map((f) => f[key])) / median(runs[b].map((f) => f[key]));
console.log(`\ntiny tasks: cluster ${ratio('weft cluster', 'BullMQ direct', 'tinyPerS').toFixed(1)}x plain BullMQ (target >= 10x)`);
console.log(`primes: cluster ${ratio('weft cluster', 'weft process', 'primesS').toFixed(2)}x the process backend's time (target <= 1.15)`);
if (withFl) {
  console.log(`FL round: cluster ${ratio('weft cluster', 'weft process', 'flRoundS').toFixed(2)}x the process backend's time (target <= 1.25)`);
  const hashes = new Set([...runs['weft cluster'], ...runs['weft process']].map((f) => f.flHash));
  console.log(`FL final parameters: ${hashes.size === 1 ? 'the same SHA-256 on the cluster and on processes' : 'DIFFERENT hashes'}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ node: process.versions.node, cpu: cpus()[0].model, repeat, runs }, null, 2));
