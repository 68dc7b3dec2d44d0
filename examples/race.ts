/**
 * Race conditions, made visible: N worker threads each add 1 to one shared counter K times.
 *
 *   npx tsx examples/race.ts [N] [K]        (default N = 4, K = 1,000,000)
 *
 * - plain:  `c[0] = c[0] + 1` reads, adds and writes in three steps; when two threads interleave
 *           them, one write overwrites the other and an update is lost.
 * - mutex:  the same plain read-modify-write inside weft's Mutex: exact, at the price of a lock
 *           per addition.
 * - atomic: `Atomics.add` makes the read-modify-write one indivisible step: exact and cheap.
 */
import { availableParallelism } from 'node:os';
import { runRace, type RaceMode } from '../src/sync/race.js';

const workers = Number(process.argv[2] ?? 4);
const iterations = Number(process.argv[3] ?? 1_000_000);

console.log(`${workers} workers × ${iterations.toLocaleString('en')} additions each, ${availableParallelism()} CPUs\n`);
const row = (cells: string[]): string =>
  [cells[0].padEnd(8), ...cells.slice(1).map((c, i) => c.padStart([12, 12, 12, 9, 11][i]))].join('  ');
console.log(row(['mode', 'expected', 'actual', 'lost', 'lost %', 'time (ms)']));
for (const mode of ['plain', 'mutex', 'atomic'] satisfies RaceMode[]) {
  const r = await runRace({ mode, workers, iterations });
  const pct = ((100 * r.lost) / r.expected).toFixed(1);
  const n = (x: number): string => x.toLocaleString('en');
  console.log(row([mode, n(r.expected), n(r.actual), n(r.lost), `${pct}%`, r.ms.toFixed(1)]));}
console.log('\nplain loses updates; mutex and atomic are exact.');
