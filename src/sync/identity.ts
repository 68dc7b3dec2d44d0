/**
 * Who "you" are to a mutex: one 32-bit id per thread, unique across the processes of a machine.
 *
 * A mutex's owner must fit one Int32 word so that it is written and read whole. Linux pids are
 * below 2^22 (the kernel's pid_max ceiling), so the id packs the pid into the high 22 bits and
 * the worker_threads `threadId` (0 for the main thread) into the low 10 bits.
 *
 * It is not unique: two live threads of one process share an id once their threadIds differ by a
 * multiple of 1024 (after more than a thousand workers were started in that process), and two
 * processes in different PID namespaces sharing a mapped mutex (containers, each with node as
 * pid 1) share ids outright. Ownership keyed by it would then both miss misuse and report false
 * misuse ("already holds", an unlock of another thread's lock allowed). So the Mutex keys
 * ownership by the liveness token in its lock word, unique among the machine's live threads,
 * and uses this id only where a thread has no token (no addon), and in error messages.
 */
import { threadId } from 'node:worker_threads';

const THREAD_BITS = 10;

/** This thread's owner id (never 0, which means "nobody"). */
export const selfId: number = ((process.pid & 0x3fffff) << THREAD_BITS) | (threadId & ((1 << THREAD_BITS) - 1));

/** Decodes an owner id for error messages. */
export function describeOwner(id: number): string {
  if (id === 0) return 'nobody';
  const pid = id >>> THREAD_BITS;
  const thread = id & ((1 << THREAD_BITS) - 1);
  const where = pid === (process.pid & 0x3fffff) ? 'this process' : `pid ${pid}`;
  return `${where}, thread ${thread === 0 ? 'main' : thread}`;
}
