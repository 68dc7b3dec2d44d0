/**
 * Liveness tokens: a 31-bit number that names the calling thread (of any process on this
 * machine) for as long as it lives, and a check that tells, from any thread of any process,
 * whether the thread behind a token is still alive.
 *
 * A lock word that records its holder's token lets a waiter find out that the holder died
 * (exited, was terminated, or its process was SIGKILLed) and recover, as pthread robust mutexes
 * do. Pids are not enough: a pid says nothing about threads, is reused, and means something else
 * in another PID namespace sharing /dev/shm.
 *
 * Implemented by the native addon (see native/src/liveness.c): each thread holds a lock on its own
 * byte of a per-user file in /dev/shm, which the kernel drops whenever the thread goes. Without the
 * addon, or when that file cannot be used, tokens are 0 and every check answers 'unknown', so
 * callers must treat 'unknown' as "assume alive".
 *
 * Limits: the file is per user, so tokens mean something only among one user's processes; a
 * process of another user (root, say, sharing a segment) may read a live token as dead, so robust
 * primitives must not be shared across users. If the file is removed while weft processes run (an
 * /dev/shm cleaner, systemd-logind's RemoveIPC), a process keeps using the file it opened, and a
 * check that cannot tell which file a token came from answers 'unknown', never 'dead'.
 *
 * Cost: selfToken() is a property read after the first call; tokenLiveness() is one or two
 * fcntl(F_OFD_GETLK) calls, about 1-2 µs.
 */
import { tryNative } from './native.js';

/** What a liveness check can say about a token. */
export type Liveness = 'alive' | 'dead' | 'unknown';

/** This thread's token (never 0), or 0 when liveness is unavailable here (no addon). */
export function selfToken(): number {
  const addon = tryNative();
  if (addon === undefined) return 0;
  try {
    return addon.liveToken();
  } catch {
    // The liveness file cannot be opened (another user's file planted under our name, /dev/shm
    // missing) or every slot is taken: liveness is unavailable, which the contract spells 0.
    return 0;
  }
}

/** Whether the thread behind `token` (from {@link selfToken} anywhere on this machine) lives. */
export function tokenLiveness(token: number): Liveness {
  if (token === 0) return 'unknown';
  const addon = tryNative();
  if (addon === undefined) return 'unknown';
  const r = addon.liveCheck(token);
  return r === 1 ? 'alive' : r === 0 ? 'dead' : 'unknown';
}
