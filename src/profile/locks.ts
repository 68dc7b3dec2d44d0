/**
 * Lock waits with their times, for trace slices. Locks and semaphores created with `{ stats: true }`
 * report each contended wait to the thread's {@link WaitLog} while a profile runs; any other wait can
 * be timed by the code that makes it ({@link timedLock}).
 */
import { performance } from 'node:perf_hooks';
import { setContendedWaitSink } from '../sync/stats.js';

/** One wait for a lock, in epoch ms. */
export interface LockWait {
  lock: string;
  start: number;
  end: number;
  /** The lane (worker name) it belongs to; the pool's lane when absent. */
  lane?: string;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Acquires `lock` through `acquire()` and, when the wait was measurable (≥ `minMs`), records it in `sink`.
 * For code on the pool's thread (or an inline pool); workers can return their own {@link LockWait}s with their results.
 */
export async function timedLock<T>(name: string, acquire: () => T | Promise<T>, sink: LockWait[], minMs = 0.05): Promise<T> {
  const start = epochNow();
  const result = await acquire();
  const end = epochNow();
  if (end - start >= minMs) sink.push({ lock: name, start, end });
  return result;
}

/** A contended wait reported by a lock with stats: the lock's stats id and epoch times in ms. */
export interface LoggedWait {
  id: number;
  start: number;
  end: number;
}

/**
 * This thread's contended waits on any weft lock or semaphore created with `{ stats: true }`, from construction
 * until {@link WaitLog.stop}. Waits shorter than `minMs` (a few spins) are left out, and at most `cap` are kept
 * (`dropped` counts the rest), so a lock that is fought over a million times cannot flood a trace.
 */
export class WaitLog {
  readonly waits: LoggedWait[] = [];
  dropped = 0;

  constructor(
    private readonly minMs = 0.005,
    private readonly cap = 100_000,
  ) {
    setContendedWaitSink((id, start, end) => {
      if (end - start < this.minMs) return;
      if (this.waits.length < this.cap) this.waits.push({ id, start, end });
      else this.dropped++;
    });
  }

  stop(): void {
    setContendedWaitSink(null);
  }
}
