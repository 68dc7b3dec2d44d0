/**
 * What the calling thread holds: every Mutex it has locked and not unlocked, and every Semaphore
 * (created with `holders`) it has permits of. A task runner calls {@link releaseHeldLocks} when a
 * task ends, so that a task that threw (or forgot) between `lock()` and `unlock()` does not leave
 * the lock held by an idle worker, nor make the next task on that thread fail with "this thread
 * already holds the mutex".
 *
 * Cost: an array push on acquire and a pop on release (module state is per thread); a Set was
 * 5x the cost of the lock itself. Each object is listed at most once (its `listed` flag), and
 * entries are checked against the shared state before anything is released, so an entry left
 * stale (a lock taken through one `Mutex.from` object and released through another) is
 * harmless and the list stays bounded by the objects in use.
 */

import type { StatsBlock } from './stats.js';
import type { Waiter } from './waiter.js';

/** Keys of the members a Holdable has for this module only (symbols keep them out of the public API). */
export const listed: unique symbol = Symbol('weft.sync.listed');
export const abandonIfHeld: unique symbol = Symbol('weft.sync.abandonIfHeld');

/** Something this thread may hold; implemented by Mutex and Semaphore. */
export interface Holdable {
  /** Whether it is in this thread's list; only {@link noteHeld} and {@link noteReleased} change it. */
  [listed]: boolean;
  /**
   * If this thread still holds it: releases it flagged as abandoned (a Mutex's next locker gets
   * OwnerDiedError) and describes it; otherwise returns null.
   */
  [abandonIfHeld](): string | null;
}

/** The primitives this thread may hold (see the module doc for why entries may be stale). */
const held: Holdable[] = [];

/** Lists `h` as held by this thread (once). */
export function noteHeld(h: Holdable): void {
  if (h[listed]) return;
  h[listed] = true;
  held.push(h);
}

/** Unlists `h`; locks are mostly released in reverse order, so this is mostly a pop. */
export function noteReleased(h: Holdable): void {
  if (!h[listed]) return;
  h[listed] = false;
  const last = held.length - 1;
  if (held[last] === h) held.pop();
  else held.splice(held.lastIndexOf(h), 1);
}

/**
 * Releases every lock and semaphore permit the calling thread still holds, and returns a short
 * description of each. A released Mutex is flagged: its next locker gets an `OwnerDiedError`
 * whose `reason` is `'task-ended'`, since the data it protects may be half-updated. Semaphore
 * permits (tracked only with `Semaphore.create(n, { holders })`) are simply returned.
 *
 * Meant for a task runner, after each task, on the thread that ran it; weft's pool calls it.
 * Returns `[]` (and costs next to nothing) when nothing is held.
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
  for (const entry of entries) {
    entry[listed] = false;
    const what = entry[abandonIfHeld]();
    if (what !== null) released.push(what);
  }
  return released;
}

/** How {@link releaseHeldLocks} names a primitive: its kind, where its state lives, its stats id. */
export function describeHeld(kind: string, view: Int32Array, waiter: Waiter, stats: StatsBlock | null): string {
  const where = waiter.kind === 'futex' ? 'mapped memory' : 'thread-shared memory';
  return `${kind} (${where}, byte offset ${view.byteOffset}${stats ? `, stats id ${stats.id}` : ''})`;
}
