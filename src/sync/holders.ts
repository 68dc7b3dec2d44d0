/**
 * A Semaphore's holder table: a fixed number of (liveness token, permit count) slots in the
 * semaphore's shared state, so that the permits of a holder that died can be found and given
 * back. Layout (the state's extension block): word 0 its length, word 1 the number of slots,
 * then per slot the holder's token (0 free, minus the reclaimer's token while being reclaimed)
 * and its permit count.
 *
 * Only a slot's holder changes its count; the only other writer is a reclaimer, and only once
 * the holder is dead, after winning the compare-and-swap that marks the slot as being reclaimed.
 * A slot holding a token with count 0 is harmless: reclaiming it returns nothing.
 *
 * `worker.terminate()` can stop a thread at any call (each `Atomics.*` call among them) but
 * not between plain statements. So whatever moves permits does it with one atomic on the
 * semaphore's count, followed only by plain stores to the slot, which is its writer's alone at
 * that point: the Semaphore claims its slot before it takes a permit, and the methods here that
 * give permits back (reclaimDead, takeAll) clear the slot right after adding to the count. See
 * semaphore.ts (`holders`) for what a SIGKILL between the two instructions costs.
 */
import { liveness } from './token.js';

const SLOTS = 1;
const FIRST = 2;

/** Most slots a holder table may have. */
export const MAX_HOLDERS = 4096;

export class HolderTable {
  readonly size: number;

  constructor(readonly t: Int32Array) {
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

  /** Index (into {@link HolderTable.t}) of the count word of `token`'s slot, or -1. */
  find(token: number): number {
    for (let i = 0; i < this.size; i++) if (Atomics.load(this.t, FIRST + 2 * i) === token) return FIRST + 2 * i + 1;
    return -1;
  }

  /**
   * The count word of `token`'s slot, claiming a free slot (count 0) if it has none; -1 when
   * every slot is taken by others.
   */
  claim(token: number): number {
    const at = this.find(token);
    if (at >= 0) return at;
    for (let j = 0; j < this.size; j++) {
      if (Atomics.compareExchange(this.t, FIRST + 2 * j, 0, token) === 0) return FIRST + 2 * j + 1;
    }
    return -1;
  }

  /** Frees `token`'s slot (count word `at`) if it holds nothing. */
  freeIfEmpty(token: number, at: number): void {
    if (Atomics.load(this.t, at) === 0) Atomics.compareExchange(this.t, at - 1, token, 0);
  }

  /** Permits `token` holds. */
  countOf(token: number): number {
    const at = this.find(token);
    return at < 0 ? 0 : Atomics.load(this.t, at);
  }

  /**
   * Empties `token`'s slot, adding what it held to `count[index]` first (the one atomic; the
   * slot is cleared by plain stores after it, which termination cannot precede); returns how
   * many permits that was.
   */
  takeAll(token: number, count: Int32Array, index: number): number {
    const at = this.find(token);
    if (at < 0) return 0;
    const held = this.t[at];
    if (held > 0) Atomics.add(count, index, held);
    this.t[at] = 0;
    // Atomic, so a claimer that sees the slot free also sees its count 0 (on any CPU). Stopped at
    // this call, the slot says "a dead holder of nothing", which a reclaim clears.
    Atomics.store(this.t, at - 1, 0);
    return held;
  }

  /**
   * Empties the slots of dead holders (each exactly once), returning each one's permits to
   * `count[index]` (at most up to `count[maxIndex]`, so a permit is never made); returns how many
   * permits that was in all. A slot being reclaimed holds `-reclaimer` (its token): if that
   * reclaimer died before it finished, the next one takes the slot over and finishes.
   */
  reclaimDead(self: number, count: Int32Array, index: number, maxIndex: number): number {
    let total = 0;
    for (let i = 0; i < this.size; i++) {
      const at = FIRST + 2 * i;
      const token = Atomics.load(this.t, at);
      if (token === 0 || token === self || token === -self) continue;
      if (liveness(token < 0 ? -token : token) !== 'dead') continue;
      if (Atomics.compareExchange(this.t, at, token, -self) !== token) continue;
      // The slot is ours alone now. Its permits go back (up to max, so none is ever made) by the
      // compare-and-swap below, and the slot is cleared by plain stores right after it, with no
      // call between: stopped at any call before, the slot still says who reclaims it.
      const n = this.t[at + 1];
      const max = Atomics.load(count, maxIndex);
      let c = Atomics.load(count, index);
      for (;;) {
        const add = n < max - c ? n : max - c;
        if (add <= 0) {
          this.t[at + 1] = 0;
          Atomics.store(this.t, at, 0); // after the count, for any claimer (see takeAll)
          break;
        }
        const seen = Atomics.compareExchange(count, index, c, c + add);
        if (seen === c) {
          this.t[at + 1] = 0;
          Atomics.store(this.t, at, 0); // after the count, for any claimer (see takeAll)
          total += add;
          break;
        }
        c = seen;
      }
    }
    return total;
  }

  /**
   * Whether every slot is held by a holder of at least one permit: the table is really full. A
   * slot with count 0 is passing (a releaser about to free it, a waiter checking for a permit).
   */
  fullOfHolders(): boolean {
    for (let i = 0; i < this.size; i++) {
      const at = FIRST + 2 * i;
      if (Atomics.load(this.t, at) <= 0 || Atomics.load(this.t, at + 1) <= 0) return false;
    }
    return true;
  }

  /** How many slots are in use (a snapshot). */
  inUse(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (Atomics.load(this.t, FIRST + 2 * i) !== 0) n++;
    return n;
  }
}
