/**
 * The calling thread's liveness token, fetched once per thread, and a liveness check that never
 * throws: what the robust primitives (Mutex, Semaphore with holders, Barrier) record and check.
 *
 * Both degrade to "cannot tell" instead of failing: without the native addon (or with one that
 * predates liveness) the token is 0 and every check is 'unknown', which callers treat as alive.
 * The primitives then behave exactly as before robustness existed; nothing is ever taken over on
 * a guess.
 */
import { selfToken, tokenLiveness, type Liveness } from '../shared/liveness.js';

let cached = -1; // module state is per thread (each worker has its own module instance)

/** This thread's token (a positive 31-bit number), or 0 when liveness is unavailable. */
export function myToken(): number {
  if (cached < 0) {
    try {
      const t = selfToken();
      cached = Number.isInteger(t) && t > 0 && t <= 0x7fffffff ? t : 0;
    } catch {
      cached = 0;
    }
  }
  return cached;
}

/** Whether the thread behind `token` lives; 'unknown' for 0 or when it cannot be told. */
export function liveness(token: number): Liveness {
  if (token <= 0) return 'unknown';
  try {
    return tokenLiveness(token);
  } catch {
    return 'unknown';
  }
}

/** How long a waiter sleeps between looks at whether the holder it waits for still lives. */
export const LIVENESS_SLICE_MS = 100;
