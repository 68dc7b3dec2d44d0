// Plain BullMQ, the way its docs show it: one Worker, a processor that switches on the job's name, JSON data.
// Usage: node bullmq-worker.mjs <port> <queue>
import { Worker } from 'bullmq';
import kernels from '../executor/workers/kernels.cjs';
import { countPrimes } from './tasks.mjs';

const [port, queue] = process.argv.slice(2);
const worker = new Worker(
  queue,
  async (job) => {
    const { a, b, n, lo, hi } = job.data;
    switch (job.name) {
      case 'add':
        return kernels.add(a, b);
      case 'factorial':
        return kernels.factorial(n).toString(); // JSON has no BigInt
      case 'countPrimes':
        return countPrimes(lo, hi);
      default:
        throw new Error(`no task ${job.name}`);
    }
  },
  { connection: { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null }, concurrency: 1 },
);
await worker.waitUntilReady();
console.log('ready');
process.once('SIGTERM', () => worker.close().then(() => process.exit(0)));
