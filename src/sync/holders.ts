/**
 * A Semaphore's holder table: a fixed number of (liveness token, permit count) slots in the
 * semaphore's shared state, so that the permits of a holder that died can be found and given
 * back. Layout (the state's extension block): word 0 its length, word 1 the number of slots,
 * then per slot the holder's token (0 free, -1 being reclaimed) and its permit count.
 *
 * Only a slot's holder changes its count; the only other writer is a reclaimer, and only once
 * the holder is dead, after winning the compare-and-swap that marks the slot as being reclaimed.
 *
 * A permit is taken before it is recorded and unrecorded before it is returned, so a holder that
 * dies between the two steps (a few instructions) loses that permit; the other order could
 * create one, which would break the bound the semaphore exists for.
 */
import { liveness } from './token.js';

const SLOTS = 1;
const FIRST = 2;
const RECLAIMING = -1;

/** Most slots a holder table may have. */
export const MAX_HOLDERS = 4096;

export class HolderTable {
  readonly size: number;

  constructor(private readonly t: Int32Array) {
    this.size = Atomics.load(t, SLOTS);
  }

  /** Words a table of `slots` slots takes. */
  static words(slots: number): number {
    return FIRST + 2 * slots;
  }

  /** Writes the slot count into a fresh (zeroed) extension block. */
  static initialise(ext: Int32Array, slots: number): void {
    Atomics.store(ext, SLOTS, slots);
  }

  /** The slot holding `token`'s permits, or -1. */
  find(token: number): number {
    for (let i = 0; i < this.size; i++) if (Atomics.load(this.t, FIRST + 2 * i) === token) return i;
    return -1;
  }

  /** Permits `token` holds. */
  countOf(token: number): number {
    const i = this.find(token);
    return i < 0 ? 0 : Atomics.load(this.t, FIRST + 2 * i + 1);
  }

  /** Counts `n` more permits for `token`, claiming a free slot if it has none; false when full. */
  add(token: number, n: number): boolean {
    let i = this.find(token);
    for (let j = 0; i < 0 && j < this.size; j++) {
      if (Atomics.compareExchange(this.t, FIRST + 2 * j, 0, token) === 0) i = j;
    }
    if (i < 0) return false;
    Atomics.add(this.t, FIRST + 2 * i + 1, n);
    return true;
  }

  /**
   * Counts `n` permits fewer for `token`, freeing its slot at 0 so that the table only holds
   * current holders. Returns what it still holds, or -1 (nothing changed) if it holds fewer than `n`.
   */
  sub(token: number, n: number): number {
    const i = this.find(token);
    if (i < 0) return -1;
    const held = Atomics.load(this.t, FIRST + 2 * i + 1);
    if (held < n) return -1;
    Atomics.sub(this.t, FIRST + 2 * i + 1, n);
    if (held === n) Atomics.store(this.t, FIRST + 2 * i, 0);
    return held - n;
  }

  /** Removes `token`'s slot; returns how many permits it held. */
  takeAll(token: number): number {
    const i = this.find(token);
    if (i < 0) return 0;
    const held = Atomics.exchange(this.t, FIRST + 2 * i + 1, 0);
    Atomics.store(this.t, FIRST + 2 * i, 0);
    return held;
  }

  /** Empties the slots of dead holders (each exactly once); returns how many permits they held. */
  reclaimDead(self: number): number {
    let total = 0;
    for (let i = 0; i < this.size; i++) {
      const at = FIRST + 2 * i;
      const token = Atomics.load(this.t, at);
      if (token <= 0 || token === self || liveness(token) !== 'dead') continue;
      if (Atomics.compareExchange(this.t, at, token, RECLAIMING) !== token) continue;
      total += Atomics.exchange(this.t, at + 1, 0);
      Atomics.store(this.t, at, 0);
    }
    return total;
  }

  /** How many slots are in use (a snapshot). */
  inUse(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (Atomics.load(this.t, FIRST + 2 * i) !== 0) n++;
    return n;
  }
}
