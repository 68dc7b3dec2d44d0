/**
 * The figures behind each branch of the decision chart: what `weft bench` (and the benches next
 * to it) measured on this project's 2-core machine (AMD EPYC, Node 20.20.2), as quoted in the
 * README, with the command that reproduces each. They are this machine's; run the command on yours.
 */

/** One measured fact and how to measure it again. */
export interface Evidence {
  claim: string;
  figure: string;
  command: string;
}

export const EVIDENCE = {
  eventLoopNoSpeedup: {
    claim: 'the event loop interleaves work but never runs two pieces of JavaScript at once',
    figure: 'primes below 1M: sequential 58.0 ms, event loop (async chunks) 58.1 ms at 2 "workers": 1.00x',
    command: 'weft bench primes --workers 1,2',
  },
  threadsScale: {
    claim: 'worker threads run CPU work truly in parallel',
    figure: 'primes below 1M: 58.5 ms on 1 thread, 31.9 ms on 2: 1.82x (91% efficiency)',
    command: 'weft bench primes --workers 1,2',
  },
  processesScale: {
    claim: 'processes scale too, a little behind threads (bigger messages, separate heaps)',
    figure: 'primes below 1M: 60.2 ms on 1 process, 35.5 ms on 2: 1.63x',
    command: 'weft bench primes --workers 1,2',
  },
  sharedBeatsCopies: {
    claim: 'with shared data, threads read it in place while copying processes pay for every byte',
    figure: 'sum of an 80 MB array, 2 workers: threads (SharedArrayBuffer) 7.91 ms, processes copying slices 189 ms (23.9x), +19 MB vs +511 MB peak memory',
    command: 'weft bench array-sum --workers 1,2',
  },
  processShm: {
    claim: 'processes that map the data from /dev/shm get close to threads',
    figure: 'sum of an 80 MB array, 2 workers: process+shm 9.09 ms vs threads 7.91 ms; an 800 MB mapped array costs 1.00x its size',
    command: 'weft bench array-sum --workers 1,2 && npx tsx bench/shared-memory.ts',
  },
  messageCost: {
    claim: 'every call to a worker pays a message round trip, so tiny tasks are cheaper where they are',
    figure: 'an a + b task awaited one at a time: p50 20.2 µs on threads, 81.8 µs on processes in a warmed pool; 74.9 µs and 214.9 µs in a fresh pool after 200 calls (the work itself is well under 1 µs)',
    command: 'npm run build && npx tsx bench/executor/run.ts --repeat 5 --weft dist',
  },
  isolation: {
    claim: 'a process contains its crash: process.exit, a segfault or SIGKILL fail only the task that ran there',
    figure: 'chaos test: 2,500 tasks per backend while tasks throw, exit, hang and get SIGKILLed; every task settles once, the pool keeps working',
    command: 'node scripts/run-tests.mjs test/chaos',
  },
  flThreads: {
    claim: 'a real simulation sharing one model: threads lead, processes close behind',
    figure: 'FL CNN, 4 clients x 20 steps: 2.21 s sequential, 1.27 s on 2 threads (87% efficiency), 1.55 s on 2 processes',
    command: 'weft bench fl-cnn --workers 1,2',
  },
  oneMachineCeiling: {
    claim: "one machine's speedup stops at its core count",
    figure: 'at 2 cores the best is 1.82x (primes on threads) and 1.88x (800 MB sum on threads); nothing on one machine goes past its cores',
    command: 'weft bench primes array-sum --workers 1,2,4',
  },
  cluster: {
    claim: "past one machine, weft's cluster backend runs the same pool API on weft worker processes through Redis",
    figure:
      '2 weft workers of 1 thread on one machine, Redis on loopback: primes below 10M in 64 chunks 1.67 s against 1.66 s on 2 processes (1.00x); 2,000 tiny calls at once 22,277/s, 15.8x plain BullMQ; an FL MLP round 1.21x processes; an awaited call 4.7 ms p50',
    command: 'npx tsx bench/cluster/run.ts --repeat 2 --weft dist',
  },
} satisfies Record<string, Evidence>;
