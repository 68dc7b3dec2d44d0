/**
 * Profile a block of code: `npx tsx examples/profile-block.ts [outDir]`.
 * Counts primes on two worker threads with a contended mutex on the side, then prints where the files are
 * and which function each worker spent its time in.
 */
import { Mutex } from '../src/sync/index.js';
import { profile } from '../src/profile/index.js';
import type * as Primes from './tasks/primes.js';

const out = process.argv[2] ?? 'weft-profile';
const lock = Mutex.create({ stats: true });

const { files, summary } = await profile(async (session) => {
  session.watchLock('results', lock);
  const pool = session.createPool<typeof Primes>({ module: new URL('./tasks/primes.ts', import.meta.url), backend: 'thread', workers: 2 });
  const chunks = Array.from({ length: 40 }, (_, i) => [i * 50_000, (i + 1) * 50_000] as const);
  let total = 0;
  await Promise.all(
    chunks.map(async ([start, end]) => {
      const count = await pool.call.countPrimes(start, end);
      lock.lock(); // uncontended here (one thread): the table shows 0 waits
      total += count;
      lock.unlock();
    }),
  );
  await pool.close();
  console.log(`${total} primes below ${chunks.length * 50_000}`);
}, { out });

for (const w of summary.workers) console.log(`${w.name}: ${w.tasks} tasks, ${(100 * w.utilisation).toFixed(0)}% busy`);
for (const w of summary.cpu.workers) console.log(`${w.name}: hottest ${w.hottest}`);
console.log(`report ${files.report}\ntrace ${files.trace}\ncpu profiles ${files.cpuProfiles.length}`);
