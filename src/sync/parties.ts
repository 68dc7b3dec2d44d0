/**
 * A Barrier's party table (with `watchParties`): the liveness token of each party as it arrives,
 * in two rows that alternate by generation, so that while generation g fills its row, the row
 * of g - 1 still says who took part then. Layout (the state's extension block): word 0 its
 * length, word 1 spare (keeps the length even), then the two rows.
 */
import { liveness } from './token.js';

const FIRST = 2;

export class PartyTable {
  private readonly parties: number;

  constructor(private readonly t: Int32Array) {
    this.parties = (t.length - FIRST) / 2;
  }

  /** Words a table for `parties` parties takes. */
  static words(parties: number): number {
    return FIRST + 2 * parties;
  }

  private at(generation: number, index: number): number {
    return FIRST + (generation & 1) * this.parties + index;
  }

  /** Records that `token` arrived `index`-th in `generation`. */
  record(generation: number, index: number, token: number): void {
    Atomics.store(this.t, this.at(generation, index), token);
  }

  /** Forgets every party (reset: the next generation has no previous one to compare with). */
  clear(): void {
    for (let i = FIRST; i < this.t.length; i++) Atomics.store(this.t, i, 0);
  }

  /**
   * Whether a party of `generation - 1` that has not arrived among the first `arrived` of
   * `generation` is dead. The previous row is whole (that generation tripped, or was cleared by
   * reset); of the current row only the first `arrived` entries are this generation's.
   */
  missingPartyDied(generation: number, arrived: number, self: number): boolean {
    const here = new Set<number>();
    for (let i = 0; i < arrived; i++) here.add(Atomics.load(this.t, this.at(generation, i)));
    for (let i = 0; i < this.parties; i++) {
      const token = Atomics.load(this.t, this.at(generation - 1, i));
      if (token > 0 && token !== self && !here.has(token) && liveness(token) === 'dead') return true;
    }
    return false;
  }
}
