/** Deadlines for timed waits: absolute times on the monotonic clock, in milliseconds. */
import { SyncMisuseError } from './errors.js';

/** The deadline `timeoutMs` from now; `undefined` or `Infinity` means never. */
export function deadlineAfter(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    throw new SyncMisuseError(`timeout must be a number of milliseconds, got ${String(timeoutMs)}`);
  }
  return performance.now() + Math.max(0, timeoutMs);
}

/** Milliseconds left until `deadline` (Infinity for none); 0 or less means it has passed. */
export function timeLeft(deadline: number): number {
  return deadline === Infinity ? Infinity : deadline - performance.now();
}
