/**
 * Named /dev/shm segments: naming, creation, opening, removal, and the lifecycle that makes
 * sure a segment never outlives the process that owns it.
 *
 * - A segment's name carries its creator's pid, `weft-<ownerPid>-<random><count>`, for humans only:
 *   pids are reused, and mean something else in another PID namespace sharing /dev/shm (a
 *   container).
 * - What says a segment is owned is its owner lock: the owning process holds an open-file-
 *   description lock on the file for as long as it owns it, which the kernel drops when that
 *   process dies in any way.
 * - The owner (the creating process) removes its segments on explicit dispose, on normal exit,
 *   on an uncaught exception (Node still emits 'exit'), and on SIGINT/SIGTERM/SIGHUP, after which
 *   the signal's default action is re-raised so the process still dies of that signal.
 * - SIGKILL and crashes cannot be intercepted, so the first time a process starts using shared
 *   memory it sweeps `/dev/shm/weft-<pid>-*` that no live process owns (see
 *   {@link sweepStaleSegments}), like Python's multiprocessing resource tracker.
 * - A process that only opens a segment (a process worker) never removes it.
 *
 * Every process worker imports this module, so it imports no heavy builtin: `node:fs` and
 * `node:worker_threads` are taken with `process.getBuiltinModule` where they are used (an ESM
 * import of `node:fs` alone loads its streams), and names need no `node:crypto`.
 */
import { native } from './native.js';
import { programListens, weftListener } from './signal-listeners.js';

/** Every segment weft creates starts with this. */
export const SEGMENT_PREFIX = 'weft-';
const SHM_DIR = '/dev/shm';
const NAME_RE = /^weft-(\d+)-[0-9a-f]+$/;

/** Names made by this realm so far: the last 8 hex digits of a name, distinct within a realm even if Math.random is not. */
let namesMade = 0;

/**
 * A fresh segment name for this process: `weft-<pid>-<16 hex digits>`, 8 random (Math.random: the
 * names are not secrets, and a collision is only a retry, see {@link createSegment}) and 8 of this
 * realm's count of names. Two threads of one process may still pick the same name; the creating
 * call sees EEXIST and takes the next.
 */
export function segmentName(): string {
  const random = Math.floor(Math.random() * 0x1_0000_0000);
  const count = namesMade++ % 0x1_0000_0000;
  return `${SEGMENT_PREFIX}${process.pid}-${hex8(random)}${hex8(count)}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** How many names {@link createSegment} tries before it gives up (each one already taken). */
export const NAME_TRIES = 64;

/** The owner pid encoded in a weft segment name, or undefined for other names. */
export function ownerPidOf(name: string): number | undefined {
  const m = NAME_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

// Names created by this realm and not yet removed. The addon keeps the process-wide list (all
// threads) that the exit handlers clear; this one answers "is it mine?" cheaply.
const owned = new Set<string>();

/** Names of the segments this thread created and has not removed yet. */
export function ownedSegments(): ReadonlySet<string> {
  return owned;
}

/**
 * Creates a segment of `byteLength` bytes (mode 0600, fully reserved so a full /dev/shm fails
 * here with ENOSPC instead of SIGBUS later) and maps it. Registered for removal at exit.
 */
export function createSegment(byteLength: number): { name: string; buffer: SharedArrayBuffer } {
  start();
  const addon = native();
  let lastCollision: unknown;
  for (let tries = 0; tries < NAME_TRIES; tries++) {
    const name = segmentName();
    let buffer: SharedArrayBuffer;
    try {
      buffer = addon.create(name, byteLength);
    } catch (err) {
      // Another thread of this process made the same name, or a stranger's file has it.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        lastCollision = err;
        continue;
      }
      throw err;
    }
    addon.own(name);
    owned.add(name);
    installExitHandlers();
    return { name, buffer };
  }
  throw new Error(
    `weft: createSegment gave up after ${NAME_TRIES} names in ${SHM_DIR} that already existed (${SEGMENT_PREFIX}${process.pid}-*); ` +
      `something else is creating files under weft's names there`,
    { cause: lastCollision },
  );
}

/** Maps an existing segment by name, without taking ownership. */
export function openSegment(name: string): SharedArrayBuffer {
  start();
  return native().open(name);
}

// Attachments by name for decodeShared: repeated tasks reuse one mapping. WeakRefs, so a long
// lived worker process unmaps a segment once no task holds an array over it any more.
const attached = new Map<string, WeakRef<SharedArrayBuffer>>();

/** Like {@link openSegment} but reuses a live mapping of the same name in this thread. */
export function openSegmentCached(name: string): SharedArrayBuffer {
  const live = attached.get(name)?.deref();
  if (live) return live;
  const buffer = openSegment(name);
  attached.set(name, new WeakRef(buffer));
  return buffer;
}

/** Drops this thread's cached attachment of `name` (the mapping ends when it is collected). */
export function forgetSegment(name: string): void {
  attached.delete(name);
}

/**
 * Removes `name` from /dev/shm if this thread owns it; returns whether it did. Mappings stay
 * valid: memory is released when the last mapping in every process is gone. Idempotent.
 */
export function unlinkSegment(name: string): boolean {
  if (!owned.delete(name)) return false;
  const addon = native();
  addon.disown(name);
  try {
    addon.unlink(name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // e.g. a sweeper got it
  }
  return true;
}

/** Removes every segment this process owns (all threads). Returns how many were removed. */
export function unlinkOwnedSegments(): number {
  owned.clear();
  return native().unlinkOwned();
}

/** True when `pid` names a live process (EPERM means alive but someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * For a segment without an owner lock: whether it may still belong to a weft from before owner
 * locks, i.e. the pid in its name is alive here and that process has the file mapped. A reused
 * pid does not map a dead process's segment, so it cannot keep it alive. When the pid's mappings
 * cannot be read (another user's process), the segment is kept.
 */
function legacyOwnerLives(pid: number, name: string, dir: string): boolean {
  if (!alive(pid)) return false;
  try {
    return process.getBuiltinModule('node:fs').readFileSync(`/proc/${pid}/maps`, 'latin1').includes(`${dir}/${name}`);
  } catch {
    return true;
  }
}

/**
 * Removes weft segments in /dev/shm that no live process owns (left by SIGKILL or a crash).
 * Returns the names removed. Runs once per thread automatically on first use of shared memory;
 * call it directly to sweep again.
 *
 * A segment is kept while some process holds its owner lock, whatever the pid in its name says:
 * so a live owner in another PID namespace keeps its segments, and a dead owner whose pid was
 * reused loses them. A segment without the lock is kept only if it may be an older weft's (see
 * {@link legacyOwnerLives}), and when its lock cannot be probed (another user's file).
 */
export function sweepStaleSegments(dir = SHM_DIR): string[] {
  let names: string[];
  try {
    names = process.getBuiltinModule('node:fs').readdirSync(dir);
  } catch {
    return []; // no /dev/shm: nothing to sweep
  }
  const removed: string[] = [];
  const addon = native();
  for (const name of names) {
    const pid = ownerPidOf(name);
    if (pid === undefined || addon.ownerHeld(name) !== 0 || legacyOwnerLives(pid, name, dir)) continue;
    try {
      addon.unlink(name);
      removed.push(name);
    } catch {
      // Raced with another sweeper, or not ours to remove (EACCES): leave it.
    }
  }
  return removed;
}

let started = false;
function start(): void {
  if (started) return;
  started = true;
  sweepStaleSegments();
}

let handlersInstalled = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Exit and signal hooks, installed with the first owned segment. Only the main thread can see
 * process signals; for segments created in worker threads the addon's atexit hook covers
 * normal exit and the sweeper covers the rest.
 */
function installExitHandlers(): void {
  if (handlersInstalled || !process.getBuiltinModule('node:worker_threads').isMainThread) return;
  handlersInstalled = true;
  // 'exit' also fires after an uncaught exception and on process.exit().
  process.on('exit', () => {
    unlinkOwnedSegments();
  });
  for (const signal of SIGNALS) {
    const onSignal = weftListener((): void => {
      // A listener of the program's means it handles this signal itself (a graceful shutdown,
      // say) and may still need its segments: the 'exit' hook will clean up then.
      if (programListens(signal)) return;
      unlinkOwnedSegments();
      // Restore the default action and re-raise, so the process dies of the signal (exit
      // status 128+n as seen by a shell) instead of the signal being swallowed.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
    process.on(signal, onSignal);
  }
}
