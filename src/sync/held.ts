/**
 * What the calling thread holds: every Mutex it has locked and not unlocked, and every Semaphore
 * (created with `holders`) it has permits of. A task runner calls {@link releaseHeldLocks} when a
 * task ends, so that a task that threw (or forgot) between `lock()` and `unlock()` does not leave
 * the lock held by an idle worker, nor make the next task on that thread fail with "this thread
 * already holds the mutex".
 *
 * Entries are matched by the primitive's memory (its state's buffer and byte offset), not by the
 * object: a lock taken through one `Mutex.from(state)` object and released through another
 * removes the one entry, so nothing stale pins an object (and its buffer) in the list. The same
 * mapped segment opened twice in one thread gives two buffers, which count as different memory:
 * such an entry can stay until the next {@link releaseHeldLocks}, which checks every entry against
 * the shared state before it releases anything, so a stale entry is never released wrongly.
 *
 * Cost: module state is per thread and the list is short (what one thread holds at once), so a
 * linear look on acquire and, locks being mostly released in reverse order, a pop on release;
 * entries are compared by object first, then by the buffer and offset each primitive cached when
 * it attached (a typed array's `buffer` and `byteOffset` getters cost more than the lock itself).
 */

import type { StatsBlock } from './stats.js';
import type { Waiter } from './waiter.js';

/** Keys of the members a Holdable has for this module only (symbols keep them out of the public API). */
export const abandonIfHeld: unique symbol = Symbol('weft.sync.abandonIfHeld');
/** The buffer and byte offset of the Holdable's state, read once: the getters cost more than the lock. */
export const memBuffer: unique symbol = Symbol('weft.sync.memBuffer');
export const memOffset: unique symbol = Symbol('weft.sync.memOffset');

/** Something this thread may hold; implemented by Mutex and Semaphore. */
export interface Holdable {
  /** Its state's buffer and byte offset: the memory that identifies the entry. */
  readonly [memBuffer]: ArrayBufferLike;
  readonly [memOffset]: number;
  /**
   * If this thread still holds it: releases it flagged as abandoned (a Mutex's next locker gets
   * OwnerDiedError) and describes it; otherwise returns null.
   */
  [abandonIfHeld](): string | null;
}

/** The primitives this thread may hold, one entry per memory (see the module doc). */
const held: Holdable[] = [];

function same(a: Holdable, b: Holdable): boolean {
  return a === b || (a[memOffset] === b[memOffset] && a[memBuffer] === b[memBuffer]);
}

/** Lists `h` as held by this thread, unless its memory is listed already. */
export function noteHeld(h: Holdable): void {
  for (let i = held.length - 1; i >= 0; i--) if (same(held[i], h)) return;
  held.push(h);
}

/** Unlists `h`'s memory (through whichever object it was listed); nothing if it is not listed. */
export function noteReleased(h: Holdable): void {
  for (let i = held.length - 1; i >= 0; i--) {
    if (same(held[i], h)) {
      if (i === held.length - 1) held.pop();
      else held.splice(i, 1);
      return;
    }
  }
}

/** How many entries this thread's list has (for tests). */
export function heldCount(): number {
  return held.length;
}

/**
 * Releases every lock and semaphore permit the calling thread still holds, and returns a short
 * description of each. A released Mutex is flagged: its next locker gets an `OwnerDiedError`
 * whose `reason` is `'task-ended'`, since the data it protects may be half-updated. Semaphore
 * permits (tracked only with `Semaphore.create(n, { holders })`) are simply returned.
 *
 * It releases everything the calling **thread** holds, whoever took it: on a thread that runs
 * several async tasks at once, that includes locks that other, still running, async code on the
 * same thread holds. Call it only where nothing else on the thread should hold anything (a task
 * runner between tasks).
 *
 * If releasing one of them throws (e.g. a semaphore whose permits would exceed its maximum,
 * because something released permits it never took), the others are still released and the list
 * is emptied; then an `AggregateError` is thrown whose `errors` are the failures and whose
 * `released` property lists what was released.
 *
 * Meant for a task runner, after each task, on the thread that ran it. Returns `[]` (and costs
 * next to nothing) when nothing is held.
 *
 * @example
 * ```ts
 * const result = await runTask();
 * const leaked = releaseHeldLocks();
 * if (leaked.length > 0) console.warn(`task ended holding: ${leaked.join('; ')}`);
 * ```
 */
export function releaseHeldLocks(): string[] {
  if (held.length === 0) return [];
  const entries = held.splice(0);
  const released: string[] = [];
  const failed: unknown[] = [];
  for (const entry of entries) {
    try {
      const what = entry[abandonIfHeld]();
      if (what !== null) released.push(what);
    } catch (err) {
      failed.push(err);
    }
  }
  if (failed.length > 0) {
    const messages = failed.map((e) => (e instanceof Error ? e.message : String(e)));
    throw Object.assign(
      new AggregateError(failed, `releaseHeldLocks: ${failed.length} could not be released (${messages.join('; ')}); released ${released.length}`),
      { released },
    );
  }
  return released;
}

/** How {@link releaseHeldLocks} names a primitive: its kind, where its state lives, its stats id. */
export function describeHeld(kind: string, view: Int32Array, waiter: Waiter, stats: StatsBlock | null): string {
  const where = waiter.kind === 'futex' ? 'mapped memory' : 'thread-shared memory';
  return `${kind} (${where}, byte offset ${view.byteOffset}${stats ? `, stats id ${stats.id}` : ''})`;
}
