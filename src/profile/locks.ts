/**
 * Lock waits with their times, for trace slices. The sync primitives count waits but do not log
 * each one, so timed waits come from code that measures them itself ({@link timedLock}).
 */
import { performance } from 'node:perf_hooks';

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
